"""The state machine, run with `transitions`. The only module that imports it.

A machine is built per call around a small carrier object that holds nothing but the state, so no
long-lived machine keeps review rows alive and SQLAlchemy's loading never has to run `__init__`.
Guards are evaluated before the machine runs (`workflow.guards`), so that a refusal can list every
unmet reason; the machine's own conditions only choose between the edges one trigger may take
(`decide` to scoping or to closed, `resume` to the state the review left).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from transitions import EventData, Machine, MachineError

from workflow.states import TRANSITIONS, Edge, Route, State, Trigger


class _Carrier:
    """What the machine moves: the state, and nothing else."""

    def __init__(self, state: State) -> None:
        self.state: str = state.value


def _route_is_none(event: EventData) -> bool:
    return bool(event.kwargs.get("route") == Route.NONE)


def _route_is_review(event: EventData) -> bool:
    return event.kwargs.get("route") in (Route.STATUTORY, Route.LEARNING)


def _returns_to(state: State) -> Any:
    def condition(event: EventData) -> bool:
        return bool(event.kwargs.get("resume_to") == state)

    return condition


def _conditions(edge: Edge) -> list[Any]:
    if edge.trigger == Trigger.DECIDE:
        return [_route_is_none if edge.dest == State.CLOSED else _route_is_review]
    if edge.trigger == Trigger.RESUME:
        return [_returns_to(edge.dest)]
    return []


_TRANSITION_SPECS = [
    {
        "trigger": edge.trigger.value,
        "source": edge.source.value,
        "dest": edge.dest.value,
        "conditions": _conditions(edge),
    }
    for edge in TRANSITIONS
]


class NoSuchEdge(Exception):
    """The trigger has no edge from the current state (or none whose conditions hold)."""


@cache
def next_state(
    current: State, trigger: Trigger, *, route: Route | None = None, resume_to: State | None = None
) -> State:
    """Run `trigger` from `current` through the machine and return the state it lands in.

    The answer depends on its arguments and the transition table alone, so it is kept: building a
    machine is a tenth of the cost of firing a trigger. A refusal (`NoSuchEdge`) is not kept."""
    carrier = _Carrier(current)
    Machine(
        model=carrier,
        states=[state.value for state in State],
        transitions=_TRANSITION_SPECS,
        initial=current.value,
        auto_transitions=False,
        send_event=True,
    )
    try:
        moved = carrier.trigger(trigger.value, route=route, resume_to=resume_to)  # type: ignore[attr-defined]
    except MachineError as error:
        raise NoSuchEdge(str(error)) from error
    if not moved:
        raise NoSuchEdge(f"no edge for {trigger.value} from {current.value} with these parameters")
    return State(carrier.state)


def mermaid() -> str:
    """The Mermaid state diagram of the machine, generated from the same table that drives it.

    The pause, resume and withdraw edges, which exist for every active state, are drawn once each
    from a composite "any active state" note so the diagram stays readable.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {State.REFERRED.value}"]
    seen: set[tuple[str, str, str]] = set()
    for edge in TRANSITIONS:
        if edge.trigger in (Trigger.PAUSE, Trigger.RESUME, Trigger.WITHDRAW):
            continue
        key = (edge.source.value, edge.dest.value, edge.trigger.value)
        if key not in seen:
            seen.add(key)
            lines.append(f"    {key[0]} --> {key[1]}: {key[2]}")
    lines += [
        '    state "any active state" as active',
        f"    active --> {State.PAUSED.value}: pause",
        f"    {State.PAUSED.value} --> active: resume (to the state it left)",
        f"    active --> {State.WITHDRAWN.value}: withdraw",
        f"    {State.PAUSED.value} --> {State.WITHDRAWN.value}: withdraw",
        f"    {State.CLOSED.value} --> [*]",
        f"    {State.WITHDRAWN.value} --> [*]",
    ]
    return "\n".join(lines) + "\n"
