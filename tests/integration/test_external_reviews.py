"""Reviews published elsewhere: the catalogue's CSV read row by row with every problem at once and
nothing saved on any, the same file imported twice changing nothing, who keeps and who reads it, its
reviews found in the learning repository (and gone from it when removed), and the command line."""

from __future__ import annotations

import pytest

from findings.analysis.chronology import CsvImportError
from findings.analysis.vocabulary import BUILT_IN_THEMES
from findings.learning.catalogue import CatalogueService, parse_catalogue
from findings.learning.repository import LearningRepository, SearchFilters
from tests.integration.test_cli import run
from tests.support import People
from workflow.errors import NotPermitted
from workflow.models import User

HEADER = "title,partnership,year,themes,learning_summary,link\n"
GOOD = (
    HEADER
    + '"Child Q: missed dental appointments",Eastshire Safeguarding Children Partnership,2022,'
    + '"Neglect; was_not_brought","Dental non-attendance was not linked to neglect by any agency.",'
    + "https://example.org/reviews/child-q\n"
    + '"Baby R",Westshire Partnership,2023,Infants under one / pre-birth assessment,'
    + '"Pre-birth assessments started again with each referral.",https://example.org/reviews/baby-r\n'
)


@pytest.fixture
def catalogue(service) -> CatalogueService:
    return CatalogueService(service)


@pytest.fixture
def staff(people: People) -> dict[str, int]:
    return {role: people.user(role, f"A {role}") for role in ("coordinator", "chair", "member", "admin")}


def test_a_catalogue_is_read_with_themes_by_key_or_name():
    rows = parse_catalogue(GOOD, BUILT_IN_THEMES)
    assert [(r.line, r.year, r.themes) for r in rows] == [
        (2, 2022, ("neglect", "was_not_brought")),
        (3, 2023, ("infants_pre_birth",)),
    ]


def test_every_problem_of_every_row_is_reported_at_once():
    bad = (
        HEADER
        + ",Eastshire,22,Neglect; Bananas,,ftp://example.org/x\n"
        + "Fine,Westshire,2023,,Something learnt.,https://example.org/a\n"
        + "Again,Westshire,2023,,Something learnt.,https://example.org/a\n"
        + "Short row,Westshire\n"
    )
    with pytest.raises(CsvImportError) as refused:
        parse_catalogue(bad, BUILT_IN_THEMES)
    assert refused.value.errors == {
        "line 2, title": "This cannot be empty.",
        "line 2, learning_summary": "This cannot be empty.",
        "line 2, year": "Give the year it was published, four digits (e.g. 2023).",
        "line 2, link": "Give the address where it is published, starting https://.",
        "line 2, themes": "Unknown theme(s): Bananas. Add them to the vocabulary first.",
        "line 4, link": "The same link as line 3.",
        "line 5": "The row has 2 cells; the header has 6.",
    }


def test_a_header_that_is_wrong_says_so():
    with pytest.raises(CsvImportError) as refused:
        parse_catalogue("title,partnership,colour\nA,B,C\n", BUILT_IN_THEMES)
    assert set(refused.value.errors) == {
        "line 1, colour",
        "line 1, year",
        "line 1, learning_summary",
        "line 1, link",
    }
    with pytest.raises(CsvImportError):
        parse_catalogue(HEADER, BUILT_IN_THEMES)


def test_a_file_with_any_problem_saves_nothing(catalogue, staff):
    with pytest.raises(CsvImportError):
        catalogue.import_csv(
            actor=staff["coordinator"], data=(GOOD + "Bad,X,year,,y,https://e.org/z\n").encode()
        )
    assert catalogue.list(actor=staff["member"]).total == 0
    with pytest.raises(CsvImportError) as refused:
        catalogue.import_csv(actor=staff["coordinator"], data=b"title\xff,partnership\n")
    assert "not UTF-8" in str(refused.value.errors)


def test_the_same_catalogue_imported_again_changes_nothing_and_a_changed_row_updates(catalogue, staff):
    assert catalogue.import_csv(actor=staff["coordinator"], data=GOOD.encode()).added == 2
    again = catalogue.import_csv(actor=staff["chair"], data=GOOD.encode())
    assert (again.added, again.updated) == (0, 0)
    changed = catalogue.import_csv(actor=staff["chair"], data=GOOD.replace("2023", "2024").encode())
    assert (changed.added, changed.updated) == (0, 1)
    found = catalogue.list(actor=staff["member"])
    assert found.total == 2 and found.items[0].year == 2024 and found.items[0].imported_by == staff["chair"]


def test_only_coordinators_and_chairs_keep_it_and_admins_do_not_read_it(catalogue, staff):
    for role in ("member", "admin"):
        with pytest.raises(NotPermitted):
            catalogue.import_csv(actor=staff[role], data=GOOD.encode())
    catalogue.import_csv(actor=staff["coordinator"], data=GOOD.encode())
    assert catalogue.list(actor=staff["admin"]).total == 0
    review = catalogue.list(actor=staff["member"]).items[0]
    with pytest.raises(NotPermitted):
        catalogue.remove(actor=staff["member"], external_id=review.id)


def test_its_reviews_are_found_in_the_repository_and_gone_when_removed(catalogue, staff, service):
    catalogue.import_csv(actor=staff["coordinator"], data=GOOD.encode())
    repository = LearningRepository(service)
    found = repository.search(actor=staff["member"], filters=SearchFilters(q="dental neglect"))
    (hit,) = found.items
    assert (hit.kind, hit.review_label, hit.href) == (
        "external",
        "Eastshire Safeguarding Children Partnership",
        "https://example.org/reviews/child-q",
    )
    assert (
        repository.search(actor=staff["member"], filters=SearchFilters(theme="infants_pre_birth")).total == 1
    )
    assert (
        repository.search(actor=staff["member"], filters=SearchFilters(year=2022, kind="external")).total == 1
    )
    assert repository.search(actor=staff["admin"], filters=SearchFilters(q="dental")).total == 0
    catalogue.remove(actor=staff["coordinator"], external_id=_id(catalogue, staff))
    assert repository.search(actor=staff["member"], filters=SearchFilters(q="dental")).total == 0


def _id(catalogue: CatalogueService, staff: dict[str, int]) -> int:
    return next(r.id for r in catalogue.list(actor=staff["member"]).items if "Child Q" in r.title)


def test_the_command_line_imports_a_catalogue_or_lists_every_problem(
    database_url, sessions, tmp_path, people
):
    with sessions() as session:
        email = session.get(User, people.user("coordinator", "Cora Ordinator")).email
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,B,20,,x,https://e.org/1\n")
    refused = run(["repository", "import-external", str(bad), "--as", email], tmp_path, database_url)
    assert refused.returncode == 1
    assert "nothing was saved" in refused.stderr and "line 2, year" in refused.stderr
    good = tmp_path / "catalogue.csv"
    good.write_text(GOOD)
    done = run(["repository", "import-external", str(good), "--as", email], tmp_path, database_url)
    assert done.returncode == 0, done.stderr
    assert "Imported 2 new review(s) published elsewhere; 0 updated." in done.stdout
    rebuilt = run(["repository", "reindex"], tmp_path, database_url)
    assert rebuilt.returncode == 0 and "The repository holds 2 entries." in rebuilt.stdout
