"""Payments recorded with an idempotency key (a webhook's delivery id) are recorded once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable key and a unique index on it (several NULLs stay allowed on both databases)."""
    op.add_column("mf_payments", sa.Column("idempotency_key", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_mf_payments_idempotency_key"), "mf_payments", ["idempotency_key"], unique=True)


def downgrade() -> None:
    """Drop the index, then the column."""
    op.drop_index(op.f("ix_mf_payments_idempotency_key"), table_name="mf_payments")
    op.drop_column("mf_payments", "idempotency_key")
