"""The demo's data files (api/demo/data/) give exactly the objects the demo loader and the reference
briefing's tests consume, and a file that is wrong says which file, which key and what is wrong."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from api.demo import reference_cases, reviews
from api.demo.reader import DemoDataError
from api.demo.reference_cases import read_reference
from api.demo.reviews import DATA, read_review

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "demo-data.txt"


def _show(value: object, indent: str = "") -> str:
    """A repr with one field or item a line, so that a change to the data reads as a small diff."""
    inner = indent + "  "
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = "".join(
            f"{inner}{f.name}={_show(getattr(value, f.name), inner)},\n" for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}(\n{fields}{indent})"
    if isinstance(value, tuple | list) and value:
        opening, closing = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        return opening + "\n" + "".join(f"{inner}{_show(v, inner)},\n" for v in value) + indent + closing
    if isinstance(value, dict) and value:
        items = "".join(f"{inner}{k!r}: {_show(v, inner)},\n" for k, v in value.items())
        return "{\n" + items + indent + "}"
    return repr(value)


def _everything() -> str:
    """What the loader and the reference briefing's tests consume, as they read it."""
    parsed = {
        "reference": reference_cases.REFERENCE,
        "reviews": list(reviews.DEMO_REVIEWS),
        "referral": reviews.DEMO_REFERRAL,
    }
    return _show(parsed) + "\n"


def test_the_data_files_give_the_objects_recorded_in_the_golden_file() -> None:
    """tests/golden/demo-data.txt is what the Python literals gave before they became data files (the
    commit that added the files proved they gave equal objects);
    after a deliberate change to the data, regenerate it with TUNNELVIEW_UPDATE_GOLDEN=1 and read the diff."""
    rendered = _everything()
    if os.environ.get("TUNNELVIEW_UPDATE_GOLDEN"):
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('target = "analysis"', 'target = "analysis'),
            "benjamin.toml: not valid TOML: ",
        ),
        (
            ("awareness_days_ago = 20", 'awareness_days_ago = "twenty"'),
            "benjamin.toml: awareness_days_ago: expected a whole number, got a string",
        ),
        (
            ('decision = """', 'decided = """'),
            "benjamin.toml: decision: missing",
        ),
        (
            ('level = "frontline"', 'levle = "frontline"'),
            "benjamin.toml: episodes[0].factors[0].level: missing",
        ),
        (
            ('level = "frontline"', 'level = "frontline"\nlead = "Lena"'),
            "benjamin.toml: episodes[0].factors[0].lead: unknown key",
        ),
        (
            ('days_ago = "1 year + 100 days"', 'days_ago = "1 yeer + 100 days"'),
            "benjamin.toml: narratives.Health[1].days_ago: '1 yeer + 100 days' is not a number of days",
        ),
        (
            ('["Health", 2]]', '["Health", 3]]'),
            "benjamin.toml: episodes[0].entries[1]: Health's narrative has no entry 3 (they count from 0)",
        ),
        (
            ('target = "analysis"', 'target = "analysed"'),
            "benjamin.toml: target: 'analysed' is not one of screening, scoping,",
        ),
        (
            ('briefing = "benjamin"', 'briefing = "bejamin"'),
            "benjamin.toml: briefing: 'bejamin' is not one of the reference's cases (alice, andrew, benja",
        ),
    ],
)
def test_a_wrong_review_file_names_the_file_the_key_and_what_is_wrong(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    source = (DATA / "benjamin.toml").read_text(encoding="utf-8")
    old, new = change
    assert old in source
    path = tmp_path / "benjamin.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DemoDataError) as raised:
        read_review(path, read_reference())
    assert str(raised.value).startswith(message)


def test_a_wrong_reference_file_names_the_key_and_what_is_wrong(tmp_path: Path) -> None:
    source = (DATA / "reference.toml").read_text(encoding="utf-8")
    path = tmp_path / "reference.toml"
    path.write_text(source.replace("items = [\n    ", "items = [\n    1,\n    ", 1), encoding="utf-8")
    with pytest.raises(DemoDataError) as raised:
        read_reference(path)
    assert str(raised.value) == (
        "reference.toml: cases.benjamin.key_issues.items[0].items[0]: expected a string, got a whole number"
    )
    assert (raised.value.file, raised.value.key) == (
        "reference.toml",
        "cases.benjamin.key_issues.items[0].items[0]",
    )
