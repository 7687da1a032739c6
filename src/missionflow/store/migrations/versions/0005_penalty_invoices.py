"""Late-payment invoices: the interest and the recovery indemnity owed for paying late are billed by
an invoice of kind ``penalty``, numbered in the same gapless series.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KINDS_BEFORE = "kind IN ('deposit', 'final', 'credit')"
_KINDS_AFTER = "kind IN ('deposit', 'final', 'penalty', 'credit')"
_CONSTRAINT = "ck_mf_invoices_kind_known"
_NO_DELETE_SQLITE = """
CREATE TRIGGER mf_invoices_no_delete BEFORE DELETE ON mf_invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted; issue a credit note'); END
"""


def _replace_check(condition: str) -> None:
    """Put ``condition`` in place of the invoice kinds' CHECK constraint."""
    if op.get_bind().dialect.name == "sqlite":
        # SQLite changes a constraint by copying the table; its no-delete trigger goes with the old
        # table and is created again on the new one.
        op.execute("DROP TRIGGER IF EXISTS mf_invoices_no_delete")
        with op.batch_alter_table("mf_invoices", recreate="always") as batch:
            batch.drop_constraint(op.f(_CONSTRAINT), type_="check")
            batch.create_check_constraint(op.f(_CONSTRAINT), condition)
        op.execute(_NO_DELETE_SQLITE)
        return
    op.drop_constraint(op.f(_CONSTRAINT), "mf_invoices", type_="check")
    op.create_check_constraint(op.f(_CONSTRAINT), "mf_invoices", condition)


def upgrade() -> None:
    """Allow the kind ``penalty``."""
    _replace_check(_KINDS_AFTER)


def downgrade() -> None:
    """Refuse the kind ``penalty`` again (a database holding one cannot go down)."""
    _replace_check(_KINDS_BEFORE)
