"""The engine: one compiled ``transitions`` machine per definition version, shared by all subjects.

This is the only module that imports ``transitions``. Subjects are never attached to a machine
(no per-subject ``Machine`` and no ``add_model``): an event is triggered on the subject object
directly, so the cost of firing does not grow with the number of subjects. The engine works on
any :class:`~missionflow.workflow.subject.Subject`; what a domain means by its states and
triggers stays in the workflow file and the domain's guards.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Generic, cast

from transitions import EventData, Machine

from missionflow.errors import (
    DefinitionProblem,
    GuardResult,
    TransitionBlockedError,
    TransitionNotAllowedError,
    WorkflowDefinitionError,
)
from missionflow.workflow.answers import PathReport, PathStep, TriggerOption
from missionflow.workflow.awaiting import is_async, refuse_async, running_async, settle
from missionflow.workflow.calendar import WorkingCalendar, aware
from missionflow.workflow.definition import GuardParam, TransitionDef, WorkflowDefinition
from missionflow.workflow.graph import Moves
from missionflow.workflow.guards import GuardContext, GuardFunc, get_guard
from missionflow.workflow.hooks import HookEvent, Hooks, chain, load_named_hook
from missionflow.workflow.records import TransitionRecord, check_moving_forward
from missionflow.workflow.registry import load_workflow
from missionflow.workflow.subject import S, Subject
from missionflow.workflow.timers import describe_timer

# transitions logs every fired event at INFO; an application's logs are not ours to fill.
logging.getLogger("transitions").setLevel(logging.WARNING)


class _CompiledTransition:
    """A transition with its guard functions looked up once."""

    __slots__ = ("definition", "guards", "reads")

    def __init__(self, definition: TransitionDef) -> None:
        self.definition = definition
        resolved: list[tuple[str, GuardFunc[Subject], Mapping[str, GuardParam]]] = []
        reads: set[str] | None = set()
        for ref in definition.guards:
            spec = get_guard(ref.name)
            if spec is None:  # pragma: no cover - the validator refuses unknown guards
                raise WorkflowDefinitionError(
                    [DefinitionProblem(definition.trigger, ref.line, f"unknown guard {ref.name!r}")]
                )
            resolved.append((ref.name, spec.func, ref.params))
            reads = None if reads is None or spec.reads is None else reads | spec.reads
        self.guards = tuple(resolved)
        self.reads = None if reads is None else frozenset(reads)

    def evaluate(self, subject: Subject, ctx: GuardContext) -> tuple[GuardResult, ...]:
        return tuple(
            GuardResult(name, _verdict(name, func(subject, ctx, params)))
            for name, func, params in self.guards
        )


def _verdict(name: str, value: object) -> str | None:
    """A guard's answer: None or a reason (awaited first for an async guard under the async store)."""
    verdict = settle(value, f"guard {name!r}")
    if verdict is not None and not isinstance(verdict, str):
        raise TypeError(f"guard {name!r} returned {type(verdict).__name__}; return None or a reason (text)")
    return verdict


def _run_guards(event: EventData) -> bool:
    """The single condition given to ``transitions``: evaluate every guard, then every before-hook
    (a hook vetoes like a guard), and keep every result so a refusal lists all the reasons."""
    compiled: _CompiledTransition = event.kwargs["compiled"]
    subject = cast(Subject, event.model)  # transitions types models as object
    results = list(compiled.evaluate(subject, event.kwargs["ctx"]))
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


