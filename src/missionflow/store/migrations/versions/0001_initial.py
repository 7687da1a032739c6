"""Initial schema: clients, missions, history, the records guards read, invoices, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Plain column types: a migration must not change when the models' Python types evolve.
UTC_DATETIME = sa.DateTime(timezone=True)
CENTS = sa.BigInteger()
DECIMAL_TEXT = sa.String(length=40)

_NO_DELETE_SQLITE = """
CREATE TRIGGER mf_invoices_no_delete BEFORE DELETE ON mf_invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted; issue a credit note'); END
"""
_NO_DELETE_POSTGRESQL = (
    """
CREATE FUNCTION mf_invoices_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'an issued invoice cannot be deleted; issue a credit note'; END $$
""",
    """
CREATE TRIGGER mf_invoices_no_delete BEFORE DELETE ON mf_invoices
FOR EACH ROW EXECUTE FUNCTION mf_invoices_no_delete()
""",
)


def upgrade() -> None:
    """Create every table, index and constraint of the first schema."""
    op.create_table(
        "mf_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("business", sa.Boolean(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("blocked_reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_clients")),
    )
    op.create_table(
        "mf_invoice_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_issued_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_mf_invoice_counters")),
    )
    op.create_table(
        "mf_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_settings")),
    )
    op.create_table(
        "mf_workflow_versions",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("registered_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_mf_workflow_versions")),
    )
    op.create_table(
        "mf_missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("workflow", sa.String(length=100), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_cents", CENTS, nullable=True),
        sa.Column("deposit_percent", DECIMAL_TEXT, nullable=False),
        sa.Column("included_revisions", sa.Integer(), nullable=False),
        sa.Column("extra_revisions", sa.Integer(), nullable=False),
        sa.Column("sessions_planned", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("rush_surcharge_cents", CENTS, nullable=True),
        sa.Column("history_length", sa.Integer(), nullable=False),
        sa.Column("history_head", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "amount_cents IS NULL OR amount_cents >= 0", name=op.f("ck_mf_missions_amount_positive")
        ),
        sa.CheckConstraint("version >= 0", name=op.f("ck_mf_missions_version_positive")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["mf_clients.id"], name=op.f("fk_mf_missions_client_id_mf_clients")
        ),
        sa.ForeignKeyConstraint(
            ["workflow", "workflow_version"],
            ["mf_workflow_versions.name", "mf_workflow_versions.version"],
            name=op.f("fk_mf_missions_workflow_workflow_version_mf_workflow_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_missions")),
    )
    op.create_index(
        "ix_mf_missions_client_updated",
        "mf_missions",
        ["client_id", sa.literal_column("updated_at DESC"), sa.literal_column("id DESC")],
    )
    op.create_index(
        "ix_mf_missions_state_updated",
        "mf_missions",
        ["state", sa.literal_column("updated_at DESC"), sa.literal_column("id DESC")],
    )
    op.create_table(
        "mf_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("agreed_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_amendments_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_amendments")),
    )
    op.create_index(op.f("ix_mf_amendments_mission_id"), "mf_amendments", ["mission_id"])
    op.create_table(
        "mf_contracts",
        sa.Column("mission_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("terms_version", sa.String(length=100), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("acceptance_days", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_mf_contracts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_contracts_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("mission_id", name=op.f("pk_mf_contracts")),
    )
    op.create_table(
        "mf_criteria_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=100), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answered_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_criteria_answers_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_criteria_answers")),
        sa.UniqueConstraint(
            "mission_id", "criterion", name=op.f("uq_mf_criteria_answers_mission_id_criterion")
        ),
    )
    op.create_table(
        "mf_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("dest", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("guards", sa.JSON(), nullable=False),
        sa.Column("out_of_hours", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("position >= 1", name=op.f("ck_mf_history_position_from_one")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_history_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_history")),
        sa.UniqueConstraint(
            "mission_id", "idempotency_key", name=op.f("uq_mf_history_mission_id_idempotency_key")
        ),
        sa.UniqueConstraint("mission_id", "position", name=op.f("uq_mf_history_mission_id_position")),
    )
    op.create_table(
        "mf_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("total_cents", CENTS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("references_id", sa.Integer(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("kind IN ('deposit', 'final', 'credit')", name=op.f("ck_mf_invoices_kind_known")),
        sa.CheckConstraint("total_cents >= 0", name=op.f("ck_mf_invoices_total_positive")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_invoices_mission_id_mf_missions")
        ),
        sa.ForeignKeyConstraint(
            ["references_id"], ["mf_invoices.id"], name=op.f("fk_mf_invoices_references_id_mf_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_mf_invoices_number")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_mf_invoices_year_sequence")),
    )
    op.create_index(op.f("ix_mf_invoices_mission_id"), "mf_invoices", ["mission_id"])
    op.create_table(
        "mf_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", CENTS, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_mf_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_payments_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_payments")),
    )
    op.create_index(op.f("ix_mf_payments_mission_id"), "mf_payments", ["mission_id"])
    op.create_table(
        "mf_specifications",
        sa.Column("mission_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("budget_cents", CENTS, nullable=True),
        sa.Column("budget_currency", sa.String(length=3), nullable=True),
        sa.Column("acceptance", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["mf_missions.id"], name=op.f("fk_mf_specifications_mission_id_mf_missions")
        ),
        sa.PrimaryKeyConstraint("mission_id", name=op.f("pk_mf_specifications")),
    )
    op.create_table(
        "mf_deliverables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"],
            ["mf_specifications.mission_id"],
            name=op.f("fk_mf_deliverables_mission_id_mf_specifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mf_deliverables")),
        sa.UniqueConstraint("mission_id", "position", name=op.f("uq_mf_deliverables_mission_id_position")),
    )
    # An issued invoice is part of the legal record: the database itself refuses to delete it.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(_NO_DELETE_SQLITE)
    elif dialect == "postgresql":
        for statement in _NO_DELETE_POSTGRESQL:
            op.execute(statement)


def downgrade() -> None:
    """Drop everything the upgrade created, dependents first."""
    dialect = op.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        op.execute(
            "DROP TRIGGER IF EXISTS mf_invoices_no_delete"
            + (" ON mf_invoices" if dialect == "postgresql" else "")
        )
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS mf_invoices_no_delete()")
    op.drop_table("mf_deliverables")
    op.drop_table("mf_specifications")
    op.drop_index(op.f("ix_mf_payments_mission_id"), table_name="mf_payments")
    op.drop_table("mf_payments")
    op.drop_index(op.f("ix_mf_invoices_mission_id"), table_name="mf_invoices")
    op.drop_table("mf_invoices")
    op.drop_table("mf_history")
    op.drop_table("mf_criteria_answers")
    op.drop_table("mf_contracts")
    op.drop_index(op.f("ix_mf_amendments_mission_id"), table_name="mf_amendments")
    op.drop_table("mf_amendments")
    op.drop_index("ix_mf_missions_state_updated", table_name="mf_missions")
    op.drop_index("ix_mf_missions_client_updated", table_name="mf_missions")
    op.drop_table("mf_missions")
    op.drop_table("mf_workflow_versions")
    op.drop_table("mf_settings")
    op.drop_table("mf_invoice_counters")
    op.drop_table("mf_clients")
