"""The sealed identity register page (coordinator and chair): the real identifiers of a review and the
words its text uses instead; adding, changing and removing them. Every view of it is audited by the
register service (it shows real identifiers), every change too; anyone else who is a member is told
they may not see it, a non-member that there is no such page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import ReviewId
from api.pages import forms
from api.pages.common import (
    CsrfChecked,
    Form,
    PageRoute,
    PageUser,
    ServicesDep,
    Submitted,
    attempt,
    redirect,
    render,
    with_query,
)
from api.pages.views import review_context
from api.wiring import Services
from findings.errors import RegisterUnreadable
from findings.publication.identifiers import IdentifierKind
from findings.publication.register import (
    PSEUDONYM_MISSING,
    REASON_MISSING,
    VALUE_MISSING,
    AddRegisterEntry,
    ChangeRegisterEntry,
    EntryView,
    RemoveRegisterEntry,
)
from workflow import policy

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 25
CHANGE = "change_register"
# What to ask for when a field was not sent at all (an empty one gets the command's own words).
MISSING = {
    "kind": "Choose what kind of identifier this is.",
    "value": VALUE_MISSING,
    "pseudonym": PSEUDONYM_MISSING,
}

# The kinds as the form offers them: label and, where it helps, a hint.
KINDS: tuple[tuple[IdentifierKind, str, str], ...] = (
    (IdentifierKind.CHILD, "The child", "The child the review is about."),
    (IdentifierKind.SIBLING, "A sibling", ""),
    (IdentifierKind.PARENT_CARER, "A parent or carer", ""),
    (IdentifierKind.FAMILY_MEMBER, "Another family member", ""),
    (IdentifierKind.ADDRESS, "An address", "Where the family lived or stayed."),
    (IdentifierKind.SCHOOL, "A school or nursery", ""),
    (IdentifierKind.DATE_OF_BIRTH, "A date of birth", "For example 12/03/2015 or 2015-03-12."),
    (IdentifierKind.PRACTITIONER, "A practitioner", "The review's text names their role instead."),
    (IdentifierKind.OTHER, "Another identifier", "For example a car registration or a workplace."),
)


def _context(services: Services, user: Caller, review_id: int) -> dict[str, Any]:
    context = review_context(services, user, review_id, "register")
    review, roles = context["review"], context["roles"]
    context.update(
        {
            "kinds": [(k.value, label, hint) for k, label, hint in KINDS],
            "may_change": policy.permits(roles, review.state, CHANGE),
            "refusal": policy.refusal(roles, review.state, CHANGE),
        }
    )
    return context


def _unreadable(request: Request, context: dict[str, Any], error: RegisterUnreadable) -> Response:
    context.update({"problem": error.reason(), "mode": "unreadable", "form": Form.of()})
    return render(request, "pages/register.html", context, status=503)


def _filled(entry: EntryView, version: int) -> Form:
    return Form.of(
        version=version,
        kind=entry.kind.value,
        value=entry.value,
        pseudonym=entry.pseudonym,
        variants="\n".join(entry.variants),
        match_parts=entry.match_parts,
        note=entry.note,
    )


def _list_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    *,
    page: int = 1,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    context = _context(services, user, review_id)
    try:
        view = services.register.read(
            review_id=review_id, actor=user.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    except RegisterUnreadable as error:
        return _unreadable(request, context, error)
    pages = max(1, -(-view.total // PAGE_SIZE))
    if page > pages:  # past the end (an entry was removed meanwhile): the last page
        return redirect(with_query(f"/reviews/{review_id}/register", page=pages))
    if form is None:
        form = Form.of(version=view.version, match_parts=True)
    elif form.stale:
        form.data["version"] = [str(view.version)]
    url = f"/reviews/{review_id}/register"
    context.update(
        {
            "mode": "list",
            "view": view,
            "first": (page - 1) * PAGE_SIZE + 1,
            "form": form,
            "pages": pages,
            "links": {
                "previous": {"href": with_query(url, page=page - 1)} if page > 1 else None,
                "next": {"href": with_query(url, page=page + 1)} if page < pages else None,
                "items": [
                    {"number": n, "href": with_query(url, page=n), "current": n == page}
                    for n in range(1, pages + 1)
                ],
            },
        }
    )
    return render(request, "pages/register.html", context, status=status)


def _entry_page(
    request: Request,
    services: Services,
    user: Caller,
    review_id: int,
    entry_id: int,
    *,
    mode: str,
    form: Form | None = None,
    status: int = 200,
) -> Response:
    """The form to change one entry (`mode` "change") or to remove it ("remove"). Opening the entry is
    a read of the register (audited); a change form sent back with problems shows what was typed, so
    it opens nothing again."""
    context = _context(services, user, review_id)
    version = context["review"].version
    entry = None
    if form is None or mode == "remove":
        try:
            entry = services.register.get(review_id=review_id, actor=user.id, entry_id=entry_id)
        except RegisterUnreadable as error:
            return _unreadable(request, context, error)
    if form is None:
        assert entry is not None
        form = _filled(entry, version) if mode == "change" else Form.of(version=version)
    elif form.stale:
        form.data["version"] = [str(version)]
    context.update({"mode": mode, "entry": entry, "entry_id": entry_id, "form": form})
    return render(request, "pages/register.html", context, status=status)


def _whole_entry(form: Form) -> AddRegisterEntry | None:
    """The entry as the form has it (variants one a line), checked as a whole."""
    return forms.command(form, AddRegisterEntry, variants=form.lines("variants"), missing=MISSING)


@router.get("/reviews/{review_id}/register")
def register(
    request: Request,
    review_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    page: int = Query(1, ge=1, le=10_000),
) -> Response:
    return _list_page(request, services, user, review_id, page=page)


@router.post("/reviews/{review_id}/register", dependencies=[CsrfChecked])
def add_entry(
    request: Request, review_id: ReviewId, services: ServicesDep, user: PageUser, submitted: Submitted
) -> Response:
    form = Form.of(submitted)
    command = _whole_entry(form)
    if command is None:
        return _list_page(request, services, user, review_id, form=form, status=422)
    try:
        _, status = attempt(
            form,
            lambda: services.register.add(
                review_id=review_id, actor=user.id, expected_version=form.version(), command=command
            ),
        )
    except RegisterUnreadable as error:
        return _unreadable(request, _context(services, user, review_id), error)
    if not status:
        return redirect(f"/reviews/{review_id}/register", flash="Identifier added to the register.")
    return _list_page(request, services, user, review_id, form=form, status=status)


@router.get("/reviews/{review_id}/register/{entry_id}")
def entry(
    request: Request, review_id: ReviewId, entry_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _entry_page(request, services, user, review_id, entry_id, mode="change")


@router.post("/reviews/{review_id}/register/{entry_id}", dependencies=[CsrfChecked])
def change_entry(
    request: Request,
    review_id: ReviewId,
    entry_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    whole = _whole_entry(form)
    if whole is None:
        return _entry_page(request, services, user, review_id, entry_id, mode="change", form=form, status=422)
    # The form shows every field of the entry, so saving it changes them all.
    command = ChangeRegisterEntry.model_validate(whole.model_dump())
    try:
        _, status = attempt(
            form,
            lambda: services.register.update(
                review_id=review_id,
                actor=user.id,
                entry_id=entry_id,
                expected_version=form.version(),
                command=command,
            ),
        )
    except RegisterUnreadable as error:
        return _unreadable(request, _context(services, user, review_id), error)
    if not status:
        return redirect(f"/reviews/{review_id}/register", flash="Register entry saved.")
    return _entry_page(request, services, user, review_id, entry_id, mode="change", form=form, status=status)


@router.get("/reviews/{review_id}/register/{entry_id}/remove")
def confirm_remove(
    request: Request, review_id: ReviewId, entry_id: ReviewId, services: ServicesDep, user: PageUser
) -> Response:
    return _entry_page(request, services, user, review_id, entry_id, mode="remove")


@router.post("/reviews/{review_id}/register/{entry_id}/remove", dependencies=[CsrfChecked])
def remove_entry(
    request: Request,
    review_id: ReviewId,
    entry_id: ReviewId,
    services: ServicesDep,
    user: PageUser,
    submitted: Submitted,
) -> Response:
    form = Form.of(submitted)
    _, status = forms.submit(
        form,
        RemoveRegisterEntry,
        lambda command: services.register.remove(
            review_id=review_id,
            actor=user.id,
            entry_id=entry_id,
            expected_version=form.version(),
            command=command,
        ),
        missing={"reason": REASON_MISSING},
    )
    if not status:
        return redirect(f"/reviews/{review_id}/register", flash="Identifier removed from the register.")
    return _entry_page(request, services, user, review_id, entry_id, mode="remove", form=form, status=status)
