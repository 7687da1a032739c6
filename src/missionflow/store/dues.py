"""What a mission still owes, by due date (``Mission.dues``): what its payment timers count from
and its ``payment_overdue`` guard reads. Derived each time from the invoices, the payments and
the current plan, like every balance (see :mod:`missionflow.store.account_reads`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from missionflow.freelance import PaymentDue
from missionflow.store.account_reads import Account, account


def dues_of(found: Account) -> tuple[PaymentDue, ...]:
    """Every open invoice a plan does not reschedule, and every installment of the current plan
    not paid in full, by due date."""
    dues: list[PaymentDue] = []
    covered = set(found.plan.covers) if found.plan is not None else set()
    for balance in found.balances:
        if balance.is_open and balance.number not in covered:
            dues.append(PaymentDue(f"invoice {balance.number}", balance.due_on, balance.balance))
    if found.plan is not None:
        for installment in found.plan.installments:
            if installment.balance.amount > 0:
                dues.append(
                    PaymentDue(
                        f"installment #{installment.position}", installment.due_on, installment.balance
                    )
                )
    return tuple(sorted(dues, key=lambda due: (due.due_on, due.what)))


def load_dues(connection: Connection, mission_id: int) -> tuple[PaymentDue, ...]:
    """What the mission still owes, read in the connection's transaction."""
    # Balances do not depend on the day they are read on (statuses do, and are not kept here).
    today = datetime.now(UTC).date()
    with Session(bind=connection) as session:
        return dues_of(account(session, mission_id, today))
