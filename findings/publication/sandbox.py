"""The Jinja2 sandbox the pages and the reports render in: `SandboxedEnvironment`, with its verdict on
each attribute kept.

The sandbox asks, at every attribute a template reads, whether the attribute is safe: not private
(`_...`) and not one of the internals of functions, methods, classes, frames, code, tracebacks,
generators and coroutines (`jinja2.sandbox.is_internal_attribute`). That verdict depends on the
object's type and the attribute's name only, so it is computed once per pair and looked up after,
the same answers at a fraction of the cost (it was a third of a page's rendering). Everything else
of the sandbox (unsafe callables, `str.format`, the operators) is unchanged.
"""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEnvironment


class Sandbox(SandboxedEnvironment):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict
