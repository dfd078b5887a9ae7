"""The commands of episodes, factors and panel analyses: what they refuse, in the words a page shows,
every field at once."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from findings.analysis import frameworks
from findings.analysis.episodes import AddEpisode, ChangeEpisode, Valence
from findings.analysis.factors import AddFactor, FrameworkKey
from findings.analysis.models import VALENCES
from findings.analysis.panel import SavePanelAnalysis, WaivePanelAnalysis
from workflow.commands import field_errors


def _errors(kind: type, data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        kind.model_validate(data)
    return field_errors(refused.value)


def test_the_commands_know_every_framework_and_valence():
    assert get_args(FrameworkKey) == tuple(frameworks.FRAMEWORKS)
    assert get_args(get_args(Valence)[0]) == VALENCES


def test_an_episode_without_a_title_or_valence_is_refused_with_both_reasons():
    assert _errors(AddEpisode, {"title": "  ", "valence": ""}) == {
        "title": "Give the episode a short title.",
        "valence": "Say whether it was good, problematic or mixed practice.",
    }
    assert _errors(ChangeEpisode, {"valence": "bad", "entry_ids": [0]}).keys() == {"valence", "entry_ids"}


def test_a_change_lists_only_what_was_sent():
    assert ChangeEpisode.model_validate({"appraisal": " Seen. "}).sent() == {"appraisal": "Seen."}


def test_a_factor_needs_a_description_and_a_known_framework():
    errors = _errors(
        AddFactor, {"framework": "other", "level": "frontline", "category": "role", "description": ""}
    )
    assert errors.keys() == {"framework", "description"}
    assert (
        errors["description"] == "Describe the factor: what condition made the practice more or less likely?"
    )
    assert AddFactor(level="frontline", category="role", description="x").framework == "learning_together"


def test_a_panel_analysis_refuses_unknown_fields_and_a_waiver_needs_its_reason():
    assert "proposals" in _errors(SavePanelAnalysis, {"proposals": []})
    assert _errors(WaivePanelAnalysis, {"membership_id": 1, "reason": " "}) == {
        "reason": "Give the reason for waiving their analysis."
    }
