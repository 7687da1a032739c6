"""Timers in the workflow language: ``after:`` read into the definition, every mistake named with
its file and line, written back out unchanged, and a timed transition fired by its timer only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from missionflow import (
    InvalidValueError,
    TransitionNotAllowedError,
    WorkflowDefinitionError,
    parse_workflow,
)
from missionflow.workflow import (
    DelayUnit,
    FactKind,
    TimerDef,
    Workflow,
    definition_as_json,
    load_workflow,
    register_timer_fact,
)
from tests.interchange.normal_form import without_places
from tests.shipped import shipped

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)

# A small workflow whose `wait` transition gets the timer under test (line 17 is its `after:`).
TEMPLATE = """\
name: timed
version: 1
initial: open
states:
  - id: open
  - id: done
    final: true
transitions:
  - trigger: close
    source: open
    dest: done
  - trigger: nudge
    source: open
  - trigger: wait
    source: open
    dest: done
    after: {after}
"""
AFTER_LINE = 17


def timed(after: str) -> Workflow:
    """The template with ``after`` as the timer of `wait`, compiled."""
    return Workflow(parse_workflow(TEMPLATE.format(after=after), "timed.yaml"))


def problems(after: str) -> list[tuple[int, str]]:
    """(line, message) of every problem of the template with ``after`` as the timer of `wait`."""
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(TEMPLATE.format(after=after), "timed.yaml")
    assert all(p.file == "timed.yaml" for p in caught.value.problems)
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("after", "timer"),
    [
        ("{days: 7}", TimerDef(DelayUnit.DAYS, 7)),
        (
            "{business_days: 5, since_last: [nudge]}",
            TimerDef(DelayUnit.BUSINESS_DAYS, 5, since_last=("nudge",)),
        ),
        (
            "{hours: 48, unless_fired_since: [nudge]}",
            TimerDef(DelayUnit.HOURS, 48, unless_fired_since=("nudge",)),
        ),
        ("{days: {fact: acceptance_days}}", TimerDef(DelayUnit.DAYS, fact="acceptance_days")),
        ("{days: 1, since_fact: payment_due}", TimerDef(DelayUnit.DAYS, 1, since_fact="payment_due")),
    ],
)
def test_a_timer_is_read_into_the_transition(after: str, timer: TimerDef) -> None:
    """Each unit, a fact for the delay or the start, since_last and unless_fired_since are read as written."""
    definition = timed(after).definition
    wait = definition.transition("open", "wait")
    assert wait is not None
    assert (wait.after, wait.timed) == (timer, True)
    assert definition.has_timers
    assert [t.trigger for t in definition.timed_from("open")] == ["wait"]


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (
            "{}",
            "'after' of transition 'wait' needs exactly one unit: days, business_days or hours (it gives none)",
        ),
        (
            "{days: 1, hours: 2}",
            "'after' of transition 'wait' needs exactly one unit: days, business_days or hours "
            "(it gives days, hours)",
        ),
        (
            "{days: 0}",
            "the days of transition 'wait' must be a whole number from 1 or {fact: name}, got a number (0)",
        ),
        (
            "{days: -3}",
            "the days of transition 'wait' must be a whole number from 1 or {fact: name}, got a number (-3)",
        ),
        (
            "{days: 1.5}",
            "the days of transition 'wait' must be a whole number from 1 or {fact: name}, got a number (1.5)",
        ),
        (
            "{days: true}",
            "the days of transition 'wait' must be a whole number from 1 or {fact: name}, got a boolean (true)",
        ),
        ("{hours: 90000}", "90000 hours in transition 'wait' is more than the 87600 a timer waits"),
        ("{weeks: 2}", "unknown key 'weeks' in 'after' of transition 'wait'"),
        ("7 days", "'after' of transition 'wait' must be a mapping of keys to values, got text ('7 days')"),
        ("{days: {fact: moon_phase}}", "unknown timer fact 'moon_phase' in the days of transition 'wait'"),
        (
            "{days: {fact: payment_due}}",
            "timer fact 'payment_due' in the days of transition 'wait' gives a moment, not a delay",
        ),
        (
            "{days: 1, since_fact: acceptance_days}",
            "timer fact 'acceptance_days' in 'since_fact' of transition 'wait' gives a delay, not a moment",
        ),
        ("{days: {facts: acceptance_days}}", "unknown key 'facts' in the days of transition 'wait'"),
        (
            "{days: 2, since_last: [deliver]}",
            "'since_last' of transition 'wait' names 'deliver', which is not a trigger of the workflow",
        ),
        (
            "{days: 2, unless_fired_since: Nudge}",
            "an item of 'unless_fired_since' of transition 'wait' is 'Nudge'",
        ),
        (
            "{days: 2, since_last: [nudge], since_fact: payment_due}",
            "'after' of transition 'wait' counts from since_last or from since_fact, not both",
        ),
    ],
)
def test_every_mistake_in_a_timer_is_named_with_its_line(after: str, message: str) -> None:
    """A timer with no unit or two, a delay that is not a positive whole number (or too long), an
    unknown key or fact, a fact of the wrong kind, an unknown trigger: each says where and what."""
    found = problems(after)
    assert {line for line, _ in found} == {AFTER_LINE}
    assert any(message in text for _, text in found), found


def test_a_timer_round_trips_through_the_stored_json() -> None:
    """The JSON a store keeps of a timed workflow reads back to an equal definition, timers included."""
    definition = load_workflow("freelance-mission")
    again = parse_workflow(definition_as_json(definition))
    assert without_places(again) == without_places(definition)
    assert [t.after for t in again.transitions if t.timed] == [
        t.after for t in definition.transitions if t.timed
    ]


def test_the_newest_freelance_mission_declares_the_reminders_as_timers() -> None:
    """Version 3 declares the deposit, approval and payment reminders (a first, a second, then a
    formal notice, each writing its letter) and the tacit approval; version 2, kept as published,
    writes no letter, and version 1 declares no timer."""
    newest = load_workflow("freelance-mission")
    assert newest.version == 3
    assert [(t.trigger, t.sources, t.dest, t.effects) for t in newest.transitions if t.timed] == [
        ("remind_deposit", ("contract_signed",), None, ("first_reminder_letter",)),
        ("remind_approval", ("in_progress", "revisions"), None, ()),
        ("approve_tacitly", ("in_progress", "revisions"), "approved", ()),
        ("remind_payment", ("invoiced",), None, ("first_reminder_letter",)),
        ("remind_payment_again", ("invoiced",), None, ("second_reminder_letter",)),
        ("send_formal_notice", ("invoiced",), None, ("formal_notice_letter",)),
    ]
    second = load_workflow("freelance-mission", 2)
    assert [t.trigger for t in second.transitions if t.timed] == [
        "remind_deposit",
        "remind_approval",
        "approve_tacitly",
        "remind_payment",
    ]
    assert not any(t.effects for t in second.transitions if t.timed)
    first = load_workflow("freelance-mission", 1)
    assert (first.version, first.has_timers) == (1, False)
    assert without_places(first) == without_places(shipped("freelance-mission@1"))


def test_a_timed_transition_is_fired_by_its_timer_only() -> None:
    """Fired by hand, a timed trigger is not possible (its timer is named); with timer=True it
    fires, and a timer cannot fire an ordinary trigger. Listings of triggers leave timers out."""
    flow = timed("{days: 3}")
    subject = type("Ticket", (), {"ref": "T-1", "workflow": "timed", "workflow_version": 1})()
    subject.state = "open"
    subject.history = []
    with pytest.raises(TransitionNotAllowedError) as caught:
        flow.fire(subject, "wait", at=AT)
    assert caught.value.reason == "its timer fires it: after 3 days"
    assert "'wait' is not possible from state 'open' (its timer fires it: after 3 days)" in str(caught.value)
    assert caught.value.allowed == ("close", "nudge")
    assert [o.trigger for o in flow.triggers(subject)] == ["close", "nudge"]
    with pytest.raises(TransitionNotAllowedError, match="it is not a timed transition"):
        flow.fire(subject, "close", at=AT, timer=True)
    record = flow.fire(subject, "wait", at=AT, timer=True, actor="timer")
    assert (record.dest, subject.state) == ("done", "done")


def test_a_timer_fact_is_registered_once_and_of_a_known_kind() -> None:
    """The same name twice, a kind that is neither delay nor moment, or reads given as one text are refused."""

    @register_timer_fact("review_days", kind=FactKind.DELAY, words="the review period", reads=())
    def review_days(subject: object, ctx: object) -> int:
        return 3

    with pytest.raises(InvalidValueError, match="already registered"):
        register_timer_fact("review_days", kind="delay")(lambda subject, ctx: 4)
    register_timer_fact("review_days", kind="delay", replace=True)(lambda subject, ctx: 4)
    with pytest.raises(InvalidValueError, match="a timer fact is a delay or a moment"):
        register_timer_fact("other", kind="duration")
    with pytest.raises(InvalidValueError, match="not one text"):
        register_timer_fact("other", kind="delay", reads="contract")
    assert timed("{days: {fact: review_days}}").definition.transitions[2].after == TimerDef(
        DelayUnit.DAYS, fact="review_days"
    )
