"""From a submitted page form to the command the API takes as its JSON body, validated once.

`command(form, AddGoodPractice)` reads each of the command's fields from the form by name (a list
field from its repeated values, a date from a GOV.UK date input's day/month/year, a flag from a
checkbox, an optional id from a select), validates the whole command, and puts every problem in the
form under its field, so the page shows all of them at once with what was typed kept.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import ValidationError

from api.pages.common import Form, attempt
from workflow.commands import Command

C = TypeVar("C", bound=Command)
T = TypeVar("T")


def command(
    form: Form,
    kind: type[C],
    *,
    only: set[str] | None = None,
    names: Mapping[str, str] | None = None,
    context: Mapping[str, Any] | None = None,
    missing: Mapping[str, str] | None = None,
    **given: Any,
) -> C | None:
    """The command `kind` from `form` (fields in `given` are taken as they are, not from the form;
    with `only`, just those form fields are read, so a change leaves the rest alone). A field that is
    itself a command (`incident`) is read from the form's fields `incident_<field>`; `names` maps a
    field (`agencies_involved`, `incident.date_of_awareness`) to another form field, where its value
    is read and its error shown. `context` reaches the command's validators (e.g. `today`); `missing`
    says, by field, what to ask for when a required field was not filled in. None, with the errors
    in `form`, when anything is wrong."""
    names, asks = names or {}, missing or {}
    values: dict[str, Any] = {}
    for name, info in kind.model_fields.items():
        if name in given or (only is not None and name not in only):
            continue
        value = _field(form, name, info.annotation, names)
        if value is not _ABSENT:
            values[name] = value
    values.update(given)
    if not form.ok:
        _validate(form, kind, values, names, context, asks)  # the other fields' problems too, at once
        return None
    return _validate(form, kind, values, names, context, asks)


def form_name(path: str, names: Mapping[str, str]) -> str:
    """The form field of a command's field (`incident.outcome` -> `incident_outcome`)."""
    return names.get(path, path.replace(".", "_"))


def _field(form: Form, name: str, annotation: Any, names: Mapping[str, str]) -> Any:
    inner, _ = _unwrap(annotation)
    if isinstance(inner, type) and issubclass(inner, Command):
        nested = {}
        for sub, info in inner.model_fields.items():
            value = _read(form, form_name(f"{name}.{sub}", names), info.annotation)
            if value is not _ABSENT:
                nested[sub] = value
        return nested
    return _read(form, form_name(name, names), annotation)


def submit(form: Form, kind: type[C], change: Callable[[C], T], **given: Any) -> tuple[T | None, int]:
    """Build the command `kind` from `form` and make the change with it: (result, 0) when done, or
    (None, status) with every problem in the form (`api.pages.common.attempt` says which status)."""
    made = command(form, kind, **given)
    if made is None:
        return None, 422
    return attempt(form, lambda: change(made))


def _validate(
    form: Form,
    kind: type[C],
    values: dict[str, Any],
    names: Mapping[str, str],
    context: Mapping[str, Any] | None,
    asks: Mapping[str, str],
) -> C | None:
    try:
        return kind.model_validate(values, context=dict(context) if context else None)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            path = _path(kind, item.get("loc", ()))
            field = form_name(path, names)
            message = str(item.get("msg", "Invalid value."))  # never item["input"]: it may be a password
            if path in asks and (item.get("type") == "missing" or item.get("input", 0) is None):
                message = asks[path]
            errors[field] = f"{errors[field]} {message}" if field in errors else message
        for field, message in errors.items():
            form.fail(field, message)
        return None


def _path(kind: type[Command], location: Sequence[int | str]) -> str:
    """An error's field: the top field, or `field.sub` inside a nested command."""
    if not location:
        return "form"
    top = str(location[0])
    info = kind.model_fields.get(top)
    inner = _unwrap(info.annotation)[0] if info else None
    if len(location) > 1 and isinstance(inner, type) and issubclass(inner, Command):
        return f"{top}.{location[1]}"
    return top


_ABSENT = object()


def _read(form: Form, name: str, annotation: Any) -> Any:
    inner, optional = _unwrap(annotation)
    origin = get_origin(inner)
    if origin in (list, tuple, set, frozenset):
        (item, *_) = get_args(inner) or (str,)
        return [_scalar(form, name, v, _unwrap(item)[0]) for v in form.values(name)]
    if inner is date:
        return form.date(name) if _date_sent(form, name) else (None if optional else _ABSENT)
    if inner is bool:
        return form.value(name) not in ("", "0", "false", "no")
    raw = form.value(name)
    if raw.strip() == "" and name not in form.data:
        return _ABSENT
    if raw.strip() == "" and optional:
        return None
    return _scalar(form, name, raw, inner)


def _scalar(form: Form, name: str, raw: str, kind: Any) -> Any:
    if kind is int:
        text = raw.strip()
        if text.isdigit() and len(text) < 10:
            return int(text)
        form.fail(name, "Choose from the list.")
        return None
    return raw


def _date_sent(form: Form, name: str) -> bool:
    return any(f"{name}-{part}" in form.data for part in ("day", "month", "year"))


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside `Annotated[...]` and `X | None`, and whether None is allowed."""
    while get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        inner, _ = _unwrap(args[0]) if len(args) == 1 else (annotation, False)
        return inner, True
    if hasattr(annotation, "__metadata__"):
        return _unwrap(get_args(annotation)[0])
    return annotation, False
