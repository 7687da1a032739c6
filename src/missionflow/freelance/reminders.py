"""Reminders and deadlines as durable rows with a due time: their kinds, when each falls due, and
what ``tick`` decides when one comes up (remind, or skip because it no longer applies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from missionflow.freelance.balances import InstallmentStatus, InvoiceBalance
from missionflow.freelance.mission import Mission

DEPOSIT_MISSING = "deposit_missing"
APPROVAL_OVER = "approval_over"
INVOICE_DUE = "invoice_due"
INSTALLMENT_DUE = "installment_due"
REMINDER_KINDS = (DEPOSIT_MISSING, APPROVAL_OVER, INVOICE_DUE, INSTALLMENT_DUE)
"""deposit not received N days after the signature; the client's approval period is over;
an invoice is unpaid after its due date; an installment is unpaid after its due date."""

REMIND_TRIGGER = "remind"
"""The trigger name of the history entries ``tick`` writes (source and dest are the current state)."""
TICK_ACTOR = "missionflow tick"


@dataclass(frozen=True)
class ReminderRecord:
    """A stored reminder: when it falls due and, once ``tick`` looked at it, what it did."""

    mission: str
    kind: str
    subject: str
    due_at: datetime
    done_at: datetime | None
    outcome: str

    @property
    def pending(self) -> bool:
        """True until ``tick`` has processed it."""
        return self.done_at is None


@dataclass(frozen=True)
class ReminderResult:
    """What one ``tick`` did with one due reminder: a history entry (``reminded``) or a skip."""

    mission: str
    kind: str
    subject: str
    due_at: datetime
    reminded: bool
    message: str


def day_after(day: date, timezone: str) -> datetime:
    """The first moment after ``day`` ends in the freelancer's timezone (when a due date is missed).

    >>> day_after(date(2027, 1, 31), "Europe/Paris").isoformat()
    '2027-01-31T23:00:00+00:00'
    """
    local = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def deposit_message(mission: Mission, days: int, final_state: bool) -> tuple[bool, str]:
    """Remind about a deposit still missing after the signature, unless it arrived meanwhile."""
    due = mission.deposit_due
    paid = mission.paid_total
    if final_state:
        return False, f"skipped: the mission is {mission.state}"
    if paid >= due:
        return False, f"skipped: the deposit of {due} is received"
    return True, (
        f"deposit not received {days} days after the signature: {paid} of {due} paid; "
        "no work before the deposit"
    )


def approval_message(
    mission: Mission, delivery_position: int, days: int, can_approve: bool
) -> tuple[bool, str]:
    """Say that the client's approval period after a delivery is over (tacit approval may apply),
    unless the work was approved, or delivered again since (that delivery has its own reminder)."""
    if not can_approve:
        return False, f"skipped: the mission is {mission.state}"
    later = [
        position
        for position, record in enumerate(mission.history, start=1)
        if position > delivery_position and record.delivery is not None
    ]
    if later:
        return False, f"skipped: delivered again since (history entry #{later[-1]})"
    return True, (
        f"approval period over: {days} days since the last delivery without an answer; "
        "the work may be approved (approve)"
    )


def invoice_message(balance: InvoiceBalance | None, covered_by_plan: bool) -> tuple[bool, str]:
    """Remind about an unpaid invoice after its due date, unless it is paid, cancelled or in a plan."""
    if balance is None:
        return False, "skipped: no such invoice"
    if balance.status in ("paid", "cancelled", "credit"):
        return False, f"skipped: invoice {balance.number} is {balance.status}"
    if covered_by_plan:
        return False, f"skipped: invoice {balance.number} is paid by installments"
    return True, (
        f"invoice {balance.number} is overdue since {balance.due_on.isoformat()}: "
        f"{balance.balance} still due of {balance.total}"
    )


def installment_message(installment: InstallmentStatus | None, plan_current: bool) -> tuple[bool, str]:
    """Remind about an unpaid installment after its due date, unless paid or its plan was replaced."""
    if installment is None or not plan_current:
        return False, "skipped: the plan was replaced"
    if installment.status == "paid":
        return False, f"skipped: installment #{installment.position} is paid"
    return True, (
        f"installment #{installment.position} due {installment.due_on.isoformat()} is unpaid: "
        f"{installment.balance} still due of {installment.amount}"
    )
