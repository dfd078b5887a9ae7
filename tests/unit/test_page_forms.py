"""A page's form becomes the same command the API takes, with every problem at once."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from api.pages.common import Form
from api.pages.forms import command, submit
from findings.analysis.good_practice import AddGoodPractice
from workflow.commands import AnyDate, Command, Id, Text, Title, required


class Sample(Command):
    title: Annotated[Title, required("Give it a title.")]
    held_on: AnyDate
    notes: Text = ""
    episode_ids: list[Id] = Field(default_factory=list)
    episode_id: Id | None = None
    significant: bool = False


def _form(**values: str | list[str]) -> Form:
    return Form.of(values)


def test_a_form_becomes_the_command() -> None:
    form = _form(
        title=" Home visits ",
        **{"held_on-day": "3", "held_on-month": "4", "held_on-year": "2026"},
        episode_ids=["2", "5"],
        episode_id="",
        significant="yes",
    )
    made = command(form, Sample)
    assert form.ok
    assert made == Sample(
        title="Home visits", held_on=date(2026, 4, 3), episode_ids=[2, 5], episode_id=None, significant=True
    )


def test_every_problem_is_reported_at_once_under_its_field() -> None:
    form = _form(
        title="  ", **{"held_on-day": "31", "held_on-month": "2", "held_on-year": "2026"}, episode_ids=["x"]
    )
    assert command(form, Sample) is None
    assert form.errors["title"] == "Give it a title."
    assert form.errors["held_on"] == "Enter a real date, for example 27 3 2026."
    assert form.errors["episode_ids"] == "Choose from the list."


def test_a_missing_required_date_is_reported() -> None:
    form = _form(title="Visits")
    assert command(form, Sample) is None
    assert form.errors == {"held_on": "Field required"}


def test_given_values_are_taken_as_they_are() -> None:
    form = _form(what_went_well="Quick follow-up.")
    made = command(form, AddGoodPractice, episode_id=7)
    assert made is not None and made.episode_id == 7 and made.what_went_well == "Quick follow-up."


def test_the_page_message_comes_from_the_command() -> None:
    form = _form(what_went_well="")
    assert command(form, AddGoodPractice) is None
    assert form.errors == {"what_went_well": "Say what went well."}


def test_submit_makes_no_change_when_the_form_has_a_problem() -> None:
    calls: list[AddGoodPractice] = []
    form = _form(what_went_well="")
    assert submit(form, AddGoodPractice, calls.append) == (None, 422)
    assert calls == [] and form.errors == {"what_went_well": "Say what went well."}


def test_submit_makes_the_change_with_the_command() -> None:
    form = _form(what_went_well="Quick follow-up.")
    result, status = submit(form, AddGoodPractice, lambda made: made.what_went_well, episode_id=3)
    assert (result, status) == ("Quick follow-up.", 0)
