"""A subject's lifecycle diagram with its guards evaluated as a fire would evaluate them: a mission's
under the freelancer's settings (its dates in their time zone), a stored subject's with the facts
the store's providers give; and the client's diagram, the path their mission took and the steps
that remain, in plain words (no trigger, no guard)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from missionflow.diagrams import Diagram, DiagramEdge, DiagramNode, DiagramStep, subject_diagram
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import SETTINGS
from missionflow.reports.progress import assess_progress
from missionflow.reports.text import format_date
from missionflow.store import SubjectView
from missionflow.workflow import StateKind, TransitionDef, WorkflowDefinition, workflow_for


def mission_diagram(
    mission: Mission, settings: Settings | None = None, *, lang: str = "en", at: datetime | None = None
) -> Diagram:
    """The diagram of ``mission``: current state, dated path, and what is possible now and why not."""
    settings = settings or Settings()
    return subject_diagram(
        mission, lang=lang, at=at, facts={SETTINGS: settings}, calendar=settings, timezone=settings.timezone
    )


def view_diagram(view: SubjectView, *, lang: str = "en") -> Diagram:
    """The diagram of a stored subject as ``Store.view`` (or ``AsyncStore.view``) gives it: its
    guards evaluated with the same facts and at the same moment as a fire would, the
    application's facts included; a mission's dates in the freelancer's time zone."""
    context = view.context
    settings = context.facts.get(SETTINGS)
    return subject_diagram(
        view.subject,
        lang=lang,
        at=context.now,
        facts=context.facts,
        calendar=context.calendar,
        timezone=settings.timezone if isinstance(settings, Settings) else "UTC",
        actor=context.actor,
    )


def _words(transition: TransitionDef | None, lang: str, *, done: bool) -> str:
    """What a step did (``done:``) or will do (``next:``) in the workflow's words, else its label."""
    if transition is None:
        return ""
    text = transition.done if done else transition.next
    if text is not None:
        words = text.in_lang(lang).replace("{deliverable}", "").replace("{number}", "").strip(" :")
        return words[:1].upper() + words[1:]
    return transition.label.in_lang(lang) if transition.label is not None else ""


def client_diagram(
    mission: Mission,
    settings: Settings | None = None,
    *,
    lang: str = "en",
    at: datetime | None = None,
    facts: Mapping[str, object] | None = None,
) -> Diagram:
    """The client's diagram: the states the mission went through, then those that remain on the
    way to a successful end, each step labelled with what it did (and when) or will do, in the
    workflow's words. Loops (deliveries, repeated revision rounds) and the ways out a mission did
    not take are left out; nothing is named by its trigger or guard."""
    settings = settings or Settings()
    definition: WorkflowDefinition = workflow_for(mission).definition
    zone = ZoneInfo(settings.timezone)
    path = [definition.initial]
    edges: list[DiagramEdge] = []
    for record in mission.history:
        transition = definition.transition(record.source, record.trigger)
        if transition is None or record.source == record.dest or record.dest == path[-1]:
            continue
        day = record.at.astimezone(zone).date()
        label = "\n".join(
            part for part in (_words(transition, lang, done=True), format_date(day, lang)) if part
        )
        number = len(edges) + 1
        # The step marks the edge as taken (drawn in the path's colour); a plain diagram shows the label only.
        step = DiagramStep(number, "", day)
        edges.append(DiagramEdge(path[-1], record.dest, f"step{number}", label, steps=(step,)))
        path.append(record.dest)
    current = path[-1]
    for remaining in assess_progress(mission, at=at, settings=settings, facts=facts).remaining:
        ahead = next(
            (t for t in definition.transitions_from(path[-1]) if t.dest_from(path[-1]) == remaining), None
        )
        label = _words(ahead, lang, done=False)
        edges.append(DiagramEdge(path[-1], remaining, f"step{len(edges) + 1}", label))
        path.append(remaining)
    nodes = []
    for state_id in dict.fromkeys(path):
        state = definition.state(state_id)
        nodes.append(
            DiagramNode(
                id=state_id,
                label=state.label.in_lang(lang),
                initial=state_id == definition.initial,
                final=state.final,
                exit=state.kind is StateKind.EXIT,
                current=state_id == current,
                visited=state_id in path[: path.index(current) + 1],
            )
        )
    return Diagram(
        name="client",
        title=mission.title or definition.title,
        subtitle="",
        lang=lang,
        nodes=tuple(nodes),
        edges=tuple(edges),
        mission=mission.ref,
        plain=True,
    )
