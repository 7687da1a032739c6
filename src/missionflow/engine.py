"""The engine: one compiled ``transitions`` machine per definition version, shared by all missions.

This is the only module that imports ``transitions``. Missions are never attached to a
machine (no per-mission ``Machine`` and no ``add_model``): an event is triggered on the
mission object directly, so the cost of firing does not grow with the number of missions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from transitions import EventData, Machine

from missionflow.definition import GuardParam, TransitionDef, WorkflowDefinition
from missionflow.errors import (
    DefinitionProblem,
    GuardResult,
    InvalidValueError,
    TransitionBlockedError,
    TransitionNotAllowedError,
    WorkflowDefinitionError,
)
from missionflow.guards import GuardContext, GuardFunc, get_guard
from missionflow.hooks import HookEvent, Hooks, chain, load_named_hook
from missionflow.loading import registry
from missionflow.mission import Mission, TransitionRecord
from missionflow.settings import Settings
from missionflow.validation import shortest_path


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
    """The shortest way from a mission's state to a target, or None when there is none."""

    target: str
    steps: tuple[PathStep, ...] | None

    @property
    def reachable(self) -> bool:
        """True when some sequence of triggers leads to the target."""
        return self.steps is not None


class _CompiledTransition:
    """A transition with its guard functions looked up once."""

    __slots__ = ("definition", "guards", "reads")

    def __init__(self, definition: TransitionDef) -> None:
        self.definition = definition
        resolved: list[tuple[str, GuardFunc, Mapping[str, GuardParam]]] = []
        reads: set[str] = set()
        for ref in definition.guards:
            spec = get_guard(ref.name)
            if spec is None:  # pragma: no cover - the validator refuses unknown guards
                raise KeyError(ref.name)
            resolved.append((ref.name, spec.func, ref.params))
            reads |= spec.reads
        self.guards = tuple(resolved)
        self.reads = frozenset(reads)

    def evaluate(self, mission: Mission, ctx: GuardContext) -> tuple[GuardResult, ...]:
        return tuple(GuardResult(name, func(mission, ctx, params)) for name, func, params in self.guards)


def _run_guards(event: EventData) -> bool:
    """The single condition given to ``transitions``: evaluate every guard, then every before-hook
    (a hook vetoes like a guard), and keep every result so a refusal lists all the reasons."""
    compiled: _CompiledTransition = event.kwargs["compiled"]
    mission = cast(Mission, event.model)  # transitions types models as object
    results = list(compiled.evaluate(mission, event.kwargs["ctx"]))
    hooks: Hooks | None = event.kwargs["hooks"]
    if hooks is not None and len(hooks):
        results.extend(hooks.run_before(event.kwargs["hook_event"]))
    event.kwargs["results"].extend(results)
    return all(r.ok for r in results)


def _declared_hooks(definition: WorkflowDefinition) -> Hooks:
    """The hooks a workflow file subscribes by name, loaded from the installed packages."""
    hooks = Hooks()
    for ref in definition.hooks:
        func = load_named_hook(ref.name)
        if func is None:
            raise WorkflowDefinitionError(
                [
                    DefinitionProblem(
                        definition.source,
                        ref.line,
                        f"unknown hook {ref.name!r}: no installed package declares it in the "
                        "entry-point group 'missionflow.hooks'",
                    )
                ]
            )
        hooks.subscribe(ref.when, func, trigger=ref.trigger, source=ref.source, dest=ref.dest, name=ref.name)
    return hooks


