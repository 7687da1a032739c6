"""When timers fall due, without a database: the start (entering the state, the last fire of a
trigger, each moment of a fact), the delay (calendar days and business days of the working
calendar in its time zone, hours), and the triggers that cancel them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from missionflow import InvalidValueError, TransitionBlockedError, fire
from missionflow.freelance import Contract, Mission, Payment, PaymentDue, Settings
from missionflow.freelance.vocabulary import SETTINGS
from missionflow.testing import eur, mission, specification
from missionflow.workflow import (
    DelayUnit,
    GuardContext,
    TimerDef,
    TransitionRecord,
    WeekdayCalendar,
    add_days,
    describe_timer,
    due_timers,
    entered_at,
    load_workflow,
)

V2 = load_workflow("freelance-mission", 2)
FRIDAY = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17:00 in Paris
PARIS = Settings()


def ctx(settings: Settings = PARIS, now: datetime = FRIDAY) -> GuardContext:
    """What a store gives the timer facts: the settings, and them as the working calendar."""
    return GuardContext(now, "timer", "", {}, {SETTINGS: settings}, settings, V2)


def due(subject: Mission, settings: Settings = PARIS) -> dict[str, list[str]]:
    """trigger: the moments it falls due, as ISO texts in UTC."""
    return {
        t.trigger: [m.astimezone(UTC).isoformat() for m in t.moments]
        for t in due_timers(V2, subject, ctx(settings), created_at=FRIDAY - timedelta(days=30))
    }


def record(trigger: str, source: str, dest: str, at: datetime, **data: str) -> TransitionRecord:
    """A history record, as the engine writes them."""
    guards = ("deliverable_in_specification",) if "deliverable" in data else ()
    return TransitionRecord(trigger, source, dest, "me", at, data=data, guards=guards)


def working(*history: TransitionRecord, acceptance_days: int | None = 10) -> Mission:
    """A version 2 mission in progress with this history after its start, and a signed contract."""
    contract = Contract(eur("1000"), "CGV", date(2026, 3, 2), "Acme", acceptance_days)
    start = record("start_work", "deposit_received", "in_progress", datetime(2026, 3, 2, 9, tzinfo=UTC))
    found = mission(state="in_progress", workflow_version=2, contract=contract, specification=specification())
    found.history.extend([start, *history])
    found.state = found.history[-1].dest
    return found


def test_a_deposit_reminder_is_due_days_after_entering_the_state_on_the_wall_clock() -> None:
    """Signed on 25 March at 11:00 in Paris, 7 days later is 1 April at 11:00 in Paris, although
    summer time started in between (09:00 UTC, not 10:00)."""
    signed = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
    subject = mission(state="contract_signed", workflow_version=2)
    subject.history.append(record("sign_contract", "specification", "contract_signed", signed))
    assert due(subject) == {"remind_deposit": ["2026-04-01T09:00:00+00:00"]}
    later = replace(PARIS, deposit_reminder_days=3)
    assert due(subject, later) == {"remind_deposit": ["2026-03-28T10:00:00+00:00"]}


def test_an_approval_reminder_counts_business_days_from_the_last_delivery() -> None:
    """Five working days after a Friday delivery is the next Friday; with Monday to Thursday as
    working days it is the Monday after next; an earlier delivery does not count."""
    subject = working(
        record("deliver", "in_progress", "in_progress", FRIDAY - timedelta(days=3), deliverable="mockups"),
        record("deliver", "in_progress", "in_progress", FRIDAY, deliverable="website"),
    )
    assert due(subject)["remind_approval"] == ["2026-03-13T16:00:00+00:00"]
    four_days = replace(PARIS, working_days=(0, 1, 2, 3))
    assert due(subject, four_days)["remind_approval"] == ["2026-03-16T16:00:00+00:00"]
    assert due(subject)["approve_tacitly"] == ["2026-03-16T16:00:00+00:00"]  # 10 calendar days


def test_a_revision_request_since_the_last_delivery_means_no_approval_timer() -> None:
    """unless_fired_since: after a revision request the client is not silent, until the next delivery."""
    delivered = record("deliver", "in_progress", "in_progress", FRIDAY, deliverable="website")
    asked = record("request_revision", "in_progress", "revisions", FRIDAY + timedelta(hours=1))
    assert due(working(delivered, asked)) == {}
    again = record("deliver", "revisions", "revisions", FRIDAY + timedelta(days=2), deliverable="website")
    assert sorted(due(working(delivered, asked, again))) == ["approve_tacitly", "remind_approval"]


def test_no_acceptance_period_means_no_tacit_approval_timer() -> None:
    """The delay fact gives nothing without an acceptance period in the contract: no timer then."""
    delivered = record("deliver", "in_progress", "in_progress", FRIDAY, deliverable="website")
    assert list(due(working(delivered, acceptance_days=None))) == ["remind_approval"]


def test_a_payment_reminder_is_due_the_day_after_each_due_date_still_owed() -> None:
    """One moment per payment still owed, the start of the day after its due date in Paris; a
    payment owing nothing has none."""
    subject = mission(state="invoiced", workflow_version=2)
    subject.history.append(record("invoice", "approved", "invoiced", FRIDAY))
    subject.dues = (
        PaymentDue("installment #2", date(2026, 5, 20), eur("350")),
        PaymentDue("installment #1", date(2026, 4, 20), eur("350")),
        PaymentDue("invoice 2026-0001", date(2026, 4, 1), eur("0")),
    )
    assert due(subject) == {"remind_payment": ["2026-04-20T22:00:00+00:00", "2026-05-20T22:00:00+00:00"]}


def test_the_state_is_entered_by_a_move_or_a_self_loop_not_by_an_internal_step() -> None:
    """A delivery stays in the state without entering it again; a revision round re-enters
    `revisions`; a record the workflow does not know that stays in the state (a move to another
    version) does not enter it; a subject that never left its first state entered it when created."""
    entering = record("request_revision", "in_progress", "revisions", FRIDAY)
    delivery = record("deliver", "revisions", "revisions", FRIDAY + timedelta(days=1), deliverable="x")
    again = record("request_revision", "revisions", "revisions", FRIDAY + timedelta(days=2))
    moved = record("migrate", "revisions", "revisions", FRIDAY + timedelta(days=3))
    assert entered_at(V2, [entering, delivery], "revisions", None) == FRIDAY
    assert entered_at(V2, [entering, delivery, again, moved], "revisions", None) == again.at
    created = FRIDAY - timedelta(days=9)
    assert entered_at(V2, [], "lead", created) == created
    assert entered_at(V2, [], "lead", None) is None


def test_days_hours_and_business_days_are_counted_with_the_calendar() -> None:
    """Hours are elapsed time; without a calendar, business days are Monday to Friday in UTC; a
    calendar without a working day is refused rather than searched forever."""
    assert add_days(FRIDAY, 1, WeekdayCalendar(), business=True) == FRIDAY + timedelta(days=3)
    assert add_days(FRIDAY, 2, WeekdayCalendar(), business=False) == FRIDAY + timedelta(days=2)
    no_days = replace(PARIS, working_days=())
    with pytest.raises(InvalidValueError, match="it has no working day"):
        add_days(FRIDAY, 1, no_days, business=True)
    hourly = mission(state="contract_signed", workflow_version=2)
    hourly.history.append(record("sign_contract", "specification", "contract_signed", FRIDAY))
    bare = GuardContext(FRIDAY, definition=V2)  # no calendar, no settings: the defaults
    [timer] = due_timers(V2, hourly, bare)
    assert timer.due_at == FRIDAY + timedelta(days=7)


@pytest.mark.parametrize(
    ("timer", "english", "french"),
    [
        (TimerDef(DelayUnit.DAYS, 1), "after 1 day", "après 1 jour"),
        (TimerDef(DelayUnit.HOURS, 48), "after 48 hours", "après 48 heures"),
        (
            TimerDef(DelayUnit.BUSINESS_DAYS, 5, since_last=("deliver",), unless_fired_since=("a", "b")),
            "5 business days after the last deliver, unless a or b since",
            "5 jours ouvrés après le dernier deliver, sauf a ou b entre-temps",
        ),
        (
            TimerDef(DelayUnit.DAYS, fact="acceptance_days"),
            "after the acceptance period of the contract (days)",
            "après le délai de validation du contrat (jours)",
        ),
        (
            TimerDef(DelayUnit.DAYS, 1, since_fact="payment_due"),
            "1 day after each payment's due date",
            "1 jour après l'échéance de chaque paiement",
        ),
    ],
)
def test_a_timer_says_when_it_falls_due_in_english_and_french(
    timer: TimerDef, english: str, french: str
) -> None:
    """The words of diagrams and `workflow show`; another language reads English."""
    assert (describe_timer(timer), describe_timer(timer, "fr"), describe_timer(timer, "de")) == (
        english,
        french,
        english,
    )


def test_an_in_memory_subject_fires_its_timer_when_the_application_says_it_is_due() -> None:
    """Without a store, an application asks due_timers and fires with timer=True; the guard
    decides: a deposit received means the reminder is refused."""
    subject = mission(state="contract_signed", workflow_version=2, amount=eur("1000"))
    subject.contract = Contract(eur("1000"), "CGV", date(2026, 3, 2))
    record_ = fire(subject, "remind_deposit", at=FRIDAY, actor="timer", timer=True)
    assert (record_.trigger, record_.dest, record_.guards) == (
        "remind_deposit",
        "contract_signed",
        ("deposit_missing",),
    )
    subject.payments.append(Payment(eur("300"), date(2026, 3, 6)))
    with pytest.raises(TransitionBlockedError) as refused:
        fire(subject, "remind_deposit", at=FRIDAY, actor="timer", timer=True)
    assert refused.value.reasons == ("the deposit of 300.00 EUR is received",)
