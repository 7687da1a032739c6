"""The tamper-evident ledger: its entries and head, the anchor an invoice was issued under, and
every covered row of the database adopted as the ledger's first entries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the ledger and its head, then seal what the database holds as its first entries."""
    # Plain ALTER TABLE (SQLite 3.35+): a batch copy of the table would drop its no-delete trigger.
    op.add_column("mf_invoices", sa.Column("ledger_anchor", sa.String(length=100), nullable=True))
    op.create_table(
        "mf_ledger",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("row_key", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("subject_prev", sa.String(length=64), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_mf_ledger_seq_from_one")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_mf_ledger")),
    )
    op.create_index("ix_mf_ledger_subject_seq", "mf_ledger", ["subject", "seq"])
    op.create_table(
        "mf_ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ledger_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("head_mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_ledger_head")),
    )
    # The rows already there become the ledger's first entries, sealed with the key the store was
    # opened with (or the user's key ring): the one place a migration seals anything.
    from missionflow.store.ledger import open_ledger
    from missionflow.store.ledger_keys import load_keyring

    given = context.config.attributes.get("ledger_keyring")
    keyring = given() if callable(given) else load_keyring()
    open_ledger(op.get_bind(), keyring)


def downgrade() -> None:
    """Drop the ledger, then the invoices' anchor column."""
    op.drop_table("mf_ledger_head")
    op.drop_index("ix_mf_ledger_subject_seq", table_name="mf_ledger")
    op.drop_table("mf_ledger")
    op.drop_column("mf_invoices", "ledger_anchor")
