"""Reminders that leave the machine: the reminder letters a timer produces (first reminder, second
reminder, formal notice) in their own yearly series, and the documents e-mailed to clients.

Nothing existing changes: letters and sendings start empty.

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

# Plain column types: a migration must not change when the models' Python types evolve.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the letters, their counters and the sendings."""
    op.create_table(
        "mf_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=35), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("copy", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "kind IN ('first_reminder', 'second_reminder', 'formal_notice')",
            name=op.f("ck_mf_letters_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_letters_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_letters")),
        sa.UniqueConstraint("number", name=op.f("uq_mf_letters_number")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_mf_letters_year_sequence")),
    )
    op.create_index(op.f("ix_mf_letters_mission_id"), "mf_letters", ["mission_id"])
    op.create_table(
        "mf_letter_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_mf_letter_counters")),
    )
    op.create_table(
        "mf_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=35), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_sendings_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_sendings")),
    )
    op.create_index(op.f("ix_mf_sendings_mission_id"), "mf_sendings", ["mission_id"])
    op.create_index(op.f("ix_mf_sendings_document"), "mf_sendings", ["document"])


def downgrade() -> None:
    """Drop what the upgrade created."""
    op.drop_index(op.f("ix_mf_sendings_document"), table_name="mf_sendings")
    op.drop_index(op.f("ix_mf_sendings_mission_id"), table_name="mf_sendings")
    op.drop_table("mf_sendings")
    op.drop_table("mf_letter_counters")
    op.drop_index(op.f("ix_mf_letters_mission_id"), table_name="mf_letters")
    op.drop_table("mf_letters")
