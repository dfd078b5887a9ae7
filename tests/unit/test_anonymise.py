"""The scanner on plain text: what it catches, what it leaves alone, and what a hit says."""

from __future__ import annotations

import pytest

from findings.publication.anonymise import html_text, scan, scan_plain
from findings.publication.identifiers import (
    POSTCODE,
    UNREGISTERED_DATE_OF_BIRTH,
    Identifier,
    IdentifierKind,
    Strength,
    build_rules,
)
from findings.publication.sources import Source, SourceKind

REGISTER = (
    Identifier(1, IdentifierKind.CHILD, "Jane Smith", "Alice"),
    Identifier(2, IdentifierKind.DATE_OF_BIRTH, "2015-03-12", "her date of birth"),
    Identifier(3, IdentifierKind.ADDRESS, "14 Acacia Avenue, Billingham", "the family home"),
    Identifier(4, IdentifierKind.PARENT_CARER, "Mary O'Neill", "her mother", variants=("Molly",)),
    Identifier(5, IdentifierKind.SCHOOL, "Hill Top Primary School", "the school", variants=("Hill Top",)),
    Identifier(6, IdentifierKind.PRACTITIONER, "Dr Rupert Greenwood", "the GP"),
    Identifier(7, IdentifierKind.SIBLING, "Young", "her sister", match_parts=False),
)
RULES = build_rules(REGISTER)


def found(text: str) -> list[tuple[str, str | int | None, str]]:
    return [(m.rule.kind, m.rule.entry_id, m.matched) for m in scan(text, RULES)]


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Jane Smith went to school", "Jane Smith"),
        ("JANE SMITH", "JANE SMITH"),
        ("jane smith", "jane smith"),
        ("Jane  Smith", "Jane  Smith"),
        ("Jane\nSmith", "Jane\nSmith"),
        ("Jane-\nSmith", "Jane-\nSmith"),
        ("Jane -\n Smith", "Jane -\n Smith"),
        ("Jane\u00a0Smith", "Jane\u00a0Smith"),
        ("Jane Smith's bedroom", "Jane Smith's"),
        ("Jane Smith\u2019s bedroom", "Jane Smith\u2019s"),
        ("(Jane Smith)", "Jane Smith"),
        ("jane.smith@example.org", "jane.smith"),
    ],
)
def test_the_full_name_is_found_however_it_is_written(text: str, matched: str) -> None:
    assert found(text) == [("child", 1, matched)]


@pytest.mark.parametrize(
    "text, matched",
    [
        ("Smith's coat", "Smith's"),
        ("the Smiths' house", "Smiths'"),
        ("the Smiths came", "Smiths"),
        ("Jane was at home", "Jane"),
        ("SMITH", "SMITH"),
        ("Smi-\nth", "Smi-\nth"),  # a word broken by a hyphen at a line end (PDF text)
    ],
)
def test_a_part_of_a_person_name_is_found_alone(text: str, matched: str) -> None:
    assert found(text) == [("child", 1, matched)]


@pytest.mark.parametrize(
    "text",
    [
        "a blacksmith and a goldsmith",
        "Smithson and Janet",
        "Janeway",
        "the jane of it",  # a part alone is matched only as a capitalised word
        "a younger child",  # entry 7 is one word: a whole word only
        "a greenwood tree",
        "Billingham",  # a town alone is not an address
        "Primary School",
        "12/03/2016 and 13 March 2015",
        "Section 47 enquiries in 2015",
    ],
)
def test_no_false_hits_inside_other_words(text: str) -> None:
    assert found(text) == []


def test_a_one_word_identifier_is_still_found_as_a_whole_word() -> None:
    assert found("Young was seen") == [("sibling", 7, "Young")]
    assert found("young people") == [("sibling", 7, "young")]  # whole value: case-insensitive


def test_a_full_match_is_one_hit_not_three() -> None:
    assert found("Jane Smith and Mary O'Neill") == [
        ("child", 1, "Jane Smith"),
        ("parent_carer", 4, "Mary O'Neill"),
    ]


def test_variants_titles_and_irish_names() -> None:
    assert found("Molly said") == [("parent_carer", 4, "Molly")]
    assert found("O'Neill's view") == [("parent_carer", 4, "O'Neill's")]
    assert found("O\u2019NEILL") == [("parent_carer", 4, "O\u2019NEILL")]
    assert found("Dr Rupert Greenwood saw her") == [("practitioner", 6, "Dr Rupert Greenwood")]
    assert found("Greenwood saw her") == [("practitioner", 6, "Greenwood")]
    assert found("Dr saw her") == []  # a title alone is not a name


