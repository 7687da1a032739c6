"""The money facts of a mission, read with SQLAlchemy Core like the rest of a fire's facts: the
signed contract (its quote, lines and VAT rate), its amendments and extra rounds, the payments
received and the invoices issued."""

from __future__ import annotations

from sqlalchemy import Connection, Integer, Table, bindparam, select

from missionflow.freelance import Amendment, Contract, InvoiceSummary, Payment
from missionflow.money import Money
from missionflow.store.models import AmendmentRow, Base, ContractRow, InvoiceRow, PaymentRow, QuoteRow
from missionflow.store.records import lines_from_json


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[str(model.__tablename__)]


_CONTRACTS = _table(ContractRow)
_PAYMENTS = _table(PaymentRow)
_INVOICES = _table(InvoiceRow)
_AMENDMENTS = _table(AmendmentRow)
_QUOTES = _table(QuoteRow)
_MISSION_ID = bindparam("mission_id", type_=Integer)

_CONTRACT_OF = (
    select(*_CONTRACTS.c, _QUOTES.c.number.label("quote"))
    .select_from(_CONTRACTS.outerjoin(_QUOTES, _QUOTES.c.id == _CONTRACTS.c.quote_id))
    .where(_CONTRACTS.c.mission_id == _MISSION_ID)
)
_PAYMENTS_OF = (
    select(
        _PAYMENTS.c.amount_cents,
        _PAYMENTS.c.currency,
        _PAYMENTS.c.received_on,
        _PAYMENTS.c.method,
        _PAYMENTS.c.reference,
    )
    .where(_PAYMENTS.c.mission_id == _MISSION_ID)
    .order_by(_PAYMENTS.c.received_on, _PAYMENTS.c.id)
)
_INVOICES_OF = (
    select(
        _INVOICES.c.id,
        _INVOICES.c.number,
        _INVOICES.c.kind,
        _INVOICES.c.total_cents,
        _INVOICES.c.currency,
        _INVOICES.c.references_id,
        _INVOICES.c.issued_on,
    )
    .where(_INVOICES.c.mission_id == _MISSION_ID)
    .order_by(_INVOICES.c.year, _INVOICES.c.sequence)
)
_AMENDMENTS_OF = (
    select(
        _AMENDMENTS.c.kind,
        _AMENDMENTS.c.amount_cents,
        _AMENDMENTS.c.currency,
        _AMENDMENTS.c.note,
        _AMENDMENTS.c.agreed_at,
    )
    .where(_AMENDMENTS.c.mission_id == _MISSION_ID)
    .order_by(_AMENDMENTS.c.id)
)


def load_contract(connection: Connection, mission_id: int) -> Contract | None:
    """The mission's signed contract (with the quote it was signed on and its lines), or None."""
    row = connection.execute(_CONTRACT_OF, {"mission_id": mission_id}).one_or_none()
    if row is None:
        return None
    return Contract(
        amount=Money(row.amount_cents, row.currency),
        terms_version=row.terms_version,
        signed_on=row.signed_on,
        signed_by=row.signed_by,
        acceptance_days=row.acceptance_days,
        quote=row.quote,
        lines=lines_from_json(row.lines),
        vat_rate=row.vat_rate,
    )


def load_payments(connection: Connection, mission_id: int) -> list[Payment]:
    """The payments received for the mission, by date."""
    rows = connection.execute(_PAYMENTS_OF, {"mission_id": mission_id})
    return [Payment(Money(p.amount_cents, p.currency), p.received_on, p.method, p.reference) for p in rows]


def load_invoices(connection: Connection, mission_id: int) -> list[InvoiceSummary]:
    """The mission's invoices and credit notes, in number order."""
    rows = connection.execute(_INVOICES_OF, {"mission_id": mission_id}).all()
    # A credit note refers to an invoice of the same mission: its number is among these rows.
    numbers = {i.id: i.number for i in rows}
    return [
        InvoiceSummary(
            i.number,
            i.kind,
            Money(i.total_cents, i.currency),
            numbers.get(i.references_id) if i.references_id is not None else None,
            i.issued_on,
        )
        for i in rows
    ]


def load_amendments(connection: Connection, mission_id: int) -> list[Amendment]:
    """The amendments and extra rounds agreed on the mission, in the order agreed."""
    rows = connection.execute(_AMENDMENTS_OF, {"mission_id": mission_id})
    return [Amendment(a.kind, Money(a.amount_cents, a.currency), a.note, a.agreed_at) for a in rows]