class Workflow(Generic[S]):
    """A definition compiled for firing: build it once, use it for every subject.

    >>> from missionflow import Workflow, load_workflow
    >>> from missionflow.freelance import Client, Mission
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
        # Looked at once: a compiled transition keeps the guard functions it resolved.
        self._async_guards = [
            (name, func)
            for compiled in {id(c): c for c in self._index.values()}.values()
            for name, func, _ in compiled.guards
            if is_async(func)
        ]

    def facts_read(self, state: str, trigger: str) -> frozenset[str] | None:
        """The facts the guards of ``trigger`` from ``state`` read (None: every fact): what a store
        must load to fire it (nothing when the trigger does not leave ``state``)."""
        compiled = self._index.get((state, trigger))
        return compiled.reads if compiled is not None else frozenset()

    def reads_fact(self, fact: str) -> bool:
        """True when a guard of any transition reads ``fact`` (a guard that declares nothing reads
        every fact): a workflow whose guards never read ``client`` needs no client."""
        return any(
            compiled.reads is None or fact in compiled.reads
            for compiled in {id(c): c for c in self._index.values()}.values()
        )

    def check_runnable(self, hooks: Hooks | None = None) -> None:
        """Refuse, before anything is decided, ``async def`` guards or hooks that nothing can await
        (outside the async store)."""
        if running_async():
            return
        for name, func in self._async_guards:
            refuse_async(func, f"guard {name!r}")
        if hooks is not None:
            hooks.check_runnable()

    def allowed_triggers(self, state: str) -> list[str]:
        """The triggers that leave ``state`` in the definition, whatever the guards say (timed ones
        left out: only their timers fire them)."""
        return [trigger for trigger, compiled in self._from.get(state, []) if not compiled.definition.timed]

    def context(
        self,
        at: datetime | None = None,
        *,
        actor: str = "",
        note: str = "",
        data: Mapping[str, str] | None = None,
        facts: Mapping[str, object] | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> GuardContext:
        """The context guards are evaluated in (``at`` is now when None; it must carry a timezone)."""
        return GuardContext(aware(at), actor, note, data or {}, facts or {}, calendar, self.definition)

    def fire(
        self,
        subject: S,
        trigger: str,
        *,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        facts: Mapping[str, object] | None = None,
        calendar: WorkingCalendar | None = None,
        hooks: Hooks | None = None,
        timer: bool = False,
    ) -> TransitionRecord:
        """Fire ``trigger`` on ``subject``: move it and return the record, or raise and change nothing.

        ``facts`` are what the application gives the guards besides the subject; ``calendar``
        marks a record made outside working time. ``timer=True`` fires a timed transition, as its
        timer does when it falls due (see :mod:`missionflow.workflow.timers`); a timed transition
        is not fired otherwise. ``hooks`` (and the hooks the workflow file
        declares) run around the transition: a before-hook's veto joins the guards' refusals in
        TransitionBlockedError; when an after-hook raises, the subject gets its state and history
        back and the exception propagates; an after_commit hook runs last and its exception is
        only logged.

        >>> from missionflow import load_workflow
        >>> from missionflow.freelance import Client, Mission
        >>> flow = Workflow(load_workflow("freelance-mission"))
        >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
        >>> record = flow.fire(m, "qualify", actor="me", note="referred by Bea")
        >>> (record.source, record.dest, m.state, len(m.history))
        ('lead', 'criteria_check', 'criteria_check', 1)
        """
        subscribed = chain(self.hooks, hooks)
        self.check_runnable(subscribed)
        length = len(subject.history)
        ctx = self.context(at, actor=actor, note=note, data=data, facts=facts, calendar=calendar)
        record = self.decide(subject, trigger, ctx, hooks=subscribed, timer=timer)
        if len(subscribed):
            event = HookEvent.after(subject, record)
            try:
                subscribed.run_after(event)
            except BaseException:
                subject.state = record.source
                del subject.history[length:]
                raise
            subscribed.run_after_commit(event)
        return record

    def decide(
        self, subject: S, trigger: str, ctx: GuardContext, *, hooks: Hooks | None = None, timer: bool = False
    ) -> TransitionRecord:
        """Decide with the guards and the before-hooks, move the subject and append its record.

        The after-hooks are the caller's to run: :meth:`fire` runs them at once, a store runs them
        inside the transaction that writes the record. ``timer=True`` is for a timed transition
        fired by its timer; a timed transition is refused otherwise, and a timer fires nothing else.
        """
        source = subject.state
        compiled = self._index.get((source, trigger))
        if compiled is None or compiled.definition.timed != timer:
            reason = None
            if compiled is not None:
                reason = (
                    f"its timer fires it: {describe_timer(compiled.definition.after)}"
                    if compiled.definition.after is not None
                    else "it is not a timed transition"
                )
            raise TransitionNotAllowedError(
                subject=subject.ref,
                state=source,
                trigger=trigger,
                allowed=self.allowed_triggers(source),
                reason=reason,
            )
        if subject.history:
            check_moving_forward(self.definition, ctx.now, subject.history[-1].at)
        results: list[GuardResult] = []
        # before-hooks are told where the subject is going; without hooks nobody is told
        hook_event = (
            HookEvent(
                subject=subject,
                trigger=trigger,
                source=source,
                dest=compiled.definition.dest_from(source),
                at=ctx.now,
                actor=ctx.actor,
                note=ctx.note,
                data=dict(ctx.data),
            )
            if hooks is not None and len(hooks)
            else None
        )
        moved = self._events[trigger].trigger(
            subject, compiled=compiled, ctx=ctx, results=results, hooks=hooks, hook_event=hook_event
        )
        if not moved:
            raise TransitionBlockedError(
                subject=subject.ref, state=source, trigger=trigger, failed=[r for r in results if not r.ok]
            )
        record = TransitionRecord(
            trigger=trigger,
            source=source,
            dest=subject.state,
            actor=ctx.actor,
            at=ctx.now,
            note=ctx.note,
            data=dict(ctx.data),
            # the record names the workflow's guards; a hook is the application's, not a rule
            guards=tuple(r.guard for r in results if not r.guard.startswith("hook:")),
            out_of_hours=ctx.calendar is not None and ctx.calendar.is_out_of_hours(ctx.now),
        )
        subject.history.append(record)
        return record

    def triggers(self, subject: S, ctx: GuardContext | None = None) -> list[TriggerOption]:
        """Every trigger from the subject's state, allowed or blocked with reasons; changes nothing
        (timed transitions are not choices: their timers fire them)."""
        ctx = ctx or self.context()
        source = subject.state
        return [
            TriggerOption(
                trigger, source, compiled.definition.dest_from(source), compiled.evaluate(subject, ctx)
            )
            for trigger, compiled in self._from.get(source, [])
            if not compiled.definition.timed
        ]

    def path_to(self, subject: S, target: str, ctx: GuardContext | None = None) -> PathReport:
        """The shortest path to ``target`` and, for each step, what blocks it with these facts
        (InvalidValueError when ``target`` is not a state of the workflow)."""
        self.definition.state(target)
        ctx = ctx or self.context()
        found = Moves.of(self.definition).shortest_path(subject.state, target)
        if found is None:
            return PathReport(target, None)
        steps = []
        for step in found:
            compiled = self._index[(step.source, step.transition.trigger)]
            reasons = tuple(r.reason for r in compiled.evaluate(subject, ctx) if r.reason is not None)
            steps.append(PathStep(step.transition.trigger, step.source, step.dest, reasons))
        return PathReport(target, tuple(steps))


_compiled: dict[int, tuple[WorkflowDefinition, Workflow[Subject]]] = {}


def compile_workflow(definition: WorkflowDefinition) -> Workflow[Subject]:
    """The compiled form of ``definition``, built once per definition and reused."""
    cached = _compiled.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    workflow: Workflow[Subject] = Workflow(definition)
    _compiled[id(definition)] = (definition, workflow)
    return workflow


def workflow_for(subject: Subject) -> Workflow[Subject]:
    """The compiled rules a subject runs under: its workflow at the version it started with."""
    return compile_workflow(load_workflow(subject.workflow, subject.workflow_version))
