"""Publishing a review: the anonymisation check of exactly what it would publish, wired into the
`publish` guard, and the `workflow.ports.Publisher` that freezes the checked documents inside the
trigger's transaction.

One `Publishing` serves both, so a publish renders and checks once: the guard's check
(`FindingsFacts(anonymisation=publishing.check)`) prepares the documents, and `publish` freezes that
same `Prepared`. Prepared documents are kept in a small cache keyed by a digest of everything they are
rendered and checked from (the view models, the sealed identifiers, the formats): equal inputs render
equal documents, so a cached `Prepared` is exactly what the current review would publish, and any edit
(or register change) makes a new key. Listing the triggers of an approved review therefore does not
render its PDF again and again.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session

from findings.errors import RegisterUnreadable
from findings.publication.anonymise import PERSON_KINDS, Identifier
from findings.publication.assemble import ReviewContent, briefing_data, load, report_data
from findings.publication.freeze import ALL_FORMATS, Prepared, freeze, prepare
from findings.publication.register import sealed_identifiers
from findings.publication.render import DocumentKind, Format
from findings.publication.view_model import BriefingData, ReportData
from workflow.errors import NotFound, TriggerRefused
from workflow.models import Review

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
        self._cache: OrderedDict[str, Prepared] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

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
        content = self.content(session, review_id)
        today = self._today()
        report = report_data(content, partnership=self.partnership, published_on=today)
        briefing = (
            briefing_data(content, partnership=self.partnership, published_on=today)
            if variant == DocumentKind.FULL
            else None
        )
        return Candidate(variant, report, briefing, self.identifiers(session, review_id))

    def prepared(
        self, session: Session, review_id: int, variant: DocumentKind = DocumentKind.FULL
    ) -> Prepared:
        """The review's documents rendered in every format and checked: from the cache when nothing
        they are made from has changed."""
        candidate = self.candidate(session, review_id, variant)
        key = self._key(candidate)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        prepared = prepare(
            candidate.report,
            candidate.identifiers,
            briefing=candidate.briefing,
            variant=variant,
            formats=self._formats,
            allowed_postcodes=self._allowed_postcodes,
        )
        with self._lock:
            self._cache[key] = prepared
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return prepared

    def _key(self, candidate: Candidate) -> str:
        inputs = (candidate, self._formats, self._allowed_postcodes)
        return hashlib.sha256(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()

    # ---- the publish guard ------------------------------------------------------------------------

    def check(self, session: Session, review_id: int) -> tuple[str, ...] | None:
        """`FindingsFacts(anonymisation=...)`: the hits in words, or None when the check could not run
        (the guard then refuses; it never passes unchecked)."""
        try:
            return self.prepared(session, review_id).check.reasons()
        except Exception as error:
            log.error("The anonymisation check could not run: %s", type(error).__name__)
            return None

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
