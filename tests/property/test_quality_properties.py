"""Properties of the systems lens's wording checks: a judgement in the review's own voice warns,
the same words reported as someone's speech or quoted do not, a person named is found either way,
and on any text the checks never fail and only report words that stand in it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from findings.analysis.quality import Where, blame_language, lens, person_named
from tests.support import examples

HERE = Where("finding", 1, "Finding 1 'x'", "statement")

subjects = st.sampled_from(
    ["The social worker", "The health visitor", "The GP", "The duty team", "Police officers", "The school"]
)
judgements = st.sampled_from(
    [
        "should have realised the risk",
        "failed to refer to children's social care",
        "missed the signs of neglect",
        "was negligent in its record keeping",
        "should not have closed the case",
        "could have prevented the injury",
        "was to blame for the delay",
    ]
)
speakers = st.sampled_from(
    ["Staff", "The mother", "The health visitor", "Practitioners", "The case group", "The school nurse"]
)
verbs = st.sampled_from(["felt", "said", "told the review", "explained", "reflected", "believed", "recalled"])
openers = st.sampled_from(
    ["", "The family moved in March. ", "Attendance fell to 71%; ", "Three visits were planned.\n"]
)


@settings(max_examples=examples(150), deadline=None)
@given(opener=openers, subject=subjects, judgement=judgements, speaker=speakers, verb=verbs)
def test_a_judgement_warns_in_the_reviews_voice_and_not_when_reported(
    opener: str, subject: str, judgement: str, speaker: str, verb: str
) -> None:
    said = f"{subject} {judgement}."
    assert blame_language(opener + said, HERE), said
    reported = f"{opener}{speaker} {verb} that {subject.lower()} {judgement}."
    assert blame_language(reported, HERE) == [], reported
    quoted = f'{opener}"{said}" {speaker.lower()} {verb}.'
    assert blame_language(quoted, HERE) == [], quoted


@settings(max_examples=examples(100), deadline=None)
@given(opener=openers, judgement=judgements)
def test_the_reviews_own_hedges_are_not_reported_speech(opener: str, judgement: str) -> None:
    for frame in ("It was felt that", "The panel considered that", "We thought that", "The review felt"):
        text = f"{opener}{frame} the social worker {judgement}."
        assert blame_language(text, HERE), text


@settings(max_examples=examples(100), deadline=None)
@given(speaker=speakers, verb=verbs, judgement=judgements)
def test_a_person_named_is_found_in_reported_speech_too(speaker: str, verb: str, judgement: str) -> None:
    text = f'{speaker} {verb} that "Lena Lead {judgement}."'
    [warning] = person_named(text, ["Lena Lead"], HERE)
    assert warning.matched == ("Lena Lead",)


@settings(max_examples=examples(300), deadline=None)
@given(text=st.text(max_size=400), kind=st.sampled_from(["statement", "question", "narrative"]))
def test_on_any_text_the_lens_never_fails_and_reports_only_words_in_it(text: str, kind: str) -> None:
    flat = " ".join(text.split()).lower()
    for warning in lens(kind, text, ["Lena Lead"]):
        for words in warning.matched:
            assert words.lower() in flat, (words, text)
