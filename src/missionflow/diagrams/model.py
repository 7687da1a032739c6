"""The diagram model: what a lifecycle diagram shows, as semantic flags, independent of any renderer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DiagramNode:
    """One state of the diagram; its id is the state id, so renderers give stable node ids."""

    id: str
    label: str
    description: str = ""
    initial: bool = False
    final: bool = False
    exit: bool = False
    current: bool = False
    visited: bool = False


@dataclass(frozen=True)
class DiagramStep:
    """One step a mission took along an edge: its number in the history and the (local) day."""

    number: int
    trigger: str
    on: date

    @property
    def text(self) -> str:
        """The step as drawn, for example ``1. qualify 2026-11-24``."""
        return f"{self.number}. {self.trigger} {self.on.isoformat()}"


@dataclass(frozen=True)
class DiagramEdge:
    """One transition from one source (a trigger with several sources gives several edges).

    ``possible`` marks the transitions that leave a mission's current state; among them
    ``blocked`` ones carry the first reason a guard gave. ``timer`` says, for a timed transition,
    when its timer fires it ("after 7 days").
    """

    source: str
    dest: str
    trigger: str
    label: str
    guards: tuple[str, ...] = ()
    exit: bool = False
    steps: tuple[DiagramStep, ...] = ()
    possible: bool = False
    blocked: bool = False
    reason: str | None = None
    timer: str | None = None

    @property
    def internal(self) -> bool:
        """True when the transition stays in its state (drawn as a loop)."""
        return self.source == self.dest

    @property
    def timed(self) -> bool:
        """True when a timer fires the transition (drawn dotted, with its delay)."""
        return self.timer is not None

    @property
    def taken(self) -> bool:
        """True when the mission went along this edge at least once."""
        return bool(self.steps)

    @property
    def key(self) -> str:
        """``source--trigger``: unique in a diagram, and stable (state ids and triggers have no dash)."""
        return f"{self.source}--{self.trigger}"


@dataclass(frozen=True)
class Diagram:
    """A lifecycle diagram: states and transitions in definition order, ready for any renderer.

    >>> from missionflow import load_workflow
    >>> from missionflow.diagrams import workflow_diagram
    >>> drawing = workflow_diagram(load_workflow("freelance-mission"))
    >>> drawing.node("paid").final, drawing.node("declined").exit
    (True, True)
    """

    name: str
    title: str
    subtitle: str
    lang: str
    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    mission: str | None = None
    plain: bool = False
    """A diagram for a client: edges show their label only (lines split at newlines), never the
    trigger, the guards or why a step is blocked."""

    def node(self, node_id: str) -> DiagramNode:
        """The node with this id (KeyError when unknown)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    @property
    def initial(self) -> str:
        """The id of the initial state."""
        return next(node.id for node in self.nodes if node.initial)


@dataclass(frozen=True)
class Words:
    """The few words renderers add around labels, in one language."""

    blocked: str
    possible: str
    timer: str


WORDS = {
    "en": Words(blocked="blocked", possible="possible now", timer="timer"),
    "fr": Words(blocked="bloqué", possible="possible maintenant", timer="minuteur"),
}
"""The languages a diagram can be drawn in, with their words."""
