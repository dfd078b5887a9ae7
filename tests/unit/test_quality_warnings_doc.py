"""docs/quality-warnings.md: every example sentence that should trigger its check does, and every
rewrite and every "not a warning" does not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from findings.analysis.quality import Code, Where, blame_language, person_named, training_reminder

DOC = Path(__file__).resolve().parents[2] / "docs" / "quality-warnings.md"
NAMES = ("Lena Lead", "Polly Practitioner")
WHERE = Where("finding", 1, "Finding 1 'x'", "statement")
CHECKS = {
    Code.PERSON_NAMED: lambda text: person_named(text, NAMES, WHERE),
    Code.BLAME_LANGUAGE: lambda text: blame_language(text, WHERE),
    Code.TRAINING_REMINDER: lambda text: training_reminder(text, WHERE),
}


def _examples() -> list[tuple[Code, str, str]]:
    examples = []
    code = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## `(\w+)`", line)
        if heading:
            code = Code(heading.group(1))
        example = re.match(r"- (Triggers|Rewrite|Not a warning): (.+)$", line)
        if example and code in CHECKS:
            examples.append((code, example.group(1), example.group(2)))
    return examples


def test_the_doc_has_examples_of_each_kind():
    kinds = {(code, kind) for code, kind, _ in _examples()}
    assert (Code.BLAME_LANGUAGE, "Not a warning") in kinds
    assert {code for code, _ in kinds} == set(CHECKS)


def test_the_doc_documents_every_check():
    text = DOC.read_text(encoding="utf-8")
    for code in Code:
        assert f"## `{code.value}`" in text


@pytest.mark.parametrize(("code", "kind", "sentence"), _examples())
def test_each_documented_example_behaves_as_documented(code, kind, sentence):
    warnings = CHECKS[code](sentence)
    assert bool(warnings) == (kind == "Triggers"), (kind, sentence, warnings)
