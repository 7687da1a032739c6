"""What the engine answers without firing: the triggers possible from a state, each allowed or
blocked with its reasons, and the way to a target state."""

from __future__ import annotations

from dataclasses import dataclass

from missionflow.errors import GuardResult


@dataclass(frozen=True)
class TriggerOption:
    """One trigger from the current state, whether it is allowed now and, if not, why."""

    trigger: str
    source: str
    dest: str
    results: tuple[GuardResult, ...]

    @property
    def allowed(self) -> bool:
        """True when every guard lets the transition through."""
        return all(r.ok for r in self.results)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why it is blocked, one reason per failed guard (empty when allowed)."""
        return tuple(r.reason for r in self.results if r.reason is not None)


@dataclass(frozen=True)
class PathStep:
    """One step on the way to a target state, with what blocks it with today's facts."""

    trigger: str
    source: str
    dest: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PathReport:
    """The shortest way from a subject's state to a target, or None when there is none."""

    target: str
    steps: tuple[PathStep, ...] | None

    @property
    def reachable(self) -> bool:
        """True when some sequence of triggers leads to the target."""
        return self.steps is not None
