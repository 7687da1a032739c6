"""Reminders and deadlines as durable rows processed by Store.tick, on SQLite and PostgreSQL: each
acts once however often (or however concurrently) tick runs, and its history entry keeps the chain."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from missionflow import Store, testing
from missionflow.freelance import Deliverable, Installment, Payment, Specification
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


def reminders_in_history(store: Store, ref: str) -> list[tuple[str, str]]:
    """(kind, subject) of every remind entry of the mission, in order."""
    return [
        (e.record.data["reminder"], e.record.data["subject"])
        for e in store.history(ref)
        if e.record.trigger == "remind"
    ]


def test_tick_twice_at_the_same_time_changes_nothing_the_second_time(store: Store) -> None:
    """The second run at the same time processes nothing and writes nothing."""
    ref = signed_mission(store)
    now = AT + timedelta(days=8)
    first = store.tick(now)
    assert [(r.kind, r.reminded) for r in first] == [("deposit_missing", True)]
    assert "deposit not received 7 days after the signature: 0.00 EUR of 300.00 EUR paid" in first[0].message
    mission = store.get_mission(ref)
    reminders = store.list_reminders(ref)
    assert store.tick(now) == []
    again = store.get_mission(ref)
    assert (again.version, again.history) == (mission.version, mission.history)
    assert store.list_reminders(ref) == reminders
    assert reminders_in_history(store, ref) == [("deposit_missing", "contract")]


def test_ticking_at_later_times_fires_each_reminder_exactly_once(store: Store) -> None:
    """Deposit, approval period and invoice due each give one history entry when their time comes."""
    ref = signed_mission(store, acceptance_days=5)
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 2))
    assert store.tick(AT + timedelta(days=1)) == []
    assert [r.kind for r in store.tick(AT + timedelta(days=8))] == ["deposit_missing"]
    assert store.tick(AT + timedelta(days=9)) == []
    paid_at = datetime(2026, 3, 12, 10, tzinfo=UTC)
    store.record_payment(ref, Payment(eur("300"), paid_at.date()))
    store.fire(ref, "confirm_deposit", at=paid_at)
    store.fire(ref, "start_work", at=paid_at)
    store.fire(ref, "deliver", data={"deliverable": "logo"}, at=paid_at)
    assert [(r.kind, r.reminded) for r in store.tick(paid_at + timedelta(days=6))] == [
        ("approval_over", True)
    ]
    store.fire(ref, "approve", at=paid_at + timedelta(days=6))
    _, final = store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))
    processed = store.tick(datetime(2026, 4, 3, tzinfo=UTC))
    assert [(r.subject, r.reminded) for r in processed] == [(deposit.number, False)]  # paid: skipped
    assert store.tick(datetime(2026, 5, 1, 12, tzinfo=UTC)) == []  # due today, not late yet
    late = store.tick(datetime(2026, 5, 2, 12, tzinfo=UTC))
    assert [(r.kind, r.subject, r.reminded) for r in late] == [("invoice_due", final.number, True)]
    assert store.tick(datetime(2026, 6, 1, tzinfo=UTC)) == []
    assert reminders_in_history(store, ref) == [
        ("deposit_missing", "contract"),
        ("approval_over", "delivery #7"),
        ("invoice_due", final.number),
    ]
    assert all(not r.pending for r in store.list_reminders(ref))
    assert store.verify() == []


def test_a_reminder_that_no_longer_applies_is_skipped_without_history(store: Store) -> None:
    """A deposit paid in time makes its reminder a recorded skip, with no history entry."""
    ref = signed_mission(store)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 3)))
    length = len(store.history(ref))
    [result] = store.tick(AT + timedelta(days=30))
    assert (result.reminded, result.message) == (False, "skipped: the deposit of 300.00 EUR is received")
    assert len(store.history(ref)) == length
    [reminder] = store.list_reminders(ref)
    assert reminder.outcome == result.message
    assert reminder.done_at is not None


def test_a_later_delivery_supersedes_the_earlier_approval_reminder(store: Store) -> None:
    """Only the approval period of the last delivery is reminded."""
    ref = signed_mission(store, acceptance_days=5)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 2)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    store.fire(ref, "deliver", data={"deliverable": "logo"}, at=AT)
    store.fire(ref, "request_revision", at=AT + timedelta(days=1))
    store.fire(ref, "deliver", data={"deliverable": "logo"}, at=AT + timedelta(days=2))
    results = [r for r in store.tick(AT + timedelta(days=10)) if r.kind == "approval_over"]
    assert [(r.subject, r.reminded) for r in results] == [("delivery #6", False), ("delivery #8", True)]
    assert "delivered again" in results[0].message


def test_a_remind_entry_keeps_the_chain_and_later_fires_work(store: Store) -> None:
    """The remind entry stays in its state, chains like any entry, and the mission fires on afterwards."""
    ref = signed_mission(store)
    store.tick(AT + timedelta(days=8))
    entry = store.history(ref)[-1]
    assert (entry.record.trigger, entry.record.source, entry.record.dest) == (
        "remind",
        "contract_signed",
        "contract_signed",
    )
    assert entry.record.actor == "missionflow tick"
    assert entry.prev_hash == store.history(ref)[-2].hash
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 11)))
    store.fire(ref, "confirm_deposit", at=AT + timedelta(days=9))
    assert store.fire(ref, "start_work", at=AT + timedelta(days=9)).dest == "in_progress"
    assert store.verify() == []


def test_a_new_plan_supersedes_the_reminders_of_the_old_one(store: Store) -> None:
    """Installment reminders of a replaced plan never fire; the new plan's each fire once."""
    ref = signed_mission(store)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 2)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    store.fire(ref, "deliver", data={"deliverable": "logo"}, at=AT)
    store.fire(ref, "approve", at=AT)
    store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))
    store.set_payment_plan(ref, [Installment(date(2026, 4, 10), eur("700"))], on=date(2026, 4, 2))
    store.set_payment_plan(
        ref,
        [Installment(date(2026, 4, 20), eur("350")), Installment(date(2026, 5, 20), eur("350"))],
        on=date(2026, 4, 3),
    )
    superseded = [r for r in store.list_reminders(ref) if r.subject == "plan 1 #1"]
    assert [(r.pending, r.outcome) for r in superseded] == [(False, "superseded by a new plan")]
    first = store.tick(datetime(2026, 4, 25, tzinfo=UTC))
    assert [(r.subject, r.reminded) for r in first] == [("contract", False), ("plan 2 #1", True)]
    second = store.tick(datetime(2026, 6, 1, tzinfo=UTC))
    assert [(r.subject, r.reminded, r.message) for r in second] == [
        ("2026-0001", False, "skipped: invoice 2026-0001 is paid by installments"),
        ("plan 2 #2", True, "installment #2 due 2026-05-20 is unpaid: 350.00 EUR still due of 350.00 EUR"),
    ]
    assert reminders_in_history(store, ref) == [
        ("installment_due", "plan 2 #1"),
        ("installment_due", "plan 2 #2"),
    ]


TICK_WORKER = """
from datetime import datetime
from missionflow import open_store
with open_store(url, create=False) as store:
    store.list_reminders()
    barrier.wait(timeout=60)
    results.put([r.mission for r in store.tick(datetime.fromisoformat(now)) if r.reminded])
"""


def test_concurrent_ticks_act_once_on_each_reminder(store: Store, store_url: str) -> None:
    """Four processes ticking at once remind each of three missions exactly once between them."""
    refs = [signed_mission(store, client=f"Client {n}") for n in range(3)]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["missionflow"])
    barrier = context.Barrier(4)
    results = context.Queue()
    now = (AT + timedelta(days=8)).isoformat()
    workers = [
        context.Process(
            target=exec,
            args=(TICK_WORKER, {"url": store_url, "now": now, "barrier": barrier, "results": results}),
        )
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    try:
        reminded = [ref for _ in workers for ref in results.get(timeout=120)]
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
        results.close()
    assert sorted(reminded) == sorted(refs)
    for ref in refs:
        assert reminders_in_history(store, ref) == [("deposit_missing", "contract")]
    assert store.verify() == []
