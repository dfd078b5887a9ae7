"""The commands of findings and the board: their choices are the domain's vocabularies, and an empty
choice is refused in the words a page shows."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from pydantic import ValidationError

from findings.analysis import quality
from findings.analysis.board import ActionStatus, AddAction
from findings.analysis.findings import AddEvidence, Category, EvidenceKind
from findings.analysis.models import ACTION_STATUSES
from findings.analysis.vocabulary import FINDING_CATEGORIES


def test_the_commands_choices_are_the_domains_vocabularies():
    assert set(get_args(Category)) == set(FINDING_CATEGORIES)
    assert set(get_args(EvidenceKind)) == set(quality.EVIDENCE_KINDS)
    assert set(get_args(ActionStatus)) == set(ACTION_STATUSES)


def test_an_empty_choice_of_evidence_is_refused_in_the_pages_words():
    with pytest.raises(ValidationError, match=re.escape("Choose the kind of evidence.")):
        AddEvidence.model_validate({"kind": "", "summary": "Decay and neglect.", "reference": "Harris 2009"})


def test_an_action_is_planned_unless_said_otherwise():
    assert AddAction(title="Neglect toolkit").status == "planned"
