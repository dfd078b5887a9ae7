"""The pages', the reports' and the emails' Jinja2 environments are sandboxed and strict: a template
cannot climb from a value to Python's internals, a missing name is an error, and HTML is escaped."""

from __future__ import annotations

import pytest
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from api.pages.templating import environment as page_environment
from findings.publication.render import Format
from findings.publication.render import environment as report_environment
from findings.publication.sandbox import Sandbox
from workflow.notifications.letters import environment as email_environment

ENVIRONMENTS = {
    "pages": page_environment(),
    "html reports": report_environment(Format.HTML),
    "markdown reports": report_environment(Format.MARKDOWN),
    "html emails": email_environment(html=True),
    "text emails": email_environment(html=False),
}
ESCAPES = ("__class__", "__globals__", "__subclasses__", "__init__", "__builtins__", "mro")


@pytest.mark.parametrize("env", ENVIRONMENTS.values(), ids=ENVIRONMENTS.keys())
def test_every_environment_is_a_sandbox(env):
    assert isinstance(env, SandboxedEnvironment)


@pytest.mark.parametrize("env", ENVIRONMENTS.values(), ids=ENVIRONMENTS.keys())
@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ value.__class__ }}",
        "{{ value.__init__.__globals__ }}",
        "{{ (value|attr('__class__')).__name__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_a_template_that_reaches_for_python_internals_is_refused(env, source):
    with pytest.raises((SecurityError, UndefinedError)) as refused:
        env.from_string(source).render(value="Alice", cycler=object())
    assert any(word in str(refused.value) for word in ESCAPES)


@pytest.mark.parametrize("env", ENVIRONMENTS.values(), ids=ENVIRONMENTS.keys())
def test_a_missing_name_is_an_error_not_an_empty_string(env):
    with pytest.raises(UndefinedError):
        env.from_string("{{ no_such_name }}").render()


@pytest.mark.parametrize(
    "env",
    [ENVIRONMENTS["pages"], ENVIRONMENTS["html reports"], ENVIRONMENTS["html emails"]],
    ids=["pages", "html reports", "html emails"],
)
def test_html_is_escaped(env):
    assert (
        env.from_string("{{ value }}").render(value="<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    )


def _generator():  # type: ignore[no-untyped-def]
    yield 1


class _Finding:
    title = "A pattern"

    def method(self) -> str:
        return ""


CASES = [
    (obj, attr)
    for obj in ("Alice", _Finding(), _Finding, _Finding().method, _generator, _generator(), str, {"a": 1})
    for attr in ("title", "upper", "mro", "__class__", "__globals__", "__func__", "gi_frame", "_private", "a")
]


def test_the_kept_verdicts_are_the_sandboxs_own_first_time_and_after():
    kept, plain = Sandbox(), SandboxedEnvironment()
    for _ in range(2):  # the second time every verdict comes from what was kept
        for obj, attr in CASES:
            assert kept.is_safe_attribute(obj, attr, None) == plain.is_safe_attribute(obj, attr, None), (
                obj,
                attr,
            )


def test_a_safe_read_of_a_type_does_not_open_its_internals():
    env = Sandbox(undefined=StrictUndefined)
    assert env.from_string("{{ value.upper() }}").render(value="alice") == "ALICE"
    with pytest.raises(SecurityError):
        env.from_string("{{ value.__class__ }}").render(value="alice")