class Workflow:
    """A definition compiled for firing: build it once, use it for every mission.

    >>> from missionflow import Mission, Client, Workflow, load_workflow
    >>> flow = Workflow(load_workflow("freelance-mission"))
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> [o.trigger for o in flow.triggers(m)]
    ['qualify', 'decline']
    >>> flow.fire(m, "qualify", actor="me").dest
    'criteria_check'
    """

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self.hooks = _declared_hooks(definition)
        """The hooks the workflow file declares; they run before the application's own."""
        self._machine = Machine(
            model=None,
            states=list(definition.state_ids),
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
        )
        self._index: dict[tuple[str, str], _CompiledTransition] = {}
        self._from: dict[str, list[tuple[str, _CompiledTransition]]] = {s: [] for s in definition.state_ids}
        for transition in definition.transitions:
            compiled = _CompiledTransition(transition)
            self._machine.add_transition(
                transition.trigger, list(transition.sources), transition.dest, conditions=[_run_guards]
            )
            for source in transition.sources:
                self._index[(source, transition.trigger)] = compiled
                self._from[source].append((transition.trigger, compiled))
        self._events = self._machine.events

    def facts_read(self, state: str, trigger: str) -> frozenset[str]:
        """The facts of a mission (see guards.FACTS) that the guards of ``trigger`` from ``state``
        read: what a store must load to fire it (nothing when the trigger does not leave ``state``)."""
        compiled = self._index.get((state, trigger))
        return compiled.reads if compiled is not None else frozenset()

    def allowed_triggers(self, state: str) -> list[str]:
        """The triggers that leave ``state`` in the definition, whatever the guards say."""
        return [trigger for trigger, _ in self._from.get(state, [])]

    def fire(
        self,
        mission: Mission,
        trigger: str,
        *,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        settings: Settings | None = None,
        hooks: Hooks | None = None,
    ) -> TransitionRecord:
        """Fire ``trigger`` on ``mission``: move it and return the record, or raise and change nothing.

        ``hooks`` (and the hooks the workflow file declares) run around the transition: a
        before-hook's veto joins the guards' refusals in TransitionBlockedError; when an after-hook
        raises, the mission gets its state and history back and the exception propagates; an
        after_commit hook runs last and its exception is only logged.

        >>> from missionflow import Client, Mission, load_workflow
        >>> flow = Workflow(load_workflow("freelance-mission"))
        >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
        >>> record = flow.fire(m, "qualify", actor="me", note="referred by Bea")
        >>> (record.source, record.dest, m.state, len(m.history))
        ('lead', 'criteria_check', 'criteria_check', 1)
        """
        subscribed = chain(self.hooks, hooks)
        length = len(mission.history)
        record = self._move(
            mission, trigger, actor=actor, note=note, at=at, data=data, settings=settings, hooks=subscribed
        )
        if len(subscribed):
            event = HookEvent.after(mission, record)
            try:
                subscribed.run_after(event)
            except BaseException:
                mission.state = record.source
                del mission.history[length:]
                raise
            subscribed.run_after_commit(event)
        return record

    def _move(
        self,
        mission: Mission,
        trigger: str,
        *,
        actor: str,
        note: str,
        at: datetime | None,
        data: Mapping[str, str] | None,
        settings: Settings | None,
        hooks: Hooks | None,
    ) -> TransitionRecord:
        """Decide with the guards and the before-hooks, move the mission and append its record.

        The store calls this too, and runs the after-hooks itself inside its transaction.
        """
        moment = _aware(at)
        source = mission.state
        compiled = self._index.get((source, trigger))
        if compiled is None:
            raise TransitionNotAllowedError(
                mission=mission.ref, state=source, trigger=trigger, allowed=self.allowed_triggers(source)
            )
        ctx = GuardContext(moment, settings or _DEFAULT_SETTINGS, data or {}, note)
        results: list[GuardResult] = []
        # before-hooks are told where the mission is going; without hooks nobody is told
        hook_event = (
            HookEvent(
                mission=mission,
                trigger=trigger,
                source=source,
                dest=compiled.definition.dest_from(source),
                at=moment,
                actor=actor,
                note=note,
                data=dict(data or {}),
            )
            if hooks is not None and len(hooks)
            else None
        )
        moved = self._events[trigger].trigger(
            mission, compiled=compiled, ctx=ctx, results=results, hooks=hooks, hook_event=hook_event
        )
        if not moved:
            raise TransitionBlockedError(
                mission=mission.ref, state=source, trigger=trigger, failed=[r for r in results if not r.ok]
            )
        record = TransitionRecord(
            trigger=trigger,
            source=source,
            dest=mission.state,
            actor=actor,
            at=moment,
            note=note,
            data=dict(data or {}),
            # the record names the workflow's guards; a hook is the application's, not a rule
            guards=tuple(r.guard for r in results if not r.guard.startswith("hook:")),
            out_of_hours=ctx.settings.is_out_of_hours(moment),
        )
        mission.history.append(record)
        return record

    def triggers(
        self,
        mission: Mission,
        *,
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        note: str = "",
        settings: Settings | None = None,
    ) -> list[TriggerOption]:
        """Every trigger from the mission's state, allowed or blocked with reasons; changes nothing."""
        ctx = GuardContext(_aware(at), settings or _DEFAULT_SETTINGS, data or {}, note)
        source = mission.state
        return [
            TriggerOption(
                trigger, source, compiled.definition.dest_from(source), compiled.evaluate(mission, ctx)
            )
            for trigger, compiled in self._from.get(source, [])
        ]

    def path_to(
        self, mission: Mission, target: str, *, at: datetime | None = None, settings: Settings | None = None
    ) -> PathReport:
        """The shortest path to ``target`` and, for each step, what blocks it with today's facts."""
        self.definition.state(target)
        ctx = GuardContext(_aware(at), settings or _DEFAULT_SETTINGS)
        graph = {state: [c.definition for _, c in options] for state, options in self._from.items()}
        found = shortest_path(mission.state, target, graph)
        if found is None:
            return PathReport(target, None)
        steps = []
        for transition, source, dest in found:
            compiled = self._index[(source, transition.trigger)]
            reasons = tuple(r.reason for r in compiled.evaluate(mission, ctx) if r.reason is not None)
            steps.append(PathStep(transition.trigger, source, dest, reasons))
        return PathReport(target, tuple(steps))


