"""`tunnelview lens`: the systems lens for any text at the command line. Each warning on its own line,
or `no warnings`, and exit code 0 either way; with `--review`, a person named too, for a member only."""

from __future__ import annotations

import pytest

from tests.support import Journey, People, run_cli
from workflow.models import User
from workflow.states import State


def _lens(tmp_path, *args: str, url: str | None = None, stdin: str | None = None):
    return run_cli(["lens", *args], tmp_path, {"TUNNELVIEW_DATABASE_URL": url} if url else {}, stdin)


@pytest.mark.parametrize(
    ("kind", "text", "lines"),
    [
        (
            "statement",
            "The social worker should have realised.",
            ["advisory: The statement, text: uses blame"],
        ),
        (
            "question",
            "Will the board remind staff and ensure they follow the procedures? It was obvious.",
            [
                "advisory: The question for the board, text: uses blame",
                "advisory: The question for the board, text: asks",
            ],
        ),
        ("narrative", "Staff felt they should have more time for supervision.", ["no warnings"]),
        ("statement", "There was repeated failure to bring her to treatment.", ["no warnings"]),
    ],
)
def test_each_warning_is_printed_on_its_own_line_and_the_exit_code_is_0(tmp_path, kind, text, lines):
    ran = _lens(tmp_path, "--kind", kind, text)
    assert ran.returncode == 0, ran.stderr
    printed = ran.stdout.splitlines()
    assert len(printed) == len(lines)
    for line, start in zip(printed, lines, strict=True):
        assert line.startswith(start), printed
    assert not (tmp_path / "tunnelview.db").exists()  # no review: no database needed


def test_the_text_can_come_from_stdin(tmp_path):
    ran = _lens(tmp_path, "--kind", "statement", "-", stdin="Professionals missed the signs of neglect.\n")
    assert ran.returncode == 0 and "'missed the signs'" in ran.stdout


def test_a_bad_kind_or_an_empty_text_is_one_clear_error(tmp_path):
    assert _lens(tmp_path, "--kind", "finding", "x").returncode == 2
    empty = _lens(tmp_path, "--kind", "statement", "  ")
    assert empty.returncode == 1 and "Give the text to check." in empty.stderr
    assert "Traceback" not in empty.stderr


def test_on_a_review_a_member_hears_of_a_person_named(
    tmp_path, database_url, service, people: People, sessions
):
    journey = Journey(service, people).to(State.ANALYSIS)
    with sessions() as session:
        lead = session.get(User, journey.cast.lead)
        name, email = lead.name, lead.email
        outsider = session.get(User, journey.cast.outsider).email
    text = f"{name} should have realised."
    ran = _lens(
        tmp_path,
        "--kind",
        "statement",
        text,
        "--review",
        str(journey.review_id),
        "--as",
        email,
        url=database_url,
    )
    assert ran.returncode == 0, ran.stderr
    named, blame = ran.stdout.splitlines()
    assert named.startswith("blocking: The statement, text: names a person") and name in named
    assert blame.startswith("advisory: The statement, text: uses blame")
    assert "sealed identity register" in ran.stderr  # no register key here: said, and members still checked

    stranger = _lens(
        tmp_path,
        "--kind",
        "statement",
        text,
        "--review",
        str(journey.review_id),
        "--as",
        outsider,
        url=database_url,
    )
    assert stranger.returncode == 1 and name not in stranger.stdout + stranger.stderr
    unsaid = _lens(
        tmp_path, "--kind", "statement", text, "--review", str(journey.review_id), url=database_url
    )
    assert unsaid.returncode == 1 and "--as EMAIL" in unsaid.stderr
