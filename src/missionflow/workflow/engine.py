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
from typing import TYPE_CHECKING, Generic, cast

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

if TYPE_CHECKING:
    from transitions import Event, EventData, Machine

# transitions logs every fired event at INFO; an application's logs are not ours to fill.
logging.getLogger("transitions").setLevel(logging.WARNING)

_HOOK_PREFIX = "hook:"
"""How a before-hook's verdict is named among the guard results (see Hooks.run_before)."""


class _CompiledTransition:
    """A transition with its guard functions looked up once."""

    __slots__ = ("definition", "guards", "names", "passes", "reads", "timed")

    def __init__(self, definition: TransitionDef) -> None:
        self.definition = definition
        self.timed = definition.timed
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
        self.passes = {name: GuardResult(name) for name, _, _ in resolved}
        """A passing guard's result, made once (frozen): most guards pass, at every evaluation."""
        self.names = tuple(name for name, _, _ in resolved if not name.startswith(_HOOK_PREFIX))
        """What a record made without before-hooks lists (see :meth:`Workflow.decide`)."""
        self.reads = None if reads is None else frozenset(reads)

    def evaluate(self, subject: Subject, ctx: GuardContext) -> tuple[GuardResult, ...]:
        # A plain loop, and the awaitable check only for an answer that is not None or text:
        # the hot path of every fire (a generator and a call per guard cost 10 % of a fire).
        results = []
        for name, func, params in self.guards:
            verdict = func(subject, ctx, params)
            if verdict is not None and verdict.__class__ is not str:
                verdict = _verdict(name, verdict)
            results.append(self.passes[name] if verdict is None else GuardResult(name, verdict))
        return tuple(results)


def _verdict(name: str, value: object) -> str | None:
    """A guard's answer: None or a reason (awaited first for an async guard under the async store)."""
    verdict = settle(value, f"guard {name!r}")
    if verdict is not None and not isinstance(verdict, str):
        raise TypeError(f"guard {name!r} returned {type(verdict).__name__}; return None or a reason (text)")
    return verdict


def _run_guards(event: EventData) -> bool:
    """The single condition given to ``transitions``: evaluate every guard, then every before-hook
    (a hook vetoes like a guard), and keep every result so a refusal lists all the reasons."""
    kwargs = event.kwargs
    compiled: _CompiledTransition = kwargs["compiled"]
    results: list[GuardResult] = kwargs["results"]
    results.extend(compiled.evaluate(cast(Subject, event.model), kwargs["ctx"]))
    hook_event: HookEvent | None = kwargs["hook_event"]
    if hook_event is not None:
        results.extend(kwargs["hooks"].run_before(hook_event))
    return all(result.reason is None for result in results)


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
        self._index: dict[tuple[str, str], _CompiledTransition] = {}
        self._from: dict[str, list[tuple[str, _CompiledTransition]]] = {s: [] for s in definition.state_ids}
        for transition in definition.transitions:
            compiled = _CompiledTransition(transition)
            for source in transition.sources:
                self._index[(source, transition.trigger)] = compiled
                self._from[source].append((transition.trigger, compiled))
        # The transitions machine is built by the first fire: listing triggers, showing or listing
        # subjects never needs it (nor the 15 ms import of transitions).
        self._built: Machine | None = None
        self._events: dict[str, Event] = {}
        # What triggers() lists from each state, destination included, worked out once.
        self._choices = {
            state: [
                (trigger, compiled.definition.dest_from(state), compiled)
                for trigger, compiled in moves
                if not compiled.definition.timed
            ]
            for state, moves in self._from.items()
        }
        # Looked at once: a compiled transition keeps the guard functions it resolved.
        self._async_guards = [
            (name, func)
            for compiled in {id(c): c for c in self._index.values()}.values()
            for name, func, _ in compiled.guards
            if is_async(func)
        ]

    @property
    def _machine(self) -> Machine:
        """The definition's one ``transitions`` machine, built on first use (by the first fire)."""
        if self._built is None:
            from transitions import Machine

            definition = self.definition
            machine = Machine(
                model=None,
                states=list(definition.state_ids),
                initial=definition.initial,
                auto_transitions=False,
                send_event=True,
            )
            for transition in definition.transitions:
                machine.add_transition(
                    transition.trigger, list(transition.sources), transition.dest, conditions=[_run_guards]
                )
            self._built = machine
            self._events = machine.events
        return self._built

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
        if (not self._async_guards and not hooks) or running_async():
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
        # Without any hook (the common case) no empty Hooks is chained for nothing.
        subscribed = chain(self.hooks, hooks) if hooks or self.hooks else None
        if self._async_guards or subscribed:
            self.check_runnable(subscribed)
        length = len(subject.history)
        ctx = GuardContext.made(aware(at), actor, note, data or {}, facts or {}, calendar, self.definition)
        record = self.decide(subject, trigger, ctx, hooks=subscribed, timer=timer)
        if subscribed:
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
        if compiled is None or compiled.timed != timer:
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
            if hooks
            else None
        )
        events = self._events or self._machine.events
        moved = events[trigger].trigger(
            subject, compiled=compiled, ctx=ctx, results=results, hooks=hooks, hook_event=hook_event
        )
        if not moved:
            raise TransitionBlockedError(
                subject=subject.ref, state=source, trigger=trigger, failed=[r for r in results if not r.ok]
            )
        record = TransitionRecord.made(
            trigger,
            source,
            subject.state,
            ctx.actor,
            ctx.now,
            ctx.note,
            dict(ctx.data),
            # the record names the workflow's guards; a hook is the application's, not a rule
            compiled.names
            if hook_event is None
            else tuple(r.guard for r in results if not r.guard.startswith(_HOOK_PREFIX)),
            ctx.calendar is not None and ctx.calendar.is_out_of_hours(ctx.now),
        )
        subject.history.append(record)
        return record

    def triggers(self, subject: S, ctx: GuardContext | None = None) -> list[TriggerOption]:
        """Every trigger from the subject's state, allowed or blocked with reasons; changes nothing
        (timed transitions are not choices: their timers fire them)."""
        if ctx is None:
            ctx = self.context()
        source = subject.state
        return [
            TriggerOption(trigger, source, dest, compiled.evaluate(subject, ctx))
            for trigger, dest, compiled in self._choices.get(source, ())
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
