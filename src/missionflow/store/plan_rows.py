"""Installment plans as rows: the current plan of missions, and a plan replaced (by a new plan, or
because an invoice it counted on was cancelled) with its pending reminders closed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from missionflow.freelance.reminders import INSTALLMENT_DUE
from missionflow.store.models import PaymentPlanRow, ReminderRow
from missionflow.store.session import now

IS_CURRENT_PLAN = PaymentPlanRow.replaced_at.is_(None)
"""A plan stays current until a new plan or a credit note replaces it."""


def current_plans(session: Session, mission_ids: Sequence[int]) -> dict[int, PaymentPlanRow]:
    """The current payment plan of each of these missions that has one (the newest, if several)."""
    plans: dict[int, PaymentPlanRow] = {}
    for plan in session.scalars(
        select(PaymentPlanRow)
        .where(PaymentPlanRow.mission_id.in_(mission_ids), IS_CURRENT_PLAN)
        .order_by(PaymentPlanRow.id)
    ):
        plans[plan.mission_id] = plan  # ordered by id: the newest is kept
    return plans


def current_plan(session: Session, mission_id: int) -> PaymentPlanRow | None:
    """The mission's current payment plan, or None."""
    return current_plans(session, [mission_id]).get(mission_id)


def replace_plan(session: Session, plan: PaymentPlanRow, outcome: str) -> None:
    """End a plan: it is no longer current, and its pending installment reminders are closed."""
    moment = now()
    plan.replaced_at = moment
    session.execute(
        update(ReminderRow)
        .where(
            ReminderRow.mission_id == plan.mission_id,
            ReminderRow.kind == INSTALLMENT_DUE,
            ReminderRow.subject.startswith(f"plan {plan.id} #"),
            ReminderRow.done_at.is_(None),
        )
        .values(done_at=moment, outcome=outcome)
        .execution_options(synchronize_session=False)
    )
