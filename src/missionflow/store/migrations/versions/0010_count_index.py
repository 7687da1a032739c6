"""Counting missions per state reads an index alone: (state, currency), since subjects that are not
missions (no currency) are left out of the count.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the covering index of the per-state count."""
    op.create_index("ix_mf_missions_state_currency", "mf_missions", ["state", "currency"])


def downgrade() -> None:
    """Drop it."""
    op.drop_index("ix_mf_missions_state_currency", table_name="mf_missions")
