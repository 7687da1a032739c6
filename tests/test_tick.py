"""The timers of freelance-mission as durable rows fired by Store.tick, on SQLite and PostgreSQL:
each due timer fires once however often tick runs, a timer whose guard refuses is skipped, a
mission that leaves the state first never gets it, and every entry keeps the history chain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from missionflow import Store, TransitionNotAllowedError, parse_workflow, register_workflow, testing
from missionflow.freelance import Deliverable, Installment, Payment, Specification
from missionflow.store import TickResult
from missionflow.testing import eur

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, within working hours

SPEC = Specification(
    objectives="A new logo",
    deliverables=(Deliverable("logo"),),
    deadline=date(2026, 6, 1),
    budget=eur("1000"),
    acceptance="The client approves in writing",
)


def signed_mission(store: Store, *, acceptance_days: int | None = None, client: str = "Acme") -> str:
    """A 1000 EUR mission (30 % deposit) signed at AT; returns its reference."""
    ref = testing.lead(store, client=client, deposit_percent=Decimal("30"), at=AT)
    testing.sign(store, ref, spec=SPEC, acceptance_days=acceptance_days, terms_version="CGV-2026", at=AT)
    return ref


def started(store: Store, *, acceptance_days: int | None = None) -> str:
    """A signed mission whose deposit is paid and work started at AT."""
    ref = signed_mission(store, acceptance_days=acceptance_days)
    store.record_payment(ref, Payment(eur("300"), AT.date()))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    return ref


def timer_entries(store: Store, ref: str) -> list[tuple[str, str, str]]:
    """(trigger, source, dest) of every history entry a timer wrote, in order."""
    return [
        (e.record.trigger, e.record.source, e.record.dest)
        for e in store.history(ref)
        if e.record.actor == "timer"
    ]


def fired(results: list[TickResult]) -> list[tuple[str, str]]:
    """(mission, trigger) of the timers a tick fired."""
    return [(r.mission, r.trigger) for r in results if r.fired]


def test_a_signature_schedules_the_deposit_reminder_and_tick_fires_it_once(store: Store) -> None:
    """Due 7 days after the signature: not before; then one entry with the actor `timer`; the same
    tick again, or a later one, changes nothing."""
    ref = signed_mission(store)
    [timer] = store.list_timers(ref)
    assert (timer.trigger, timer.source, timer.due_at, timer.status) == (
        "remind_deposit",
        "contract_signed",
        AT + timedelta(days=7),
        "pending",
    )
    assert store.tick(AT + timedelta(days=7) - timedelta(seconds=1)) == []
    now = AT + timedelta(days=8)
    [result] = store.tick(now)
    assert (result.mission, result.trigger, result.fired, result.outcome) == (
        ref,
        "remind_deposit",
        True,
        "fired",
    )
    assert result.record is not None
    assert (result.record.actor, result.record.at, result.record.data) == (
        "timer",
        now,
        {"due": (AT + timedelta(days=7)).isoformat()},
    )
    mission = store.get_mission(ref)
    timers = store.list_timers(ref)
    assert store.tick(now) == []
    assert store.tick(now + timedelta(days=30)) == []
    again = store.get_mission(ref)
    assert (again.version, again.history) == (mission.version, mission.history)
    assert store.list_timers(ref) == timers
    assert [(t.status, t.outcome) for t in timers] == [("fired", "fired")]
    assert timer_entries(store, ref) == [("remind_deposit", "contract_signed", "contract_signed")]
    assert store.verify() == []


def test_a_timer_whose_guard_refuses_is_skipped_with_the_reason_and_no_entry(store: Store) -> None:
    """A deposit paid in time (the mission still waiting in contract_signed) skips its reminder."""
    ref = signed_mission(store)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 3)))
    length = len(store.history(ref))
    [result] = store.tick(AT + timedelta(days=30))
    assert (result.fired, result.outcome, result.record) == (
        False,
        "skipped: the deposit of 300.00 EUR is received",
        None,
    )
    assert len(store.history(ref)) == length
    [timer] = store.list_timers(ref)
    assert (timer.status, timer.outcome, timer.pending) == ("skipped", result.outcome, False)
    assert timer.done_at is not None


def test_a_mission_that_leaves_the_state_before_the_delay_never_gets_the_timer(store: Store) -> None:
    """Confirming the deposit two days after the signature cancels the reminder: tick never fires it."""
    ref = signed_mission(store)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 4)))
    store.fire(ref, "confirm_deposit", at=AT + timedelta(days=2))
    [timer] = store.list_timers(ref)
    assert (timer.status, timer.outcome) == (
        "cancelled",
        "cancelled: the mission moved to deposit_received",
    )
    assert store.tick(AT + timedelta(days=60)) == []
    assert timer_entries(store, ref) == []


def test_the_acceptance_period_after_the_last_delivery_approves_tacitly(store: Store) -> None:
    """Each delivery moves the tacit approval (and the approval reminder) to count from it; the
    timer fires once the period is over, moving the mission to approved and ending the reminder."""
    ref = started(store, acceptance_days=10)
    testing.deliver(store, ref, "logo", at=AT + timedelta(days=1))
    testing.deliver(store, ref, "logo", at=AT + timedelta(days=3))
    pending = {t.trigger: t.due_at for t in store.list_timers(ref) if t.pending}
    assert pending == {
        "approve_tacitly": AT + timedelta(days=13),
        "remind_approval": AT + timedelta(days=10),  # 5 business days after a Thursday
    }
    moved = [t for t in store.list_timers(ref) if t.trigger == "approve_tacitly" and not t.pending]
    assert [(t.due_at, t.status) for t in moved] == [(AT + timedelta(days=11), "cancelled")]
    assert fired(store.tick(AT + timedelta(days=10, hours=1))) == [(ref, "remind_approval")]
    [result] = store.tick(AT + timedelta(days=13))
    assert (result.trigger, result.fired) == ("approve_tacitly", True)
    assert result.record is not None
    assert (result.record.source, result.record.dest) == ("in_progress", "approved")
    assert store.get_mission(ref).state == "approved"
    assert [t.pending for t in store.list_timers(ref)] == [False] * len(store.list_timers(ref))
    assert timer_entries(store, ref) == [
        ("remind_approval", "in_progress", "in_progress"),
        ("approve_tacitly", "in_progress", "approved"),
    ]
    assert store.verify() == []


def test_a_revision_request_cancels_the_approval_timers_until_the_next_delivery(store: Store) -> None:
    """The client answered: no tacit approval counts from the delivery before the request."""
    ref = started(store, acceptance_days=5)
    testing.deliver(store, ref, "logo", at=AT)
    store.fire(ref, "request_revision", at=AT + timedelta(days=1))
    assert [t for t in store.list_timers(ref) if t.pending] == []
    assert store.tick(AT + timedelta(days=30)) == []
    testing.deliver(store, ref, "logo", at=AT + timedelta(days=31))
    assert fired(store.tick(AT + timedelta(days=36))) == [(ref, "approve_tacitly")]
    assert store.get_mission(ref).state == "approved"


def test_payment_reminders_fall_due_the_day_after_each_due_date_still_owed(store: Store) -> None:
    """The final invoice is reminded the day after its due date in Paris (not on the day itself);
    a plan moves the reminders to its installments, each reminded once while unpaid."""
    ref = started(store)
    testing.approve(store, ref, at=AT)
    _, final = store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))
    assert final.due_on == date(2026, 5, 1)
    # the escalation: a reminder the day after, a second one after 15 days, a formal notice after 30
    assert [(t.trigger, t.due_at) for t in store.list_timers(ref) if t.pending] == [
        ("remind_payment", datetime(2026, 5, 1, 22, tzinfo=UTC)),
        ("remind_payment_again", datetime(2026, 5, 15, 22, tzinfo=UTC)),
        ("send_formal_notice", datetime(2026, 5, 30, 22, tzinfo=UTC)),
    ]
    assert store.tick(datetime(2026, 5, 1, 12, tzinfo=UTC)) == []  # due today, not late yet
    assert fired(store.tick(datetime(2026, 5, 2, 12, tzinfo=UTC))) == [(ref, "remind_payment")]
    store.set_payment_plan(
        ref,
        [Installment(date(2026, 5, 20), eur("350")), Installment(date(2026, 5, 30), eur("350"))],
        on=date(2026, 5, 3),
    )
    assert next((t.trigger, t.due_at) for t in store.list_timers(ref) if t.pending) == (
        "remind_payment",
        datetime(2026, 5, 20, 22, tzinfo=UTC),
    )
    store.record_payment(ref, Payment(eur("350"), date(2026, 5, 19)))
    assert next(t.due_at for t in store.list_timers(ref) if t.pending) == datetime(
        2026, 5, 30, 22, tzinfo=UTC
    )
    assert store.tick(datetime(2026, 5, 25, tzinfo=UTC)) == []
    assert fired(store.tick(datetime(2026, 6, 1, tzinfo=UTC))) == [(ref, "remind_payment")]
    assert fired(store.tick(datetime(2026, 7, 1, tzinfo=UTC))) == [
        (ref, "remind_payment_again"),
        (ref, "send_formal_notice"),
    ]
    assert store.tick(datetime(2026, 8, 1, tzinfo=UTC)) == []
    assert [e[0] for e in timer_entries(store, ref)] == [
        "remind_payment",
        "remind_payment",
        "remind_payment_again",
        "send_formal_notice",
    ]
    assert store.verify() == []


def test_two_overdue_installments_are_each_reminded_by_one_tick(store: Store) -> None:
    """A plan agreed late, with two installments already past, gets both reminded by the same
    tick: the second becomes due once the first is done."""
    ref = started(store)
    testing.approve(store, ref, at=AT)
    store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))
    store.set_payment_plan(
        ref,
        [Installment(date(2026, 4, 10), eur("350")), Installment(date(2026, 4, 20), eur("350"))],
        on=date(2026, 4, 2),
    )
    # before the second reminder of the first installment (15 days after 10 April)
    results = store.tick(datetime(2026, 4, 24, 12, tzinfo=UTC))
    assert [(r.trigger, r.due_at, r.fired) for r in results] == [
        ("remind_payment", datetime(2026, 4, 10, 22, tzinfo=UTC), True),
        ("remind_payment", datetime(2026, 4, 20, 22, tzinfo=UTC), True),
    ]
    assert store.tick(datetime(2026, 4, 24, 13, tzinfo=UTC)) == []


def test_a_timed_trigger_cannot_be_fired_by_hand(store: Store) -> None:
    """`fire` refuses a timed trigger, naming its timer; the listing of triggers leaves it out."""
    ref = signed_mission(store)
    with pytest.raises(TransitionNotAllowedError) as caught:
        store.fire(ref, "remind_deposit", at=AT)
    assert (
        caught.value.reason == "its timer fires it: after the deposit reminder delay of the settings (days)"
    )
    assert "remind_deposit" not in [o.trigger for o in store.triggers(ref)]


def test_a_timer_entry_keeps_the_chain_and_runs_the_hooks(store: Store) -> None:
    """The entry chains like any other, the application's hooks see it (after in the transaction,
    after_commit once durable), and the mission fires on afterwards."""
    ref = signed_mission(store)
    seen: list[tuple[str, str]] = []
    store.hooks.after()(lambda event: seen.append(("after", event.trigger)))
    store.hooks.after_commit()(lambda event: seen.append(("after_commit", event.actor)))
    store.tick(AT + timedelta(days=8))
    assert seen == [("after", "remind_deposit"), ("after_commit", "timer")]
    entry, before = store.history(ref)[-1], store.history(ref)[-2]
    assert entry.prev_hash == before.hash
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 11)))
    store.fire(ref, "confirm_deposit", at=AT + timedelta(days=9))
    assert store.fire(ref, "start_work", at=AT + timedelta(days=9)).dest == "in_progress"
    assert store.verify() == []


def test_missions_of_version_1_have_no_timers(store: Store) -> None:
    """Version 1 of freelance-mission declares no timer: its missions are never reminded."""
    ref = testing.lead(store, version=1, deposit_percent=Decimal("30"), at=AT)
    testing.sign(store, ref, spec=SPEC, at=AT)
    assert store.get_mission(ref).workflow_version == 1
    assert store.list_timers(ref) == []
    assert store.tick(AT + timedelta(days=60)) == []


HOURLY = """\
name: hourly
version: 1
initial: waiting
states:
  - id: waiting
  - id: expired
    final: true
