"""Subjects of any workflow: an application's reference, no client required, and the freelance
trade's columns only on freelance missions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

``ref`` holds the application's reference of a subject (NULL: the store's own ``M-<id>``);
``client_id`` and the trade's columns become nullable, with a CHECK that the trade's columns are
all set (a mission) or all NULL (a subject of another domain). Every existing row is a mission
and keeps its values. On SQLite the table is rebuilt (batch mode) from its exact definition, so
its CHECK constraints and indexes survive the copy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
CENTS = sa.BigInteger()
DECIMAL_TEXT = sa.String(length=40)
TRADE_COLUMNS = ("currency", "deposit_percent", "included_revisions", "extra_revisions", "sessions_planned")
TERMS_WHOLE = (
    " AND ".join(f"{c} IS NULL" for c in TRADE_COLUMNS)
    + " OR "
    + " AND ".join(f"{c} IS NOT NULL" for c in TRADE_COLUMNS)
)
TRADE_TYPES: dict[str, sa.types.TypeEngine[str] | sa.types.TypeEngine[int]] = {
    "currency": sa.String(length=3),
    "deposit_percent": DECIMAL_TEXT,
    "included_revisions": sa.Integer(),
    "extra_revisions": sa.Integer(),
    "sessions_planned": sa.Integer(),
}


def _missions(generic: bool) -> sa.Table:
    """mf_missions as revision 0003 left it, or as this one leaves it (``generic``): batch mode on
    SQLite copies from this exact definition rather than from what reflection finds."""
    metadata = sa.MetaData()
    table = sa.Table(
        "mf_missions",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        *([sa.Column("ref", sa.String(length=100), nullable=True)] if generic else []),
        sa.Column("client_id", sa.Integer(), nullable=generic),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("workflow", sa.String(length=100), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=generic),
        sa.Column("amount_cents", CENTS, nullable=True),
        sa.Column("deposit_percent", DECIMAL_TEXT, nullable=generic),
        sa.Column("included_revisions", sa.Integer(), nullable=generic),
        sa.Column("extra_revisions", sa.Integer(), nullable=generic),
        sa.Column("sessions_planned", sa.Integer(), nullable=generic),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("rush_surcharge_cents", CENTS, nullable=True),
        sa.Column("history_length", sa.Integer(), nullable=False),
        sa.Column("history_head", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "amount_cents IS NULL OR amount_cents >= 0", name="ck_mf_missions_amount_positive"
        ),
        sa.CheckConstraint("version >= 0", name="ck_mf_missions_version_positive"),
        sa.ForeignKeyConstraint(["client_id"], ["mf_clients.id"], name="fk_mf_missions_client_id_mf_clients"),
        sa.ForeignKeyConstraint(
            ["workflow", "workflow_version"],
            ["mf_workflow_versions.name", "mf_workflow_versions.version"],
            name="fk_mf_missions_workflow_workflow_version_mf_workflow_versions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mf_missions"),
        *(
            [
                sa.UniqueConstraint("ref", name="uq_mf_missions_ref"),
                sa.CheckConstraint(TERMS_WHOLE, name="ck_mf_missions_terms_whole"),
            ]
            if generic
            else []
        ),
    )
    sa.Index(
        "ix_mf_missions_client_updated",
        table.c.client_id,
        table.c.updated_at.desc(),
        table.c.id.desc(),
    )
    sa.Index(
        "ix_mf_missions_state_updated",
        table.c.state,
        table.c.updated_at.desc(),
        table.c.id.desc(),
    )
    return table


def upgrade() -> None:
    """Add ``ref``, let ``client_id`` and the trade's columns be NULL, tie the trade's columns."""
    with op.batch_alter_table("mf_missions", copy_from=_missions(generic=False)) as batch:
        batch.add_column(sa.Column("ref", sa.String(length=100), nullable=True))
        batch.alter_column("client_id", existing_type=sa.Integer(), nullable=True)
        for name, type_ in TRADE_TYPES.items():
            batch.alter_column(name, existing_type=type_, nullable=True)
        batch.create_unique_constraint(op.f("uq_mf_missions_ref"), ["ref"])
        batch.create_check_constraint(op.f("ck_mf_missions_terms_whole"), TERMS_WHOLE)


def downgrade() -> None:
    """Back to missions only; refused while subjects of another domain (or without a client) exist."""
    remaining = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT COUNT(*) FROM mf_missions WHERE ref IS NOT NULL OR client_id IS NULL OR currency IS NULL"
            )
        )
        .scalar_one()
    )
    if remaining:
        raise RuntimeError(
            f"{remaining} subjects have an application's reference, no client or no freelance terms: "
            "revision 0003 cannot hold them"
        )
    with op.batch_alter_table("mf_missions", copy_from=_missions(generic=True)) as batch:
        batch.drop_constraint(op.f("ck_mf_missions_terms_whole"), type_="check")
        batch.drop_constraint(op.f("uq_mf_missions_ref"), type_="unique")
        for name, type_ in TRADE_TYPES.items():
            batch.alter_column(name, existing_type=type_, nullable=False)
        batch.alter_column("client_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("ref")
