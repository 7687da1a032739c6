"""The database tables, as typed SQLAlchemy models; every table name starts with ``mf_``.

The prefix lets an application keep missionflow's tables in its own database. Money is
stored in whole cents with its currency, times in UTC, percentages as exact text.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from missionflow.store.types import Cents, DecimalText, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, the same on SQLite and PostgreSQL (migrations refer to them)."""


class Base(DeclarativeBase):
    """The declarative base of missionflow's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SettingsRow(Base):
    """The freelancer's settings: one row (id 1) holding them as JSON."""

    __tablename__ = "mf_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkflowVersionRow(Base):
    """The source text of every workflow version a mission started under, so its rules stay loadable."""

    __tablename__ = "mf_workflow_versions"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # a workflow file may hold up to 1 MB (workflow.yaml_nodes.MAX_BYTES); store.limits reads this
    source_text: Mapped[str] = mapped_column(Text, info={"max_chars": 2_000_000})
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClientRow(Base):
    """A client; ``blocked`` clients fail ``client_not_blocked``; ``company`` is the legal name."""

    __tablename__ = "mf_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    company: Mapped[str] = mapped_column(String(200))
    business: Mapped[bool] = mapped_column(Boolean)
    blocked: Mapped[bool] = mapped_column(Boolean)
    blocked_reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(Text, server_default="")
    postcode: Mapped[str] = mapped_column(String(20), server_default="")
    city: Mapped[str] = mapped_column(String(100), server_default="")
    country: Mapped[str] = mapped_column(String(2), server_default="FR")
    siren: Mapped[str] = mapped_column(String(9), server_default="")
    siret: Mapped[str] = mapped_column(String(14), server_default="")
    vat_number: Mapped[str] = mapped_column(String(20), server_default="")
    contact: Mapped[str] = mapped_column(String(200), server_default="")
    phone: Mapped[str] = mapped_column(String(50), server_default="")
    language: Mapped[str] = mapped_column(String(2), server_default="fr")


TRADE_COLUMNS = ("currency", "deposit_percent", "included_revisions", "extra_revisions", "sessions_planned")
"""The freelance trade's columns of a subject row: all set on a mission, all NULL on a subject of
another domain (a CHECK says so), which the trade's code never loads (``rows.mission_row``)."""


class MissionRow(Base):
    """A subject of a workflow: its reference, state, chain head and ``version`` (bumped by every
    write its guards can see). A freelance mission also has its terms (TRADE_COLUMNS) and a client;
    a subject of another domain has neither, and its facts live in the application's tables."""

    __tablename__ = "mf_missions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workflow", "workflow_version"],
            ["mf_workflow_versions.name", "mf_workflow_versions.version"],
        ),
        CheckConstraint("version >= 0", name="version_positive"),
        CheckConstraint("amount_cents IS NULL OR amount_cents >= 0", name="amount_positive"),
        CheckConstraint(
            " AND ".join(f"{c} IS NULL" for c in TRADE_COLUMNS)
            + " OR "
            + " AND ".join(f"{c} IS NOT NULL" for c in TRADE_COLUMNS),
            name="terms_whole",
        ),
        UniqueConstraint("ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(100))
    """The application's reference; NULL for the store's own ``M-<id>``."""
    client_id: Mapped[int | None] = mapped_column(ForeignKey("mf_clients.id"))
    title: Mapped[str] = mapped_column(String(300))
    workflow: Mapped[str] = mapped_column(String(100))
    workflow_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(100))
    # Typed as on a mission: code of the trade reads them only from a mission's row.
    currency: Mapped[str] = mapped_column(String(3), nullable=True)
    amount_cents: Mapped[Decimal | None] = mapped_column(Cents)
    deposit_percent: Mapped[Decimal] = mapped_column(DecimalText, nullable=True)
    included_revisions: Mapped[int] = mapped_column(Integer, nullable=True)
    extra_revisions: Mapped[int] = mapped_column(Integer, nullable=True)
    sessions_planned: Mapped[int] = mapped_column(Integer, nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date)
    rush_surcharge_cents: Mapped[Decimal | None] = mapped_column(Cents)
    history_length: Mapped[int] = mapped_column(Integer)
    history_head: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def is_mission(self) -> bool:
        """True for a freelance mission (its terms are set), False for another domain's subject."""
        return self.currency is not None


# Listings by state (or client), most recently updated first, the id breaking ties: index order.
Index("ix_mf_missions_state_updated", MissionRow.state, MissionRow.updated_at.desc(), MissionRow.id.desc())
Index(
    "ix_mf_missions_client_updated", MissionRow.client_id, MissionRow.updated_at.desc(), MissionRow.id.desc()
)
# The per-state count leaves out subjects without currency: this index alone answers it.
Index("ix_mf_missions_state_currency", MissionRow.state, MissionRow.currency)


