"""The graph algorithms of a workflow, in one place: reachability both ways, shortest paths and
distances. The validator, the engine's ``path_to`` and the reports all use them.

A transition from ``'*'`` leaves every active state. It is kept as one move from a virtual "any
active state" node rather than one edge per state, so a workflow of n states and m wildcard
transitions costs O(n + m) here, not O(n x m).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from missionflow.workflow.definition import StateDef, TransitionDef, wildcard_sources

Usable = Callable[[TransitionDef], bool]
"""Which transitions a walk may take (all of them when None)."""


@dataclass(frozen=True)
class Step:
    """One move of a path: the transition taken, from where, to where."""

    transition: TransitionDef
    source: str
    dest: str


class Moves:
    """The state-changing moves of a workflow (internal transitions and self-loops left out).

    >>> from missionflow import load_workflow
    >>> moves = Moves.of(load_workflow("freelance-mission"))
    >>> "paid" in moves.reachable_from("lead")
    True
    """

    def __init__(
        self, states: Iterable[StateDef], transitions: Iterable[TransitionDef], usable: Usable | None = None
    ) -> None:
        self.states = tuple(states)
        self.active = wildcard_sources(self.states)
        self._out: dict[str, list[TransitionDef]] = {s.id: [] for s in self.states}
        self._from_any: list[TransitionDef] = []
        self._into: dict[str, set[str]] = {s.id: set() for s in self.states}
        self._into_from_any: set[str] = set()
        for transition in transitions:
            if transition.dest is None or (usable is not None and not usable(transition)):
                continue
            sources: Iterable[str] = transition.sources
            if transition.from_any:
                self._from_any.append(transition)
                self._into_from_any.add(transition.dest)
                # only the states named beside '*' need edges of their own (usually none)
                sources = () if len(transition.sources) == len(self.active) else transition.sources
            for source in sources:
                if source in self.active and transition.from_any:
                    continue
                if source != transition.dest and source in self._out:
                    self._out[source].append(transition)
                    self._into[transition.dest].add(source)

    @classmethod
    def of(cls, definition: HasGraph, usable: Usable | None = None) -> Moves:
        """The moves of a definition (only the ``usable`` transitions, when given)."""
        return cls(definition.states, definition.transitions, usable)

    def steps_from(self, state: str) -> Iterator[Step]:
        """Every move out of ``state``, in file order (wildcard ones after the state's own)."""
        for transition in self._out.get(state, ()):
            yield Step(transition, state, transition.dest_from(state))
        if state in self.active:
            for transition in self._from_any:
                if transition.dest != state:
                    yield Step(transition, state, transition.dest_from(state))

    def has_way_out(self, state: str) -> bool:
        """True when some move leaves ``state`` for another state."""
        return next(self.steps_from(state), None) is not None

    def reachable_from(self, start: str) -> set[str]:
        """Every state some sequence of moves leads to from ``start`` (``start`` included)."""
        seen = {start}
        queue = deque([start])
        any_taken = False
        while queue:
            state = queue.popleft()
            nexts: list[str] = [t.dest_from(state) for t in self._out.get(state, ())]
            if not any_taken and state in self.active:
                any_taken = True  # the wildcard moves lead to the same places from every active state
                nexts.extend(t.dest_from(state) for t in self._from_any)
            for nxt in nexts:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def distances_to(self, targets: Iterable[str]) -> dict[str, int]:
        """For every state that can reach one of ``targets``, the fewest moves it takes."""
        distance = dict.fromkeys(targets, 0)
        queue = deque(distance)
        any_done = False
        while queue:
            state = queue.popleft()
            sources = sorted(self._into.get(state, ()))
            if not any_done and state in self._into_from_any:
                any_done = True  # every active state is one wildcard move away
                sources.extend(sorted(self.active))
            for source in sources:
                if source not in distance:
                    distance[source] = distance[state] + 1
                    queue.append(source)
        return distance

    def shortest_path(self, start: str, target: str) -> list[Step] | None:
        """The fewest moves from ``start`` to ``target`` (an empty list when already there), None
        when no sequence of moves leads there."""
        previous: dict[str, Step] = {}
        seen = {start}
        queue = deque([start])
        while queue and target not in seen:
            for step in self.steps_from(queue.popleft()):
                if step.dest not in seen:
                    seen.add(step.dest)
                    previous[step.dest] = step
                    queue.append(step.dest)
        if target not in seen:
            return None
        path: list[Step] = []
        node = target
        while node != start:
            step = previous[node]
            path.append(step)
            node = step.source
        return list(reversed(path))


class HasGraph(Protocol):
    """What :meth:`Moves.of` reads of a definition (a WorkflowDefinition, structurally)."""

    @property
    def states(self) -> tuple[StateDef, ...]: ...
    @property
    def transitions(self) -> tuple[TransitionDef, ...]: ...
