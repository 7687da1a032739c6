"""From a workflow definition (and a subject's history and options) to the diagram model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from missionflow.diagrams.model import WORDS, Diagram, DiagramEdge, DiagramNode, DiagramStep
from missionflow.errors import InvalidValueError
from missionflow.workflow import (
    GuardRef,
    StateKind,
    Subject,
    WorkflowDefinition,
    WorkingCalendar,
    describe_timer,
    get_guard,
    workflow_for,
)


def workflow_diagram(definition: WorkflowDefinition, *, lang: str = "en") -> Diagram:
    """The diagram of a workflow: every state and every transition, with guards in words.

    >>> from missionflow import load_workflow
    >>> drawing = workflow_diagram(load_workflow("freelance-mission"), lang="fr")
    >>> drawing.node("lead").label, drawing.initial
    ('Prospect', 'lead')
    """
    _check_lang(lang)
    return Diagram(
        name=definition.name,
        title=definition.title,
        subtitle=definition.key,
        lang=lang,
        nodes=_nodes(definition, lang, current=None, visited=frozenset()),
        edges=tuple(_edges(definition, lang)),
    )


def subject_diagram(
    mission: Subject,
    *,
    lang: str = "en",
    at: datetime | None = None,
    facts: Mapping[str, object] | None = None,
    calendar: WorkingCalendar | None = None,
    timezone: str = "UTC",
    actor: str = "",
) -> Diagram:
    """The diagram of one subject: its workflow, its current state, the dated path it took,
    and the transitions possible now (blocked ones with the first reason a guard gives).

    The guards are evaluated at ``at`` (now when None) with the application's ``facts``, for
    ``actor``, as a fire would; dates are days in ``timezone``.

    >>> from datetime import UTC, datetime
    >>> from missionflow import fire
    >>> from missionflow.freelance import Client, Mission
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> _ = fire(m, "qualify", at=datetime(2026, 11, 24, 10, tzinfo=UTC))
    >>> drawing = subject_diagram(m, at=datetime(2026, 11, 25, tzinfo=UTC))
    >>> drawing.node("criteria_check").current
    True
    >>> [s.text for e in drawing.edges for s in e.steps]
    ['1. qualify 2026-11-24']
    """
    _check_lang(lang)
    workflow = workflow_for(mission)
    definition = workflow.definition
    ctx = workflow.context(at, actor=actor, facts=facts, calendar=calendar)
    options = {option.trigger: option for option in workflow.triggers(mission, ctx)}
    zone = ZoneInfo(timezone)
    known = set(definition.state_ids)

    steps: dict[str, list[DiagramStep]] = {}
    visited = {mission.state}
    extra: dict[str, DiagramEdge] = {}
    edges = _edges(definition, lang)
    keys = {edge.key for edge in edges}
    for number, record in enumerate(mission.history, start=1):
        visited.update((record.source, record.dest))
        key = f"{record.source}--{record.trigger}"
        steps.setdefault(key, []).append(
            DiagramStep(number, record.trigger, record.at.astimezone(zone).date())
        )
        # A history written under other rules (an edited definition) still shows what happened.
        if key not in keys and key not in extra and {record.source, record.dest} <= known:
            extra[key] = DiagramEdge(record.source, record.dest, record.trigger, record.trigger)

    drawn = []
    for edge in [*edges, *extra.values()]:
        option = options.get(edge.trigger) if edge.source == mission.state else None
        drawn.append(
            replace(
                edge,
                steps=tuple(steps.get(edge.key, ())),
                possible=option is not None,
                blocked=option is not None and not option.allowed,
                reason=option.reasons[0] if option is not None and option.reasons else None,
            )
        )
    subject_title = str(getattr(mission, "title", "") or "")
    title = f"{mission.ref} — {subject_title}" if subject_title else mission.ref
    return Diagram(
        name=mission.ref,
        title=title,
        subtitle=f"{definition.title} ({definition.key})",
        lang=lang,
        nodes=_nodes(definition, lang, current=mission.state, visited=frozenset(visited & known)),
        edges=tuple(drawn),
        mission=mission.ref,
    )


def _check_lang(lang: str) -> None:
    if lang not in WORDS:
        raise InvalidValueError("lang", f"{lang!r} is not one of: {', '.join(WORDS)}")


def _nodes(
    definition: WorkflowDefinition, lang: str, *, current: str | None, visited: frozenset[str]
) -> tuple[DiagramNode, ...]:
    return tuple(
        DiagramNode(
            id=state.id,
            label=state.label.in_lang(lang),
            description=state.description,
            initial=state.id == definition.initial,
            final=state.final,
            exit=state.kind is StateKind.EXIT,
            current=state.id == current,
            visited=state.id in visited,
        )
        for state in definition.states
    )


def _edges(definition: WorkflowDefinition, lang: str) -> list[DiagramEdge]:
    exits = {state.id for state in definition.states if state.kind is StateKind.EXIT}
    edges = []
    for transition in definition.transitions:
        label = transition.label.in_lang(lang) if transition.label is not None else transition.trigger
        guards = tuple(_guard_words(ref, lang) for ref in transition.guards)
        timer = describe_timer(transition.after, lang) if transition.after is not None else None
        for source in transition.sources:
            dest = transition.dest_from(source)
            edges.append(
                DiagramEdge(source, dest, transition.trigger, label, guards, exit=dest in exits, timer=timer)
            )
    return edges


def _guard_words(ref: GuardRef, lang: str) -> str:
    spec = get_guard(ref.name)
    words = spec.describe(lang) if spec is not None else ref.name.replace("_", " ")
    if not ref.params:
        return words
    # Sorted so that the same definition always gives the same text, whatever the file's key order.
    params = ", ".join(f"{name}={ref.params[name]}" for name in sorted(ref.params))
    return f"{words} ({params})"
