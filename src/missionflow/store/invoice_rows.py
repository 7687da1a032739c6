"""Invoices as rows: the gapless yearly numbering, the insert that copies what an invoice states,
the lines of a final invoice, and a row read back as the library's record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.errors import InvalidValueError, InvoiceNotFoundError, MissionNotFoundError
from missionflow.freelance import INVOICE_KINDS, InvoiceRecord, InvoiceTerms, Settings, invoicing
from missionflow.freelance.einvoice import check_before_issue
from missionflow.freelance.invoicing import InvoiceDraft
from missionflow.money import Money
from missionflow.store import ledger, rows
from missionflow.store.ledger_cover import INVOICE
from missionflow.store.models import (
    ClientRow,
    InvoiceCounterRow,
    InvoiceRow,
    MissionRow,
)
from missionflow.store.records import lines_to_json, mission_ref
from missionflow.store.session import now


def money_line(description: str, amount: Money, kind: str = "") -> dict[str, object]:
    """One line of an invoice: what it is for, its amount, and (when known) what kind of thing it
    bills (an agreement line's kind, ``deposit``, ``work_done``, ``interest``, ``indemnity``)."""
    line: dict[str, object] = {"description": description, "amount": amount}
    if kind:
        line["kind"] = kind
    return line


def check_invoice(
    kind: str,
    total: Money,
    issued_on: date,
    due_on: date,
    references: str | None,
    lines: list[dict[str, object]] | None,
) -> list[object]:
    """Refuse an invoice that is wrong on its face; return its lines as stored."""
    if kind not in INVOICE_KINDS:
        raise InvalidValueError("kind", f"{kind!r} is not one of {', '.join(INVOICE_KINDS)}")
    rows.not_negative("total", total)
    if due_on < issued_on:
        raise InvalidValueError(
            "due_on", f"{due_on.isoformat()} is before the issue date {issued_on.isoformat()}"
        )
    if kind == "credit" and not references:
        raise InvalidValueError("references", "a credit note names the invoice it corrects")
    if kind != "credit" and references:
        raise InvalidValueError("references", "only a credit note refers to another invoice")
    try:
        return lines_to_json(lines)
    except TypeError as error:
        raise InvalidValueError("lines", str(error)) from None


def invoice_terms(
    session: Session,
    mission_id: int,
    settings: Settings,
    note: str = "",
    document: dict[str, object] | None = None,
    *,
    asks_for: Money | None = None,
) -> InvoiceTerms:
    """The freelancer's identity, the client and the terms, as an invoice issued now must state them
    (``document``: everything its document prints, see ``issued.DocumentCopy``).

    An invoice that asks for nothing (``asks_for`` is zero: pro bono) can never be paid late: it
    states no late penalty and no recovery indemnity."""
    mission = session.get(MissionRow, mission_id)
    if mission is None:  # pragma: no cover - the caller just locked it
        raise MissionNotFoundError(mission_ref(mission_id))
    client = session.get(ClientRow, mission.client_id)
    business = client.business if client is not None else True
    nothing_due = asks_for is not None and asks_for.amount == 0
    return InvoiceTerms(
        seller_name=settings.name,
        seller_legal_name=settings.legal_name,
        seller_siret=settings.siret,
        seller_address=settings.address,
        vat_mention=settings.vat_mention,
        client_name=client.name if client is not None else "",
        client_company=client.company if client is not None else "",
        client_email=client.email if client is not None else "",
        client_business=business,
        mission_title=mission.title,
        payment_terms_days=settings.payment_terms_days,
        late_penalty_rate=Decimal(0) if nothing_due else settings.late_penalty_rate,
        recovery_indemnity=(
            Money(settings.recovery_indemnity, mission.currency) if business and not nothing_due else None
        ),
        note=note,
        document=document,
    )


def next_number(session: Session, year: int, issued_on: date) -> int:
    """Take the next number of the year's series; the counter row is locked until commit."""
    values = {"year": year, "last_sequence": 0, "last_issued_on": issued_on}
    rows.insert_if_absent(session, InvoiceCounterRow, values)
    counter = session.scalars(
        select(InvoiceCounterRow).where(InvoiceCounterRow.year == year).with_for_update()
    ).one()
    if issued_on < counter.last_issued_on:
        raise InvalidValueError(
            "issued_on",
            f"{issued_on.isoformat()} is before the last invoice of {year} "
            f"({counter.last_issued_on.isoformat()}); invoice numbers follow the dates",
        )
    counter.last_sequence += 1
    counter.last_issued_on = issued_on
    session.flush()
    return counter.last_sequence


def peek_number(session: Session, year: int) -> int:
    """The sequence the next invoice of ``year`` would take, without taking it."""
    last = session.scalars(
        select(InvoiceCounterRow.last_sequence).where(InvoiceCounterRow.year == year)
    ).one_or_none()
    return (last or 0) + 1


def _number(year: int, sequence: int) -> str:
    """An invoice number of the one series: "2026-0001"."""
    return f"{year}-{sequence:04d}"


def invoice_record(row: InvoiceRow, mission: str, references: str | None) -> InvoiceRecord:
    """A stored invoice as the library hands it back."""
    return InvoiceRecord(
        number=row.number,
        kind=row.kind,
        mission=mission,
        issued_on=row.issued_on,
        due_on=row.due_on,
        total=Money(row.total_cents, row.currency),
        references=references,
        lines=tuple(dict(line) for line in row.lines if isinstance(line, dict)),
        created_at=row.created_at,
        terms=InvoiceTerms.from_json(row.terms) if row.terms else None,
        ledger_anchor=row.ledger_anchor or "",
    )


def insert_invoice(
    session: Session,
    mission_id: int,
    kind: str,
    total: Money,
    issued_on: date,
    due_on: date,
    references: str | None,
    lines: list[object],
    *,
    note: str = "",
    document: dict[str, object] | None = None,
) -> InvoiceRecord:
    """Number and insert an invoice in the current transaction, with its copy of the terms (and of
    everything its document prints, ``document``); a credit note names the invoice it cancels
    (``references``)."""
    referenced: InvoiceRow | None = None
    if references:
        referenced = session.scalars(select(InvoiceRow).where(InvoiceRow.number == references)).one_or_none()
        if referenced is None:
            raise InvoiceNotFoundError(references)
        if referenced.mission_id != mission_id or referenced.kind == "credit":
            raise InvalidValueError(
                "references", f"{references} is not an invoice of mission {mission_ref(mission_id)}"
            )
    settings = rows.settings(session)
    invoicing.require_identity(settings)
    year = issued_on.year
    # What the invoice states must not change with the settings later: copied now.
    terms = invoice_terms(session, mission_id, settings, note, document, asks_for=total)
    # Its e-invoice is checked with the number it is about to take, before the counter moves:
    # an invoice the official rules refuse uses up no number of the series.
    provisional = InvoiceRecord(
        number=_number(year, peek_number(session, year)),
        kind=kind,
        mission=mission_ref(mission_id),
        issued_on=issued_on,
        due_on=due_on,
        total=total,
        references=references,
        lines=tuple(dict(line) for line in lines if isinstance(line, dict)),
        created_at=now(),
        terms=terms,
    )
    check_before_issue(provisional)
    sequence = next_number(session, year, issued_on)
    invoice = InvoiceRow(
        number=_number(year, sequence),
        year=year,
        sequence=sequence,
        kind=kind,
        mission_id=mission_id,
        issued_on=issued_on,
        due_on=due_on,
        total_cents=total.amount,
        currency=total.currency,
        references_id=referenced.id if referenced is not None else None,
        lines=lines,
        created_at=now(),
        terms=terms.to_json(),
        ledger_anchor=_anchor_text(session),
    )
    session.add(invoice)
    session.flush()
    ledger.note(session, INVOICE, {"id": invoice.id})
    return invoice_record(invoice, mission_ref(mission_id), references)


def _anchor_text(session: Session) -> str | None:
    """The ledger's head the invoice is issued under, printed on it."""
    anchor = ledger.current_anchor(session.connection())
    return str(anchor) if anchor is not None else None


def standing_invoices(session: Session, mission_id: int) -> list[InvoiceRow]:
    """The mission's invoices that no credit note cancels (credit notes left out), oldest first."""
    invoices = list(
        session.scalars(select(InvoiceRow).where(InvoiceRow.mission_id == mission_id).order_by(InvoiceRow.id))
    )
    cancelled = {i.references_id for i in invoices if i.kind == "credit"}
    return [i for i in invoices if i.kind != "credit" and i.id not in cancelled]


def draft_lines(draft: InvoiceDraft) -> list[object]:
    """An invoice draft's lines as stored: description, amount and what the line bills."""
    currency = draft.total.currency
    return lines_to_json(
        [money_line(line.description, Money(line.amount, currency), line.kind) for line in draft.lines]
    )


def number_key(number: str) -> tuple[int, int, str]:
    """How invoice numbers sort: by year, then sequence ("2026-0010" after "2026-0009")."""
    year, _, sequence = number.partition("-")
    if year.isdigit() and sequence.isdigit():
        return int(year), int(sequence), ""
    return 0, 0, number
