"""Billing: what an invoice states when issued, installment plans, and reminders for ``tick``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Plain column types: a migration must not change when the models' Python types evolve.
UTC_DATETIME = sa.DateTime(timezone=True)
CENTS = sa.BigInteger()


def upgrade() -> None:
    """Add the invoices' terms column and the plan, installment and reminder tables."""
    # Nullable: invoices issued before this revision have no copy of their terms.
    op.add_column("mf_invoices", sa.Column("terms", sa.JSON(), nullable=True))
    op.create_table(
        "mf_payment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_before_cents", CENTS, nullable=False),
        sa.Column("covers", sa.JSON(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("replaced_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_mf_payment_plans_amount_positive")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_payment_plans_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_payment_plans")),
    )
    op.create_index(op.f("ix_mf_payment_plans_mission_id"), "mf_payment_plans", ["mission_id"])
    op.create_table(
        "mf_installments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_mf_installments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["mf_payment_plans.id"], name=op.f("fk_mf_installments_plan_id_mf_payment_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_installments")),
        sa.UniqueConstraint("plan_id", "position", name=op.f("uq_mf_installments_plan_id_position")),
    )
    op.create_table(
        "mf_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_reminders_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_reminders")),
        sa.UniqueConstraint(
            "mission_id", "kind", "subject", name=op.f("uq_mf_reminders_mission_id_kind_subject")
        ),
    )
    op.create_index("ix_mf_reminders_pending", "mf_reminders", ["done_at", "due_at"])


def downgrade() -> None:
    """Drop what the upgrade created, dependents first."""
    op.drop_index("ix_mf_reminders_pending", table_name="mf_reminders")
    op.drop_table("mf_reminders")
    op.drop_table("mf_installments")
    op.drop_index(op.f("ix_mf_payment_plans_mission_id"), table_name="mf_payment_plans")
    op.drop_table("mf_payment_plans")
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of the table would drop its no-delete trigger.
    op.drop_column("mf_invoices", "terms")