_DEFAULT_SETTINGS = Settings()
_compiled: dict[int, tuple[WorkflowDefinition, Workflow]] = {}


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValueError("time", f"{at.isoformat()} has no timezone; give an offset like +01:00")
    return at


def compile_workflow(definition: WorkflowDefinition) -> Workflow:
    """The compiled form of ``definition``, built once per definition and reused."""
    cached = _compiled.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    workflow = Workflow(definition)
    _compiled[id(definition)] = (definition, workflow)
    return workflow


def workflow_for(mission: Mission) -> Workflow:
    """The compiled rules a mission runs under: its workflow at the version it started with."""
    return compile_workflow(registry.get(mission.workflow, mission.workflow_version))


def fire(
    mission: Mission,
    trigger: str,
    *,
    actor: str = "",
    note: str = "",
    at: datetime | None = None,
    data: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    hooks: Hooks | None = None,
) -> TransitionRecord:
    """Fire ``trigger`` on an in-memory mission under its own workflow version (see Workflow.fire).

    No database is involved: the mission object moves and its history grows.

    >>> from missionflow import Client, Mission
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> fire(m, "qualify", actor="me").dest, m.state
    ('criteria_check', 'criteria_check')
    """
    return workflow_for(mission).fire(
        mission, trigger, actor=actor, note=note, at=at, data=data, settings=settings, hooks=hooks
    )


def triggers(
    mission: Mission,
    *,
    at: datetime | None = None,
    data: Mapping[str, str] | None = None,
    note: str = "",
    settings: Settings | None = None,
) -> list[TriggerOption]:
    """Every trigger from the mission's state, with guard results (see Workflow.triggers).

    >>> from missionflow import Client, Mission
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme", blocked=True))
    >>> [(o.trigger, o.allowed, o.reasons) for o in triggers(m)]
    [('qualify', False, ('client Acme is blocked',)), ('decline', False, ('a reason is required (give it as the note)',))]
    """
    return workflow_for(mission).triggers(mission, at=at, data=data, note=note, settings=settings)


def path_to(
    mission: Mission, target: str, *, at: datetime | None = None, settings: Settings | None = None
) -> PathReport:
    """The shortest path from the mission's state to ``target`` (see Workflow.path_to)."""
    return workflow_for(mission).path_to(mission, target, at=at, settings=settings)
