"""`tunnelview report`, `export` and `import` end to end, as a person would run them (in process), on
the demo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support import run_cli

COORDINATOR, CHAIR = "coordinator@demo.example.org", "chair@demo.example.org"


@pytest.fixture
def cli(database_url, sessions, tmp_path):
    """The CLI in dev mode (the register's development key) against the migrated test database."""

    def run(*args: str):
        env = {"TUNNELVIEW_DATABASE_URL": database_url, "TUNNELVIEW_DEV_MODE": "1"}
        return run_cli(args, tmp_path, env)

    return run


def _reviews(cli) -> dict[str, int]:
    listed = cli("reviews", "list", "--as", COORDINATOR).stdout
    return {
        m.group(2): int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\S+\s+(\w+)", listed, re.MULTILINE)
    }


@pytest.mark.pdf
def test_report_export_and_import_on_the_demo(cli, tmp_path: Path) -> None:
    loaded = cli("demo")
    assert loaded.returncode == 0, loaded.stderr
    assert "coordinator@demo.example.org" in loaded.stdout and "tunnelview-demo" in loaded.stdout
    ids = _reviews(cli)
    assert set(ids) == {"Alice", "Andrew", "Benjamin", "Daisy"}

    briefing = cli(
        "report",
        str(ids["Alice"]),
        "--kind",
        "practitioner",
        "--format",
        "md",
        "-o",
        "alice.md",
        "--as",
        CHAIR,
    )
    assert briefing.returncode == 0, briefing.stderr
    assert (tmp_path / "alice.md").read_text().startswith("# Practitioner briefing: Alice\n")

    pdf = cli(
        "report", str(ids["Alice"]), "--kind", "full", "--format", "pdf", "-o", "alice.pdf", "--as", CHAIR
    )
    assert pdf.returncode == 0, pdf.stderr
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "alice.pdf").pages)
    assert "Management review: Alice" in text and "Brannigan" not in text

    board = cli(
        "report", "--kind", "board", "--format", "md", "-o", "board.md", "--as", "police@demo.example.org"
    )
    assert board.returncode == 0, board.stderr
    assert "### Alice" in (tmp_path / "board.md").read_text()

    andrew = cli("report", str(ids["Andrew"]), "--kind", "full", "--format", "md", "--as", CHAIR)
    assert andrew.returncode == 0 and "# Management review: Andrew" in andrew.stdout  # a draft, to stdout

    exported = cli("export", str(ids["Alice"]), "-o", "alice.json", "--as", COORDINATOR)
    assert exported.returncode == 0, exported.stderr
    document = json.loads((tmp_path / "alice.json").read_text())
    assert document["review"]["child_pseudonym"] == "Alice" and "Brannigan" not in json.dumps(document)

    imported = cli("import", "alice.json", "--as", COORDINATOR)
    assert imported.returncode == 0, imported.stderr
    assert re.match(r"Imported as review \d+ \(Alice, at 'referred'\)\.", imported.stdout)
    assert "The file had it at 'published'" in imported.stdout and "kept as provenance" in imported.stdout
    new_id = re.search(r"review (\d+)", imported.stdout).group(1)  # type: ignore[union-attr]
    verified = cli("audit", "verify", new_id)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.splitlines()[0] == "intact (1 entry)"
    assert verified.stdout.splitlines()[1].startswith(f"provenance intact: review {ids['Alice']}'s log (")

    document["episodes"][0]["valence"] = "so-so"
    (tmp_path / "broken.json").write_text(json.dumps(document))
    refused = cli("import", "broken.json", "--as", COORDINATOR)
    assert refused.returncode == 1
    assert "nothing was saved" in refused.stderr and "episodes.0.valence" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli("reviews", "list", "--as", COORDINATOR).stdout.strip().endswith("5 review(s).")  # one import

    for args, message in (
        (("report", "1", "--kind", "weekly"), "--kind must be"),
        (("report", "--kind", "full", "--as", CHAIR), "give one review id"),
        (("import", "missing.json", "--as", COORDINATOR), "Cannot read missing.json"),
        (("export", str(ids["Alice"]), "--as", CHAIR), "Only the review coordinator may export"),
    ):
        result = cli(*args)
        assert result.returncode == 1 and message in result.stderr, (args, result.stderr)


@pytest.mark.pdf  # loading the demo publishes Alice
def test_word_documents_and_the_yearly_report_from_the_command_line(cli, tmp_path: Path) -> None:
    from findings.publication.docx import docx_text

    assert cli("demo").returncode == 0
    ids = _reviews(cli)
    word = cli(
        "report", str(ids["Alice"]), "--kind", "full", "--format", "docx", "-o", "alice.docx", "--as", CHAIR
    )
    assert word.returncode == 0, word.stderr
    assert "The multi-agency narrative" in docx_text((tmp_path / "alice.docx").read_bytes())

    year = cli(
        "yearly-report", "--start", "2020-01-01", "--end", "2021-12-31", "--format", "docx", "-o", "y.docx",
        "--as", COORDINATOR,
    )  # fmt: skip
    assert year.returncode == 0, year.stderr
    words = docx_text((tmp_path / "y.docx").read_bytes())
    assert "the safeguarding partners' yearly report" in words and "The year in numbers" in words
    backwards = cli("yearly-report", "--start", "2026-04-01", "--end", "2026-01-01", "--as", COORDINATOR)
    assert backwards.returncode == 1 and "The last day must be the same as the first day" in backwards.stderr
    unreadable = cli("yearly-report", "--start", "April", "--as", COORDINATOR)
    assert unreadable.returncode == 1 and "YYYY-MM-DD" in unreadable.stderr
    practitioner = cli("yearly-report", "--as", "practitioner@demo.example.org")
    assert practitioner.returncode == 1 and "Only a review coordinator or chair" in practitioner.stderr
