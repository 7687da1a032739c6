"""Installment plans as rows: the current plan of missions, and a plan replaced (by a new plan, or
because an invoice it counted on was cancelled); the mission's payment timers follow when the
transaction ends (see :mod:`missionflow.store.timers`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.store.models import PaymentPlanRow
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


def replace_plan(session: Session, plan: PaymentPlanRow) -> None:
    """End a plan: it is no longer current."""
    plan.replaced_at = now()