transitions:
  - trigger: expire
    source: waiting
    dest: expired
    after: {hours: 48}
"""


def test_a_timer_of_the_initial_state_counts_from_the_creation(store: Store) -> None:
    """A workflow whose first state is timed schedules its timer when the mission is created."""
    register_workflow(parse_workflow(HOURLY))
    ref = testing.lead(store, workflow="hourly", at=AT)
    assert [(t.trigger, t.due_at) for t in store.list_timers(ref)] == [("expire", AT + timedelta(hours=48))]
    assert fired(store.tick(AT + timedelta(hours=48))) == [(ref, "expire")]
    assert store.get_mission(ref).state == "expired"


def test_a_subject_of_another_domain_has_timers_under_its_own_reference(store: Store) -> None:
    """A subject created with the application's reference gets the timer of its first state; tick
    fires it under that reference and its chain verifies."""
    register_workflow(parse_workflow(HOURLY))
    store.create_subject("hourly", ref="ticket-7", at=AT)
    [timer] = store.list_timers("ticket-7")
    assert (timer.mission, timer.trigger, timer.due_at) == ("ticket-7", "expire", AT + timedelta(hours=48))
    [result] = store.tick(AT + timedelta(hours=49))
    assert (result.mission, result.trigger, result.fired) == ("ticket-7", "expire", True)
    assert store.get_subject("ticket-7").state == "expired"
    assert store.verify() == []
