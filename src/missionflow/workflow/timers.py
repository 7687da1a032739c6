"""When the timers of a subject fall due: a function of its state, its history and its facts.

A timed transition (``after:`` in the file) leaving the subject's state has a start (the moment
the subject entered the state, the last fire of the ``since_last`` triggers, or each moment of
the ``since_fact``) and a delay; the timer falls due at the start plus the delay, unless a
trigger of ``unless_fired_since`` fired after the start. Nothing is scheduled when the start or
the delay is unknown (nothing delivered yet, no acceptance period in the contract).

A store keeps one durable row per timer of the current state and fires it when it is due
(``missionflow tick``); an application without a store asks :func:`due_timers` and fires the
trigger itself with ``Workflow.fire(..., timer=True)``. The guards of the transition are
evaluated when it falls due: a refusal means the timer is skipped, never fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from missionflow.workflow._timers import MAXIMUM
from missionflow.workflow.calendar import WeekdayCalendar, WorkingCalendar, add_days
from missionflow.workflow.definition import DelayUnit, TimerDef, WorkflowDefinition
from missionflow.workflow.guards import GuardContext
from missionflow.workflow.records import TransitionRecord
from missionflow.workflow.subject import Subject
from missionflow.workflow.timer_facts import get_timer_fact

TIMER_ACTOR = "timer"
"""Who the history says fired a timed transition."""


@dataclass(frozen=True)
class DueTimer:
    """A timer of the subject's current state and when it falls due: ``moments`` holds one
    moment, or one per moment its ``since_fact`` gives (earliest first), each to fire once."""

    trigger: str
    source: str
    moments: tuple[datetime, ...]

    @property
    def due_at(self) -> datetime:
        """The earliest moment it falls due."""
        return self.moments[0]


def entered_at(
    definition: WorkflowDefinition, history: Sequence[TransitionRecord], state: str, default: datetime | None
) -> datetime | None:
    """When the subject last entered ``state``: the record that moved it there, or a self-loop
    that left and entered it again; ``default`` (its creation) when it never left the state.

    An internal transition stays in the state without entering it again, and so does a record
    this definition does not know that stays in the state (a ``migrate`` entry that kept it).
    """
    found = _entry(definition, history, state, default)
    return found[0] if found is not None else None


def _entry(
    definition: WorkflowDefinition, history: Sequence[TransitionRecord], state: str, default: datetime | None
) -> tuple[datetime, int] | None:
    """The moment the subject entered ``state`` and how many records it had then."""
    for position in range(len(history) - 1, -1, -1):
        record = history[position]
        if record.source != state:
            return record.at, position + 1
        transition = definition.transition(record.source, record.trigger)
        if transition is not None and transition.dest is not None:
            return record.at, position + 1
    return (default, 0) if default is not None else None


def due_timers(
    definition: WorkflowDefinition,
    subject: Subject,
    ctx: GuardContext,
    *,
    created_at: datetime | None = None,
) -> list[DueTimer]:
    """The timers of the subject's current state that have a due time, in file order.

    ``ctx`` gives the timer facts what they read (the application's facts, its working calendar:
    business days and days are counted in its time zone); ``created_at`` is when the subject
    started, for the timers of a state it never left.

    >>> from datetime import UTC, datetime
    >>> from missionflow.workflow import load_workflow
    >>> from missionflow.freelance import Client, Mission, Settings
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="contract_signed", client=Client("Acme"))
    >>> ctx = GuardContext(datetime(2026, 3, 2, tzinfo=UTC), calendar=Settings())
    >>> [(t.trigger, t.due_at.isoformat()) for t in due_timers(
    ...     load_workflow("freelance-mission"), m, ctx, created_at=datetime(2026, 3, 2, 10, tzinfo=UTC))]
    [('remind_deposit', '2026-03-09T10:00:00+00:00')]
    """
    state = subject.state
    found = []
    for transition in definition.timed_from(state):
        timer = transition.after
        assert timer is not None
        moments = _moments(definition, timer, subject, ctx, created_at)
        if moments:
            found.append(DueTimer(transition.trigger, state, moments))
    return found


def _moments(
    definition: WorkflowDefinition,
    timer: TimerDef,
    subject: Subject,
    ctx: GuardContext,
    created_at: datetime | None,
) -> tuple[datetime, ...]:
    amount = timer.amount if timer.amount is not None else _delay_fact(timer, subject, ctx)
    if amount is None:
        return ()
    history = list(subject.history)
    starts: list[tuple[datetime, int]] = []  # a start and the number of records before it
    if timer.since_last:
        for position in range(len(history) - 1, -1, -1):
            if history[position].trigger in timer.since_last:
                starts.append((history[position].at, position + 1))
                break
    elif timer.since_fact is not None:
        for moment in _moment_fact(timer.since_fact, subject, ctx):
            starts.append((moment, sum(1 for record in history if record.at < moment)))
    else:
        entry = _entry(definition, history, subject.state, created_at)
        if entry is not None:
            starts.append(entry)
    if timer.unless_fired_since:
        starts = [
            (start, index)
            for start, index in starts
            if not any(record.trigger in timer.unless_fired_since for record in history[index:])
        ]
    calendar: WorkingCalendar = ctx.calendar if ctx.calendar is not None else WeekdayCalendar()
    due = sorted({_add(start, timer.unit, amount, calendar) for start, _ in starts})
    return tuple(due)


def _add(start: datetime, unit: DelayUnit, amount: int, calendar: WorkingCalendar) -> datetime:
    if unit is DelayUnit.HOURS:
        return start + timedelta(hours=amount)
    return add_days(start, amount, calendar, business=unit is DelayUnit.BUSINESS_DAYS)


def _delay_fact(timer: TimerDef, subject: Subject, ctx: GuardContext) -> int | None:
    spec = get_timer_fact(timer.fact or "")
    value = spec.func(subject, ctx) if spec is not None else None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAXIMUM[timer.unit]:
        return None  # no period agreed (or one no timer can wait): nothing to schedule
    return value


def _moment_fact(name: str, subject: Subject, ctx: GuardContext) -> list[datetime]:
    spec = get_timer_fact(name)
    value = spec.func(subject, ctx) if spec is not None else None
    if value is None or isinstance(value, int):
        return []
    moments = [value] if isinstance(value, datetime) else list(value)
    return [m for m in moments if isinstance(m, datetime) and m.tzinfo is not None]


_WORDS = {
    "en": {
        "days": ("day", "days"),
        "business_days": ("business day", "business days"),
        "hours": ("hour", "hours"),
        "after": "after {delay}",
        "since_last": "{delay} after the last {triggers}",
        "since_fact": "{delay} after {fact}",
        "or": " or ",
        "unless": ", unless {triggers} since",
        "fact": "{fact} ({unit})",
    },
    "fr": {
        "days": ("jour", "jours"),
        "business_days": ("jour ouvré", "jours ouvrés"),
        "hours": ("heure", "heures"),
        "after": "après {delay}",
        "since_last": "{delay} après le dernier {triggers}",
        "since_fact": "{delay} après {fact}",
        "or": " ou ",
        "unless": ", sauf {triggers} entre-temps",
        "fact": "{fact} ({unit})",
    },
}


def describe_timer(timer: TimerDef, lang: str = "en") -> str:
    """When a timer falls due, in words (English or French; others read English).

    >>> from missionflow.workflow import DelayUnit, TimerDef
    >>> describe_timer(TimerDef(DelayUnit.BUSINESS_DAYS, 5, since_last=("deliver",)), "fr")
    '5 jours ouvrés après le dernier deliver'
    """
    words = _WORDS.get(lang, _WORDS["en"])
    one, many = words[timer.unit.value]
    if timer.amount is not None:
        delay = f"{timer.amount} {one if timer.amount == 1 else many}"
    else:
        spec = get_timer_fact(timer.fact or "")
        fact = spec.describe(lang) if spec is not None else str(timer.fact)
        delay = str(words["fact"]).format(fact=fact, unit=many)
    joiner = str(words["or"])
    if timer.since_last:
        text = str(words["since_last"]).format(delay=delay, triggers=joiner.join(timer.since_last))
    elif timer.since_fact is not None:
        spec = get_timer_fact(timer.since_fact)
        fact = spec.describe(lang) if spec is not None else timer.since_fact
        text = str(words["since_fact"]).format(delay=delay, fact=fact)
    else:
        text = str(words["after"]).format(delay=delay)
    if timer.unless_fired_since:
        text += str(words["unless"]).format(triggers=joiner.join(timer.unless_fired_since))
    return text
