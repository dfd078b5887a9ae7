"""The regimes a review can run under. Every shipped version stays here: a review keeps the version it
started under, so changing a regime later never changes a review already running."""

from __future__ import annotations

from workflow.regimes.base import Recommendation, Regime
from workflow.regimes.wt2010 import WT2010_V1
from workflow.regimes.wt2023 import WT2023_V1, WT2023_V2

_ALL: tuple[Regime, ...] = (WT2010_V1, WT2023_V1, WT2023_V2)
REGIMES: dict[tuple[str, int], Regime] = {(r.key, r.version): r for r in _ALL}


class UnknownRegime(LookupError):
    pass


def current(key: str) -> Regime:
    """The newest version of the regime `key`."""
    versions = [r for (k, _), r in REGIMES.items() if k == key]
    if not versions:
        known = ", ".join(sorted({k for k, _ in REGIMES}))
        raise UnknownRegime(f"Unknown regime '{key}'. Known regimes: {known}.")
    return max(versions, key=lambda r: r.version)


def get(key: str, version: int) -> Regime:
    try:
        return REGIMES[(key, version)]
    except KeyError:
        raise UnknownRegime(f"Unknown regime '{key}' version {version}.") from None


def keys() -> tuple[str, ...]:
    return tuple(sorted({k for k, _ in REGIMES}))


__all__ = ["REGIMES", "Recommendation", "Regime", "UnknownRegime", "current", "get", "keys"]
