"""Publishing a review: the anonymisation check of exactly what it would publish, wired into the
`publish` guard, and the `workflow.ports.Publisher` that freezes the checked documents inside the
trigger's transaction.

One `Publishing` serves both, so a publish renders and checks once: the guard's check
(`FindingsFacts(anonymisation=publishing.check)`) prepares the documents, and `publish` freezes that
same `Prepared`. Prepared documents are kept in a small cache keyed by a digest of everything they are
rendered and checked from (the view models, the register's sealed entries as stored, the formats): equal
inputs render equal documents, so a cached `Prepared` is exactly what the current review would publish,
and any edit (or register change, which re-seals its entry) makes a new key; a hit neither renders nor
opens the register. Listing triggers never runs the check: it shows the last known result
(`known_check`) while the review keeps the version it was checked at.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from findings.errors import RegisterUnreadable
from findings.publication.assemble import ReviewContent, load, report_data
from findings.publication.briefings import briefing_data
from findings.publication.freeze import ALL_FORMATS, Prepared, freeze, prepare
from findings.publication.identifiers import PERSON_KINDS, Identifier
from findings.publication.models import RegisterEntry
from findings.publication.register import sealed_identifiers
from findings.publication.render import DocumentKind, Format
from findings.publication.view_model import BriefingData, ReportData
from workflow.errors import NotFound, TriggerRefused
from workflow.models import Review
from workflow.recent import RecentResults

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    """What a review would publish today, as view models, and the identifiers to check them against."""

    variant: DocumentKind
    report: ReportData
    briefing: BriefingData | None
    identifiers: tuple[Identifier, ...]


class Publishing:
    """The anonymisation check and the publisher of a deployment.

    `cipher` gives the register's cipher (called when needed, so a missing key refuses publishing
    rather than starting the app); `partnership` is the default name on the documents."""

    def __init__(
        self,
        *,
        cipher: Callable[[], MultiFernet],
        today: Callable[[], date] = date.today,
        partnership: str = "",
        formats: Sequence[Format] = ALL_FORMATS,
        allowed_postcodes: Iterable[str] = (),
        cache_size: int = 8,
    ) -> None:
        self._cipher = cipher
        self._today = today
        self.partnership = partnership
        self._formats = tuple(formats)
        self._allowed_postcodes = tuple(allowed_postcodes)
        self._cache: RecentResults[str, Prepared] = RecentResults(cache_size)
        self._lock = threading.Lock()
        self._last: dict[int, tuple[int | None, tuple[str, ...]]] = {}  # review -> (version, hits)

    # ---- what would be published ---------------------------------------------------------------

    def identifiers(self, session: Session, review_id: int) -> tuple[Identifier, ...]:
        return sealed_identifiers(session, review_id, self._cipher())

    def extra_names(self, session: Session, review_id: int) -> list[str]:
        """The names of people in the register (value and variants), for the quality warning that a
        finding names a person. Never shown on their own: a warning quotes the text it was found in.
        A register that cannot be read raises `RegisterUnreadable`: never an empty list that would let
        the warning pass without the sealed names."""
        names: list[str] = []
        for identifier in self.identifiers(session, review_id):
            if identifier.kind in PERSON_KINDS:
                names += [identifier.value, *identifier.variants]
        return names

    def register_problem(self, session: Session, review_id: int) -> str | None:
        """Why the review's register cannot be read, in words for the pages; None when it can."""
        try:
            self.identifiers(session, review_id)
        except RegisterUnreadable as error:
            return error.reason()
        return None

    def content(self, session: Session, review_id: int) -> ReviewContent:
        review = session.get(Review, review_id)
        if review is None:
            raise NotFound(f"Review {review_id} was not found.")
        return load(session, review)

    def candidate(
        self, session: Session, review_id: int, variant: DocumentKind = DocumentKind.FULL
    ) -> Candidate:
        """The documents a review would publish today: the report (or the summary of improvements)
        and, for the full report, the practitioner briefing."""
        report, briefing = self._views(session, review_id, variant)
        return Candidate(variant, report, briefing, self.identifiers(session, review_id))

    def _views(
        self, session: Session, review_id: int, variant: DocumentKind
    ) -> tuple[ReportData, BriefingData | None]:
        content = self.content(session, review_id)
        today = self._today()
        report = report_data(content, partnership=self.partnership, published_on=today)
        briefing = (
            briefing_data(content, partnership=self.partnership, published_on=today)
            if variant == DocumentKind.FULL
            else None
        )
        return report, briefing

    def prepared(
        self, session: Session, review_id: int, variant: DocumentKind = DocumentKind.FULL
    ) -> Prepared:
        """The review's documents rendered in every format and checked: from the cache when nothing
        they are made from has changed (the key needs neither rendering nor opening the register)."""
        report, briefing = self._views(session, review_id, variant)
        key = self._key(variant, report, briefing, register_fingerprint(session, review_id))
        prepared = self._cache.get(
            key,
            lambda: prepare(
                report,
                self.identifiers(session, review_id),
                briefing=briefing,
                variant=variant,
                formats=self._formats,
                allowed_postcodes=self._allowed_postcodes,
            ),
        )
        with self._lock:
            if variant == DocumentKind.FULL:
                self._last[review_id] = (_version(session, review_id), prepared.check.reasons())
        return prepared

    def _key(self, *inputs: object) -> str:
        everything = (*inputs, self._formats, self._allowed_postcodes)
        return hashlib.sha256(pickle.dumps(everything, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()

    # ---- the publish guard ------------------------------------------------------------------------

    def check(self, session: Session, review_id: int) -> tuple[str, ...] | None:
        """`FindingsFacts(anonymisation=...)`: the hits in words, or None when the check could not run
        (the guard then refuses; it never passes unchecked)."""
        try:
            return self.prepared(session, review_id).check.reasons()
        except Exception as error:
            log.error("The anonymisation check could not run: %s", type(error).__name__)
            self._last.pop(review_id, None)
            return None

    def known_check(self, session: Session, review_id: int) -> tuple[str, ...] | None:
        """`FindingsFacts(known_anonymisation=...)`: the last check of the full report (by the publish
        guard or on the publication page) while the review keeps the version it was checked at, else
        None. Renders nothing: what listing triggers shows. Only a hint: `publish` always checks what
        it freezes."""
        last = self._last.get(review_id)
        return last[1] if last is not None and last[0] == _version(session, review_id) else None

    # ---- workflow.ports.Publisher -----------------------------------------------------------------

    def _freeze(
        self, session: Session, review_id: int, actor_id: int, variant: DocumentKind, trigger: str
    ) -> Mapping[str, str]:
        prepared = self.prepared(session, review_id, variant)
        if not prepared.passed:
            raise TriggerRefused(trigger, [f"Anonymisation check: {r}" for r in prepared.check.reasons()])
        review = session.get(Review, review_id)
        if review is None:
            raise NotFound(f"Review {review_id} was not found.")
        published = freeze(session, review, prepared, actor_id=actor_id)
        return {"variant": published.variant, "digest": published.digest}

    def publish(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        return self._freeze(session, review_id, actor_id, DocumentKind.FULL, "publish")

    def decline(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        return self._freeze(session, review_id, actor_id, DocumentKind.SUMMARY, "decline_publication")


def register_fingerprint(session: Session, review_id: int) -> str:
    """A digest of the review's register as stored (sealed, never opened): an added, changed, removed
    or re-sealed entry changes it."""
    digest = hashlib.sha256()
    for entry_id, kind, sealed in session.execute(
        select(RegisterEntry.id, RegisterEntry.kind, RegisterEntry.sealed)
        .where(RegisterEntry.review_id == review_id)
        .order_by(RegisterEntry.id)
    ):
        digest.update(f"{entry_id}:{kind}:".encode() + hashlib.sha256(bytes(sealed)).digest())
    return digest.hexdigest()


def _version(session: Session, review_id: int) -> int | None:
    review = session.get(Review, review_id)
    return None if review is None else review.version
