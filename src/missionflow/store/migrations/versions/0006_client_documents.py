"""Documents a client can receive: the client book's details, priced deliverables, quotes and their
numbering, the contract's lines and VAT rate, and the logos printed on documents.

Existing clients keep working: every new column of ``mf_clients`` has a default (no address yet,
France, French). Existing contracts keep no lines (NULL): they bill their amount as one line.

Revision ID: 0006
Revises: 0008
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None

# Plain column types: a migration must not change when the models' Python types evolve.
UTC_DATETIME = sa.DateTime(timezone=True)
CENTS = sa.BigInteger()
DECIMAL_TEXT = sa.String(length=40)

_CLIENT_COLUMNS = (
    ("address", sa.Text(), ""),
    ("postcode", sa.String(length=20), ""),
    ("city", sa.String(length=100), ""),
    ("country", sa.String(length=2), "FR"),
    ("siren", sa.String(length=9), ""),
    ("siret", sa.String(length=14), ""),
    ("vat_number", sa.String(length=20), ""),
    ("contact", sa.String(length=200), ""),
    ("phone", sa.String(length=50), ""),
    ("language", sa.String(length=2), "fr"),
)
_IMMUTABLE_SQLITE = (
    """
CREATE TRIGGER mf_quotes_no_update BEFORE UPDATE ON mf_quotes
BEGIN SELECT RAISE(ABORT, 'an issued quote cannot be changed; issue a new quote'); END
""",
    """
CREATE TRIGGER mf_quotes_no_delete BEFORE DELETE ON mf_quotes
BEGIN SELECT RAISE(ABORT, 'an issued quote cannot be deleted; issue a new quote'); END
""",
)
_IMMUTABLE_POSTGRESQL = (
    """
CREATE FUNCTION mf_quotes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'an issued quote cannot be changed or deleted; issue a new quote'; END $$
""",
    """
CREATE TRIGGER mf_quotes_immutable BEFORE UPDATE OR DELETE ON mf_quotes
FOR EACH ROW EXECUTE FUNCTION mf_quotes_immutable()
""",
)


def upgrade() -> None:
    """Add the client and deliverable columns, the quote and logo tables, the contract's columns."""
    for name, kind, default in _CLIENT_COLUMNS:
        op.add_column("mf_clients", sa.Column(name, kind, nullable=False, server_default=default))
    op.add_column("mf_deliverables", sa.Column("quantity", DECIMAL_TEXT, nullable=True))
    op.add_column("mf_deliverables", sa.Column("unit", sa.String(length=3), nullable=True))
    op.add_column("mf_deliverables", sa.Column("unit_price_cents", CENTS, nullable=True))
    op.add_column("mf_deliverables", sa.Column("vat_rate", DECIMAL_TEXT, nullable=True))
    op.create_table(
        "mf_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=35), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_cents", CENTS, nullable=False),
        sa.Column("total_cents", CENTS, nullable=False),
        sa.Column("deposit_percent", DECIMAL_TEXT, nullable=False),
        sa.Column("revision_rounds", sa.Integer(), nullable=False),
        sa.Column("vat_rate", DECIMAL_TEXT, nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("copy", sa.JSON(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("total_cents >= 0", name=op.f("ck_mf_quotes_total_positive")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_quotes_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_quotes")),
        sa.UniqueConstraint("number", name=op.f("uq_mf_quotes_number")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_mf_quotes_year_sequence")),
    )
    op.create_index(op.f("ix_mf_quotes_mission_id"), "mf_quotes", ["mission_id"])
    op.create_table(
        "mf_quote_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_issued_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_mf_quote_counters")),
    )
    op.create_table(
        "mf_logos",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_mf_logos")),
    )
    # batch: SQLite adds a foreign key only by copying the table (it has no trigger to lose).
    with op.batch_alter_table("mf_contracts") as batch:
        batch.add_column(sa.Column("quote_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("lines", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("vat_rate", DECIMAL_TEXT, nullable=True))
        batch.create_foreign_key(
            op.f("fk_mf_contracts_quote_id_mf_quotes"), "mf_quotes", ["quote_id"], ["id"]
        )
    statements = _IMMUTABLE_SQLITE if op.get_bind().dialect.name == "sqlite" else _IMMUTABLE_POSTGRESQL
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Drop what the upgrade created, dependents first."""
    with op.batch_alter_table("mf_contracts") as batch:
        batch.drop_constraint(op.f("fk_mf_contracts_quote_id_mf_quotes"), type_="foreignkey")
        batch.drop_column("vat_rate")
        batch.drop_column("lines")
        batch.drop_column("quote_id")
    op.drop_table("mf_logos")
    op.drop_table("mf_quote_counters")
    op.drop_index(op.f("ix_mf_quotes_mission_id"), table_name="mf_quotes")
    op.drop_table("mf_quotes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION mf_quotes_immutable()")
    for name in ("vat_rate", "unit_price_cents", "unit", "quantity"):
        op.drop_column("mf_deliverables", name)
    for name, _kind, _default in reversed(_CLIENT_COLUMNS):
        op.drop_column("mf_clients", name)