def test_schools_and_their_short_forms() -> None:
    assert found("at Hill Top Primary School") == [("school", 5, "Hill Top Primary School")]
    assert found("at Hill-Top") == [("school", 5, "Hill-Top")]


def test_addresses_full_and_by_line() -> None:
    assert found("lived at 14 Acacia Avenue, Billingham") == [("address", 3, "14 Acacia Avenue, Billingham")]
    assert found("lived at 14 Acacia Avenue") == [("address", 3, "14 Acacia Avenue")]
    assert found("a house in Acacia Avenue") == [("address", 3, "Acacia Avenue")]


@pytest.mark.parametrize(
    "text",
    [
        "12/03/2015",
        "12/3/2015",
        "12.03.15",
        "12-03-2015",
        "2015-03-12",
        "2015/03/12",
        "12 March 2015",
        "12th March 2015",
        "12th of March 2015",
        "12 Mar 2015",
        "March 12, 2015",
        "march 12th 2015",
        "03/12/2015",
    ],
)
def test_a_registered_date_of_birth_in_common_formats(text: str) -> None:
    assert found(f"seen on {text} at home") == [("date_of_birth", 2, text)]


def test_a_registered_date_of_birth_after_born_is_reported_as_registered() -> None:
    assert found("born on 12 March 2015") == [("date_of_birth", 2, "12 March 2015")]


@pytest.mark.parametrize(
    "text", ["born on 3 May 2016", "DOB: 03/05/2016", "d.o.b. 2016-05-03", "date of birth 3rd May 2016"]
)
def test_any_exact_date_of_birth_is_flagged(text: str) -> None:
    kinds = [kind for kind, _, _ in found(text)]
    assert kinds == [UNREGISTERED_DATE_OF_BIRTH]


def test_a_date_that_is_not_a_birth_date_is_left_alone() -> None:
    assert found("On 3 May 2016 the school called.") == []


@pytest.mark.parametrize("postcode", ["TS23 2JH", "M1 1AE", "SW1A 1AA", "B33 8TH", "cr2 6xh", "EC1A1BB"])
def test_uk_postcodes_anywhere(postcode: str) -> None:
    assert found(f"Moved to {postcode} last year") == [(POSTCODE, None, postcode)]


def test_not_postcodes() -> None:
    assert found("Section 47 enquiries, 2 cases, A1 road, 10am, Year 6") == []


def test_the_partnership_own_postcode_may_be_allowed() -> None:
    rules = build_rules(REGISTER, allowed_postcodes=["TS23 2JH"])
    assert [m.matched for m in scan("Write to TS232JH or TS23 2JJ", rules)] == ["TS23 2JJ"]


def test_a_part_that_is_also_a_pseudonym_word_is_not_matched_alone() -> None:
    rules = build_rules([Identifier(1, IdentifierKind.CHILD, "Alice Jones", "Alice")])
    assert [m.matched for m in scan("Alice was seen. Alice Jones was seen.", rules)] == ["Alice Jones"]
    assert [r.strength for r in rules if r.kind == "child"] == [Strength.FULL, Strength.PART]


def test_ligatures_from_pdf_text_are_normalised() -> None:
    rules = build_rules([Identifier(1, IdentifierKind.CHILD, "Fiona Smith", "Alice")])
    assert [m.matched for m in scan("\ufb01ona smith", rules)] == ["\ufb01ona smith"]


def test_a_hit_says_kind_entry_pseudonym_and_place_but_never_the_value() -> None:
    source = Source(SourceKind.FINDING, 17, "how_it_showed", 3)
    (hit,) = scan_plain("Then Jane Smith was brought to the clinic.", RULES, source=source)
    assert hit.matched == "Jane Smith"
    assert hit.source == source
    words = str(hit)
    assert "Jane" not in words and "Smith" not in words and "Jane" not in repr(hit)
    assert "the child's name" in words.lower()
    assert "register entry 1" in words and "'Alice'" in words
    assert "Finding 3" in words and "how it showed" in words
    assert "[the child's name] was brought" in hit.context


def test_identifiers_never_appear_in_repr() -> None:
    assert "Smith" not in repr(REGISTER[0])
    assert "Smith" not in repr(RULES[0].__class__)


def test_html_text_reads_content_titles_and_attributes_but_not_style() -> None:
    html = (
        "<html><head><title>T</title><style>p::after{content:'x'}</style></head>"
        "<body><p>One &amp; <b>two</b></p><img alt='Jane Smith'>"
        "<a href='mailto:j.smith@x.org'>mail</a></body>"
        "</html>"
    )
    text = html_text(html)
    assert "One & two" in text
    assert "Jane Smith" in text and "j.smith@x.org" in text
    assert "content" not in text
