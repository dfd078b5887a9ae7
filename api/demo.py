"""Demo data: people for every role and reviews at several stages. Loading is idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from api.passwords import hash_password
from api.wiring import Services
from workflow import people
from workflow.models import Review
from workflow.service import ReviewService

DEMO_PASSWORD = "tunnelview-demo"

# (email, name, global role, what they do in the demo reviews)
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("admin@demo.example.org", "Ada Admin", "admin", "admin (user accounts only)"),
    ("coordinator@demo.example.org", "Cara Coordinator", "coordinator", "review coordinator"),
    ("chair@demo.example.org", "Charles Chair", "chair", "chair"),
    ("lead1@demo.example.org", "Lena Lead", "member", "lead reviewer"),
    ("lead2@demo.example.org", "Leo Lead", "member", "lead reviewer"),
    ("police@demo.example.org", "Pat Police", "member", "panel member, Police"),
    ("health@demo.example.org", "Hari Health", "member", "panel member, Health"),
    ("social@demo.example.org", "Sam Social", "member", "panel member, Children's social care"),
    ("education@demo.example.org", "Eve Education", "member", "panel member, Education"),
    ("practitioner@demo.example.org", "Polly Practitioner", "member", "case group practitioner"),
)


def _ensure_users(services: Services) -> dict[str, int]:
    ids: dict[str, int] = {}
    with services.sessions() as session:
        for email, name, role, _ in DEMO_USERS:
            user = people.find_by_email(session, email)
            if user is None:
                user = people.create_user(
                    session, email=email, name=name, role=role, password_hash=hash_password(DEMO_PASSWORD)
                )
            ids[email] = user.id
        session.commit()
    return ids


def _exists(services: Services, pseudonym: str) -> bool:
    with services.sessions() as session:
        return session.query(Review).filter(Review.child_pseudonym == pseudonym).first() is not None


def _fresh_referral(reviews: ReviewService, ids: dict[str, int]) -> None:
    coordinator = ids["coordinator@demo.example.org"]
    review = reviews.create_review(
        coordinator,
        child_pseudonym="Daisy",
        incident_outcome="serious_harm",
        abuse_or_neglect="suspected",
        date_of_awareness=date.today() - timedelta(days=3),
        incident_summary="Daisy, aged 14 months, was admitted to hospital with a fractured femur "
        "that her parents could not explain.",
        agencies_involved=["Police", "Health", "Children's social care"],
    )
    reviews.add_member(review.id, coordinator, review.version, email="chair@demo.example.org", role="chair")


def load_demo(services: Services) -> list[tuple[str, str]]:
    """Load the demo (skipping what is already there) and return the logins to print."""
    ids = _ensure_users(services)
    if not _exists(services, "Daisy"):
        _fresh_referral(services.reviews, ids)
    return [(email, description) for email, _, _, description in DEMO_USERS]
