"""Reading the demo's TOML data files with types: every value is checked as it is read, and a problem
names the file, the key (`episodes[2].factors[0].level`) and what is wrong. A key nobody reads is a
problem too, so a misspelt key cannot be silently ignored."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

YEAR = 365
_TERM = re.compile(r"\s*([+-]?)\s*(?:(\d+)\s+(years?|days?)|([a-z_]+))\s*")


class DemoDataError(ValueError):
    """A demo data file that cannot be read: which file, which key, what is wrong."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file, self.key, self.problem = file, key, problem


_NAMES = {str: "a string", bool: "true or false", int: "a whole number", list: "a list", dict: "a table"}


def _name(kind: type) -> str:
    return _NAMES.get(kind, kind.__name__)


def _kind(value: object) -> str:
    return _name(type(value))


@dataclass
class Table:
    """One TOML table of a file, with the path of keys that leads to it."""

    file: str
    path: str
    values: Mapping[str, object]
    days: Mapping[str, int] = field(default_factory=dict)
    _read: set[str] = field(default_factory=set)

    # ---- where and what went wrong --------------------------------------------------------------

    def where(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str | int, problem: str) -> DemoDataError:
        return DemoDataError(self.file, self.where(key), problem)

    def _get(self, key: str, kind: type[T], default: T | None) -> T:
        self._read.add(key)
        if key not in self.values:
            if default is None:
                raise self.error(key, "missing")
            return default
        value = self.values[key]
        if isinstance(value, kind) and isinstance(value, bool) == (kind is bool):  # True is not a number
            return value
        raise self.error(key, f"expected {_name(kind)}, got {_kind(value)}")

    # ---- values ---------------------------------------------------------------------------------

    def text(self, key: str, default: str | None = None) -> str:
        return self._get(key, str, default)

    def flag(self, key: str, default: bool) -> bool:
        return self._get(key, bool, default)

    def number(self, key: str, default: int | None = None) -> int:
        return self._get(key, int, default)

    def optional_number(self, key: str) -> int | None:
        if key not in self.values:
            return None
        return self.number(key)

    def choice(self, key: str, allowed: Mapping[str, T]) -> T:
        value = self.text(key)
        if value not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return allowed[value]

    def array(self, key: str, *, required: bool = False) -> list[object]:
        return self._get(key, list, None if required else [])

    def texts(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        found: list[str] = []
        for index, item in enumerate(self.array(key, required=required)):
            if not isinstance(item, str):
                where = f"{self.where(key)}[{index}]"
                raise DemoDataError(self.file, where, f"expected a string, got {_kind(item)}")
            found.append(item)
        return tuple(found)

    def table(self, key: str, *, required: bool = True) -> Table:
        values = self._get(key, dict, None if required else {})
        return Table(self.file, self.where(key), values, self.days)

    def tables(self, key: str, *, required: bool = False) -> tuple[Table, ...]:
        return tuple(self._each(key, self.array(key, required=required)))

    def _each(self, key: str, items: list[object]) -> Iterator[Table]:
        for index, item in enumerate(items):
            where = f"{self.where(key)}[{index}]"
            if not isinstance(item, dict):
                raise DemoDataError(self.file, where, f"expected a table, got {_kind(item)}")
            yield Table(self.file, where, item, self.days)

    def strings(self, key: str, *, required: bool = False) -> dict[str, str]:
        """A table of strings (`[criteria]`), in the file's order."""
        inner = self.table(key, required=required)
        return {name: inner.text(name) for name in inner.values}

    def day_count(self, key: str | int, value: object) -> int:
        """A number of days: `40`, `"2 years + 30 days"`, or with a name from the file's `[days]`:
        `"born - 12 days"`."""
        if type(value) is int:
            return value
        if not isinstance(value, str):
            raise self.error(key, f"expected a number of days, got {_kind(value)}")
        total, position = 0, 0
        while position < len(value):
            term = _TERM.match(value, position)
            if term is None or term.end() == position or (position and not term.group(1)):
                raise self.error(key, f'{value!r} is not a number of days (e.g. 40, "2 years + 30 days")')
            sign = -1 if term.group(1) == "-" else 1
            if term.group(4):
                if term.group(4) not in self.days:
                    raise self.error(key, f"{term.group(4)!r} is not one of the file's [days]")
                amount = self.days[term.group(4)]
            else:
                amount = int(term.group(2)) * (YEAR if term.group(3).startswith("year") else 1)
            total, position = total + sign * amount, term.end()
        return total

    def days_ago(self, key: str) -> int:
        self._read.add(key)
        if key not in self.values:
            raise self.error(key, "missing")
        return self.day_count(key, self.values[key])

    def period(self, key: str) -> tuple[int, int]:
        """`[start, end]`, each a number of days ago."""
        values = self._get(key, list, None)
        if len(values) != 2:
            raise self.error(key, f"expected [start, end], got {len(values)} values")
        start, end = (self.day_count(f"{key}[{i}]", v) for i, v in enumerate(values))
        return start, end

    def done(self) -> None:
        """Refuse the keys no one read (a misspelling, or something the demo does not know)."""
        unknown = [key for key in self.values if key not in self._read]
        if unknown:
            raise self.error(unknown[0], "unknown key")


def read_file(path: Path) -> Table:
    """The file's top-level table, with its `[days]` (named numbers of days) resolved."""
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(path.name, "", f"not valid TOML: {error}") from None
    top = Table(path.name, "", values)
    named = top.table("days", required=False)
    days: dict[str, int] = {}
    for name, value in named.values.items():
        days[name] = Table(path.name, named.path, named.values, days).day_count(name, value)
        named._read.add(name)
    top.days = days
    return top
