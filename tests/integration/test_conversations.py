"""The conversation service: a practitioner sees and comments on their own conversation only; the
lead reviewer records and changes them."""

from __future__ import annotations

import pytest

from findings.analysis.conversations import AddComment, AddConversation, ChangeConversation
from tests.findings_support import Analysis, real_services
from workflow.errors import InvalidInput, NotFound, NotPermitted


@pytest.fixture
def analysing(sessions, clock, people) -> Analysis:
    reviews = real_services(sessions, clock)
    return Analysis(reviews, people).gathering().narratives().begin_analysis()


def test_a_practitioner_sees_and_comments_on_their_own_conversation_only(analysing, people):
    f, review_id, cast = analysing.conversation_service, analysing.review_id, analysing.cast
    other = people.user("member", "Oliver Other")
    analysing.journey.add_member(people.email(other), "case_group", "Police")
    mine = f.add(
        review_id=review_id,
        actor=cast.lead,
        command=AddConversation(
            practitioner_id=cast.practitioner,
            overview="Visited twice.",
            mindset="Worried about the school attendance.",
        ),
    )
    theirs = f.add(
        review_id=review_id,
        actor=cast.lead,
        command=AddConversation(practitioner_id=other, overview="Call."),
    )

    assert [c.id for c in f.list(review_id=review_id, actor=cast.practitioner).items] == [mine.id]
    assert [c.id for c in f.list(review_id=review_id, actor=cast.panel["Police"]).items] == [
        mine.id,
        theirs.id,
    ]
    with pytest.raises(NotFound):
        f.get(review_id=review_id, actor=cast.practitioner, conversation_id=theirs.id)
    comment = f.comment(
        review_id=review_id,
        actor=cast.practitioner,
        conversation_id=mine.id,
        command=AddComment(text="I also phoned the school."),
    )
    assert comment.author_id == cast.practitioner
    with pytest.raises(NotFound):
        f.comment(
            review_id=review_id,
            actor=cast.practitioner,
            conversation_id=theirs.id,
            command=AddComment(text="x"),
        )
    with pytest.raises(NotPermitted):
        f.add(
            review_id=review_id,
            actor=cast.coordinator,
            command=AddConversation(practitioner_id=cast.practitioner),
        )
    with pytest.raises(InvalidInput):
        f.add(
            review_id=review_id,
            actor=cast.lead,
            command=AddConversation(practitioner_id=cast.panel["Police"]),
        )


def test_the_list_is_a_page_counted_in_full(analysing):
    f, review_id, cast = analysing.conversation_service, analysing.review_id, analysing.cast
    made = [
        f.add(
            review_id=review_id,
            actor=cast.lead,
            command=AddConversation(practitioner_id=cast.practitioner, overview=f"Visit {n}."),
        ).id
        for n in range(3)
    ]
    page = f.list(review_id=review_id, actor=cast.lead, limit=2, offset=1)
    assert ([c.id for c in page.items], page.total) == (made[1:], 3)


def test_a_change_touches_only_the_headings_sent(analysing):
    f, review_id, lead = analysing.conversation_service, analysing.review_id, analysing.cast.lead
    made = f.add(
        review_id=review_id,
        actor=lead,
        command=AddConversation(
            practitioner_id=analysing.cast.practitioner, overview="Visited twice.", queries="Who knew?"
        ),
    )
    changed = f.update(
        review_id=review_id,
        actor=lead,
        conversation_id=made.id,
        expected_version=made.version,
        command=ChangeConversation(overview="Visited three times.", queries=None),
    )
    assert (changed.overview, changed.queries, changed.version) == (
        "Visited three times.",
        "Who knew?",
        made.version + 1,
    )
