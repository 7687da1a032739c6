"""What each invoice bills and states, worked out in the transaction that issues it: the deposit
invoice's lines (the deposit of the contract's lines, per VAT rate), the final invoice's (the
contract, the rush surcharge, amendments and extra rounds, each deposit invoice deducted by
number), a credit note's (the lines of the invoice it cancels), and the copy of the parties,
terms and service dates each one keeps (see :mod:`missionflow.freelance.issued`).

Every amount is computed by the document layer's rules, so what an invoice prints, what the store
records as its total and what the mission's guards wait for are the same figure, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.errors import ConflictError
from missionflow.freelance import InvoiceTerms, Mission, Settings, invoicing
from missionflow.freelance.billed_lines import deposit_lines, final_lines, service_of
from missionflow.freelance.documents.lines import Period
from missionflow.freelance.documents.model import DepositDeduction, InvoiceReference, OverdueInvoice
from missionflow.freelance.issued import DocumentCopy, document_copy
from missionflow.freelance.pricing import LineSource, PricedLine, gross_of, lump_sum
from missionflow.money import Money
from missionflow.store import logos, rows
from missionflow.store.clients import client_record
from missionflow.store.models import ClientRow, InvoiceRow, MissionRow
from missionflow.store.records import mission_ref

__all__ = [
    "Billed",
    "credit_note",
    "deposit_invoice",
    "final_invoice",
    "given_invoice",
    "penalty_copy",
    "termination_invoice",
]


@dataclass(frozen=True)
class Billed:
    """An invoice about to be issued: its lines (as stored), its total and its copy (as JSON)."""

    lines: list[object]
    total: Money
    copy: dict[str, object]


def _copy(
    session: Session,
    row: MissionRow,
    settings: Settings,
    *,
    what: str,
    vat_rate: Decimal | None,
    asks_payment: bool = True,
    service_date: date | None = None,
    service_period: Period | None = None,
    deposits: tuple[DepositDeduction, ...] = (),
    cancels: InvoiceReference | None = None,
) -> DocumentCopy:
    invoicing.require_identity(settings)  # who issues it first, in the words of the money rules
    client = session.get(ClientRow, row.client_id)
    if client is None:  # pragma: no cover - a foreign key guarantees it
        raise ConflictError(what, f"mission {mission_ref(row.id)} has no client")
    return document_copy(
        settings,
        client_record(client),
        what=what,
        currency=row.currency,
        vat_rate=vat_rate,
        asks_payment=asks_payment,
        e_invoice=True,
        logo=logos.keep_logo(session, settings.logo),
        service_date=service_date,
        service_period=service_period,
        deposits=deposits,
        cancels=cancels,
    )


def _billed(
    lines: Sequence[PricedLine], vat_rate: Decimal | None, copy: DocumentCopy, currency: str
) -> Billed:
    gross = gross_of(lines, vat_rate, currency)
    prepaid = Money.total((d.amount for d in copy.deposits), currency)
    if prepaid > gross:
        raise ConflictError("invoice", f"the deposits invoiced ({prepaid}) exceed the total of {gross}")
    return Billed([line.to_json() for line in lines], gross - prepaid, copy.to_json())


def deposit_invoice(session: Session, row: MissionRow, settings: Settings, day: date) -> Billed:
    """The deposit invoice: the deposit percentage of the contract's lines, VAT included, for the
    service to come (from the signature to the deadline)."""
    mission = rows.snapshot(session, row)
    contract = mission.contract
    if contract is None:
        raise ConflictError("deposit", f"mission {mission.ref} has no signed contract yet")
    lines = deposit_lines(contract, row.deposit_percent, row.currency)
    period = service_of(mission, day, settings.timezone, deposit=True)
    copy = _copy(session, row, settings, what="deposit", vat_rate=contract.vat_rate, service_period=period)
    return _billed(lines, contract.vat_rate, copy, row.currency)


def _live_deposits(mission: Mission) -> tuple[DepositDeduction, ...]:
    """Each live deposit invoice of the mission, as a final invoice deducts it (number, date, total)."""
    return tuple(
        DepositDeduction(InvoiceReference(i.number, i.issued_on or date.min), i.total)
        for i in mission.live_invoices()
        if i.kind == "deposit"
    )


def final_invoice(session: Session, row: MissionRow, settings: Settings, day: date) -> Billed:
    """The final invoice: the contract, the rush surcharge, the amendments and extra rounds, minus
    each live deposit invoice by number; refused without a contract or while a final invoice stands
    (the rules of :func:`missionflow.freelance.invoicing.final_invoice`)."""
    mission: Mission = rows.snapshot(session, row)
    invoicing.final_invoice(mission)
    contract = mission.contract
    assert contract is not None  # final_invoice refuses a mission without one
    lines = final_lines(contract, mission.amendments, mission.rush_surcharge, row.title)
    period = service_of(mission, day, settings.timezone, deposit=False)
    copy = _copy(
        session,
        row,
        settings,
        what="invoice",
        vat_rate=contract.vat_rate,
        service_period=period,
        deposits=_live_deposits(mission),
    )
    return _billed(lines, contract.vat_rate, copy, row.currency)


def termination_invoice(
    session: Session, row: MissionRow, settings: Settings, day: date, work_done: Money
) -> Billed:
    """The final invoice of a mission ended after its contract: the work done, as agreed at the end,
    minus each live deposit invoice (the rules of :func:`missionflow.freelance.invoicing.
    termination_invoice`), for the period worked."""
    mission: Mission = rows.snapshot(session, row)
    invoicing.termination_invoice(mission, work_done)
    contract = mission.contract
    assert contract is not None  # termination_invoice refuses a mission without one
    words = {
        "fr": "Travail réalisé jusqu'à la fin de la mission",
        "en": "Work done up to the end of the mission",
    }
    line = PricedLine(words["fr"], lump_sum(work_done), LineSource.CONTRACT, words)
    period = service_of(mission, day, settings.timezone, deposit=False)
    copy = _copy(
        session,
        row,
        settings,
        what="invoice",
        vat_rate=contract.vat_rate,
        service_period=period,
        deposits=_live_deposits(mission),
    )
    return _billed([line], contract.vat_rate, copy, row.currency)


def penalty_copy(
    session: Session, row: MissionRow, settings: Settings, references: Sequence[str], day: date
) -> dict[str, object]:
    """The copy of a late-payment invoice: today's parties and terms, and the invoices it is about
    (each with its date, due date and total), outside the scope of VAT."""
    found = session.scalars(
        select(InvoiceRow).where(InvoiceRow.mission_id == row.id, InvoiceRow.number.in_(list(references)))
    )
    overdue = tuple(
        OverdueInvoice(InvoiceReference(i.number, i.issued_on), i.due_on, Money(i.total_cents, i.currency))
        for i in sorted(found, key=lambda i: (i.year, i.sequence))
    )
    copy = _copy(session, row, settings, what="late-payment invoice", vat_rate=None)
    return replace(copy, overdue=overdue, outside_vat=True).to_json()


def credit_note(session: Session, row: MissionRow, settings: Settings, target: InvoiceRow) -> Billed:
    """A credit note for the whole of ``target``: its lines, VAT rate and deposits deducted, addressed
    with today's identity and client details. An invoice issued before migration 0006 is credited
    as the lines it recorded, without VAT (there was none)."""
    lines = [PricedLine.from_json(line) for line in target.lines if isinstance(line, dict)]
    terms = InvoiceTerms.from_json(target.terms) if target.terms else None
    issued = DocumentCopy.from_json(terms.document) if terms is not None and terms.document else None
    total = Money(target.total_cents, target.currency)
    vat_rate = issued.vat_rate if issued is not None else None
    deposits = issued.deposits if issued is not None else ()
    if (
        not lines
        or gross_of(lines, vat_rate, total.currency)
        - Money.total((d.amount for d in deposits), total.currency)
        != total
    ):
        # An invoice issued with lines that do not add up to its total (Store.issue_invoice) is
        # credited as one line of its total, without VAT.
        words = {"fr": f"Facture n° {target.number}", "en": f"Invoice no. {target.number}"}
        lines = [PricedLine(words["fr"], lump_sum(total), LineSource.CONTRACT, words)]
        vat_rate, deposits = None, ()
    copy = _copy(
        session,
        row,
        settings,
        what="credit note",
        vat_rate=vat_rate,
        asks_payment=False,
        service_date=issued.service_date if issued is not None else target.issued_on,
        service_period=issued.service_period if issued is not None else None,
        deposits=deposits,
        cancels=InvoiceReference(target.number, target.issued_on),
    )
    if issued is not None and (issued.outside_vat or target.kind == "penalty"):
        # Cancelling late-payment interest and indemnity: outside the scope of VAT like them.
        copy = replace(copy, outside_vat=True)
    return _billed(lines, vat_rate, copy, total.currency)


def given_invoice(
    session: Session, row: MissionRow, settings: Settings, kind: str, issued_on: date
) -> dict[str, object]:
    """The copy of an invoice whose lines and total the caller gives (``Store.issue_invoice``): the
    parties and terms of today, the VAT rate of the contract, the service dated like a deposit
    invoice's or a final invoice's."""
    mission = rows.snapshot(session, row)
    vat_rate = mission.contract.vat_rate if mission.contract is not None else settings.vat_charged_rate
    period = service_of(mission, issued_on, settings.timezone, deposit=kind == "deposit")
    return _copy(session, row, settings, what="invoice", vat_rate=vat_rate, service_period=period).to_json()
