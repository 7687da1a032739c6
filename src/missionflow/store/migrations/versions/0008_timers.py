"""Declared timers: one row per timer of a mission's state, fired once by ``tick``; the hard-coded
reminders they replace go.

Pending reminders of missions still under ``freelance-mission`` version 1 end with the table:
``missionflow workflow migrate freelance-mission --to 2`` gives those missions the timers that
version 2 declares.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

# Plain column types: a migration must not change when the models' Python types evolve.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the timers table and its indexes; drop the reminders table."""
    op.create_table(
        "mf_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'fired', 'skipped', 'cancelled')", name=op.f("ck_mf_timers_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_timers_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_timers")),
        sa.UniqueConstraint(
            "mission_id",
            "trigger",
            "source",
            "due_at",
            name=op.f("uq_mf_timers_mission_id_trigger_source_due_at"),
        ),
    )
    op.create_index("ix_mf_timers_due", "mf_timers", ["status", "due_at"])
    op.create_index("ix_mf_timers_mission", "mf_timers", ["mission_id", "status"])
    op.drop_index("ix_mf_reminders_pending", table_name="mf_reminders")
    op.drop_table("mf_reminders")


def downgrade() -> None:
    """Put the (empty) reminders table back and drop the timers."""
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
    op.drop_index("ix_mf_timers_mission", table_name="mf_timers")
    op.drop_index("ix_mf_timers_due", table_name="mf_timers")
    op.drop_table("mf_timers")