class HistoryRow(Base):
    """One fired trigger; rows are only ever appended, and each one hashes its predecessor."""

    __tablename__ = "mf_history"
    __table_args__ = (
        UniqueConstraint("mission_id", "position"),
        UniqueConstraint("mission_id", "idempotency_key"),
        CheckConstraint("position >= 1", name="position_from_one"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"))
    position: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100))
    dest: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, str]] = mapped_column(JSON)
    guards: Mapped[list[str]] = mapped_column(JSON)
    out_of_hours: Mapped[bool] = mapped_column(Boolean)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CriterionAnswerRow(Base):
    """The freelancer's answer to one criterion for one mission (the latest answer counts)."""

    __tablename__ = "mf_criteria_answers"
    __table_args__ = (UniqueConstraint("mission_id", "criterion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"))
    criterion: Mapped[str] = mapped_column(String(100))
    met: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SpecificationRow(Base):
    """The specification (cahier des charges) of a mission; its deliverables are separate rows."""

    __tablename__ = "mf_specifications"

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("mf_missions.id"), primary_key=True, autoincrement=False
    )
    objectives: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    budget_cents: Mapped[Decimal | None] = mapped_column(Cents)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    acceptance: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeliverableRow(Base):
    """One deliverable (or access code) promised by a specification, in the specification's order."""

    __tablename__ = "mf_deliverables"
    __table_args__ = (UniqueConstraint("mission_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_specifications.mission_id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[Decimal | None] = mapped_column(DecimalText)
    unit: Mapped[str | None] = mapped_column(String(3))
    unit_price_cents: Mapped[Decimal | None] = mapped_column(Cents)
    vat_rate: Mapped[Decimal | None] = mapped_column(DecimalText)  # the 4 price columns: NULL if included


class ContractRow(Base):
    """The signed quote and terms of a mission."""

    __tablename__ = "mf_contracts"
    __table_args__ = (CheckConstraint("amount_cents >= 0", name="amount_positive"),)

    mission_id: Mapped[int] = mapped_column(
        ForeignKey("mf_missions.id"), primary_key=True, autoincrement=False
    )
    amount_cents: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3))
    terms_version: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(String(200))
    acceptance_days: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("mf_quotes.id"))  # the quote accepted
    lines: Mapped[list[object] | None] = mapped_column(JSON)  # pricing.PricedLine; NULL before 0006
    vat_rate: Mapped[Decimal | None] = mapped_column(DecimalText)  # NULL under the franchise


class AmendmentRow(Base):
    """An agreed change to a mission's terms, such as an extra revision round and its price."""

    __tablename__ = "mf_amendments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    amount_cents: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentRow(Base):
    """Money received for a mission."""

    __tablename__ = "mf_payments"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    amount_cents: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A webhook's delivery id: the same delivery twice records one payment.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), index=True, unique=True)


class InvoiceRow(Base):
    """An issued invoice or credit note; its number belongs to the series of its year, without gaps."""

    __tablename__ = "mf_invoices"
    __table_args__ = (
        UniqueConstraint("number"),
        UniqueConstraint("year", "sequence"),
        CheckConstraint("kind IN ('deposit', 'final', 'penalty', 'credit')", name="kind_known"),
        CheckConstraint("total_cents >= 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    total_cents: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3))
    references_id: Mapped[int | None] = mapped_column(ForeignKey("mf_invoices.id"))
    lines: Mapped[list[object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    terms: Mapped[dict[str, object] | None] = mapped_column(JSON)
    """Identity, client and terms as printed when issued (billing.InvoiceTerms); NULL before migration 0003."""
    ledger_anchor: Mapped[str | None] = mapped_column(String(100))
    """The ledger's head when the invoice was issued ("SEQ:MAC"), printed on it; NULL before migration 0007."""


class InvoiceCounterRow(Base):
    """The last number issued in a year's series; updated in the same transaction as the invoice."""

    __tablename__ = "mf_invoice_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer)
    last_issued_on: Mapped[date] = mapped_column(Date)


class PaymentPlanRow(Base):
    """An installment plan agreed for what a mission's invoices asked for; a new plan replaces it."""

    __tablename__ = "mf_payment_plans"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    amount_cents: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3))
    paid_before_cents: Mapped[Decimal] = mapped_column(Cents)
    """Everything paid on the mission when the plan was agreed: later payments go to the plan."""
    covers: Mapped[list[object]] = mapped_column(JSON)
    agreed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstallmentRow(Base):
    """One installment of a plan, in date order."""

    __tablename__ = "mf_installments"
    __table_args__ = (
        UniqueConstraint("plan_id", "position"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("mf_payment_plans.id"))
    position: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[Decimal] = mapped_column(Cents)
    currency: Mapped[str] = mapped_column(String(3))


class TimerRow(Base):
    """A timer of a mission: a timed transition of its state and when it falls due. ``status``
    is pending until ``missionflow tick`` fires it (fired) or its guards refuse it (skipped), in
    the transaction that acts on it, or until the mission leaves the state (cancelled); a due time
    that fired or was skipped is never scheduled again."""

    __tablename__ = "mf_timers"
    __table_args__ = (
        UniqueConstraint("mission_id", "trigger", "source", "due_at"),
        CheckConstraint("status IN ('pending', 'fired', 'skipped', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"))
    trigger: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)
    """The history entry a fired timer wrote."""


# tick reads the pending timers that are due, soonest first; a fire reads its mission's timers.
Index("ix_mf_timers_due", TimerRow.status, TimerRow.due_at)
Index("ix_mf_timers_mission", TimerRow.mission_id, TimerRow.status)


# The tables of the documents a client receives live in their own module; importing them here puts
# them in Base.metadata whenever the models are imported (migrations and tests compare it).
from missionflow.store.document_models import LetterCounterRow as LetterCounterRow  # noqa: E402
from missionflow.store.document_models import LetterRow as LetterRow  # noqa: E402
from missionflow.store.document_models import LogoRow as LogoRow  # noqa: E402
from missionflow.store.document_models import QuoteCounterRow as QuoteCounterRow  # noqa: E402
from missionflow.store.document_models import QuoteRow as QuoteRow  # noqa: E402
from missionflow.store.document_models import SendingRow as SendingRow  # noqa: E402
from missionflow.store.ledger_models import LedgerHeadRow as LedgerHeadRow  # noqa: E402
from missionflow.store.ledger_models import LedgerRow as LedgerRow  # noqa: E402
