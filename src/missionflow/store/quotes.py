"""Quotes (devis): issued from the specification's priced lines in their own gapless yearly series
("DEV-2026-0001"), never edited (a changed specification makes a new quote), and accepted by
signing the contract on one, which records the quote's lines and total as the contract's.

A quote is *superseded* when a newer quote of the mission exists or when what it was built from
(the specification, the rush surcharge, the deposit and revision rounds) changed since; it is
*expired* after its validity date. Neither can be signed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missionflow.errors import ConflictError, InvalidValueError, QuoteNotFoundError
from missionflow.freelance import Contract, Mission, QuoteRecord
from missionflow.freelance.billed_lines import quote_lines
from missionflow.freelance.pricing import LineSource, format_price, gross_of
from missionflow.money import Money
from missionflow.store import ledger, ledger_cover, logos, rows
from missionflow.store.clients import client_record
from missionflow.store.invoices import local_day
from missionflow.store.models import ClientRow, ContractRow, MissionRow, QuoteCounterRow, QuoteRow
from missionflow.store.records import lines_from_json, mission_ref, parse_ref
from missionflow.store.session import Database, now
from missionflow.store.terms import Terms
from missionflow.workflow import TransitionRecord

PREFIX = "DEV"
"""Quote numbers read DEV-<year>-<sequence>: a series of their own, apart from the invoices'."""
MAX_VALIDITY_DAYS = 365


def basis_of(mission: Mission) -> str:
    """A digest of what a quote of ``mission`` is built from; another value means it changed."""
    spec = mission.specification
    parts = {
        "objectives": spec.objectives if spec else "",
        "deliverables": [
            [d.name, d.kind, format_price(d.price) if d.price else None]
            for d in (spec.deliverables if spec else ())
        ],
        "deadline": spec.deadline.isoformat() if spec and spec.deadline else None,
        "budget": str(spec.budget) if spec and spec.budget else None,
        "acceptance": spec.acceptance if spec else "",
        "rush": str(mission.rush_surcharge) if mission.rush_surcharge else None,
        "deposit": str(mission.deposit_percent),
        "revisions": mission.included_revisions,
        "title": mission.title,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def _next_number(session: Session, year: int, issued_on: date) -> int:
    """Take the next number of the year's quote series; the counter row is locked until commit."""
    values = {"year": year, "last_sequence": 0, "last_issued_on": issued_on}
    rows.insert_if_absent(session, QuoteCounterRow, values)
    counter = session.scalars(
        select(QuoteCounterRow).where(QuoteCounterRow.year == year).with_for_update()
    ).one()
    if issued_on < counter.last_issued_on:
        raise InvalidValueError(
            "issued_on",
            f"{issued_on.isoformat()} is before the last quote of {year} "
            f"({counter.last_issued_on.isoformat()}); quote numbers follow the dates",
        )
    counter.last_sequence += 1
    counter.last_issued_on = issued_on
    session.flush()
    return counter.last_sequence


@dataclass(frozen=True)
class _Standing:
    """What a quote's status depends on, read once for a mission."""

    latest_id: int
    accepted_id: int | None
    basis: str


def _standing(session: Session, mission_id: int) -> _Standing:
    latest = session.scalar(select(func.max(QuoteRow.id)).where(QuoteRow.mission_id == mission_id)) or 0
    accepted = session.scalar(select(ContractRow.quote_id).where(ContractRow.mission_id == mission_id))
    row = session.get(MissionRow, mission_id)
    assert row is not None  # the quote's foreign key
    return _Standing(latest, accepted, basis_of(rows.snapshot(session, row)))


def _status(row: QuoteRow, standing: _Standing, on: date) -> str:
    if row.id == standing.accepted_id:
        return "accepted"
    if row.id != standing.latest_id or row.basis != standing.basis or standing.accepted_id is not None:
        return "superseded"
    return "expired" if row.valid_until < on else "open"


def quote_record(row: QuoteRow, status: str, on: date) -> QuoteRecord:
    """A stored quote as the library hands it back, with its status on ``on``."""
    vat_rate = row.vat_rate if row.vat_rate is None else Decimal(row.vat_rate)
    return QuoteRecord(
        number=row.number,
        mission=mission_ref(row.mission_id),
        issued_on=row.issued_on,
        valid_until=row.valid_until,
        lines=lines_from_json(row.lines),
        net=Money(row.net_cents, row.currency),
        total=Money(row.total_cents, row.currency),
        deposit_percent=Decimal(row.deposit_percent),
        revision_rounds=row.revision_rounds,
        vat_rate=vat_rate,
        created_at=row.created_at,
        status=status,
        status_on=on,
        copy=dict(row.copy),
    )


class Quotes:
    """The quotes of every mission, and the signature of a contract on one."""

    def __init__(self, db: Database, terms: Terms) -> None:
        self.db = db
        self.terms = terms

    def issue(self, ref: str, *, issued_on: date | None = None, valid_days: int | None = None) -> QuoteRecord:
        """Issue a quote from the mission's specification: its priced deliverables (or its budget
        as one lump sum) and the rush surcharge, valid ``valid_days`` (the settings' by default).

        ConflictError once a contract is signed (amend it instead), without a specification to
        price, or while a mandatory mention of the document is missing.
        """
        from missionflow.freelance.issued import document_copy

        with self.db.writing(ref) as session:
            row = rows.touch(session, ref)
            mission = rows.snapshot(session, row)
            if mission.contract is not None:
                raise ConflictError(
                    "quote", f"mission {ref} is signed: a change is an amendment (contract amend)"
                )
            spec = mission.specification
            lines = quote_lines(spec, row.title, mission.rush_surcharge) if spec is not None else ()
            if not lines:
                raise ConflictError(
                    "quote",
                    f"mission {ref} has nothing to price: give its deliverables a price "
                    "(spec set --deliverable 'website = 12 days x 400') or the specification a budget",
                )
            settings = rows.settings(session)
            days = settings.quote_validity_days if valid_days is None else valid_days
            if not 1 <= days <= MAX_VALIDITY_DAYS:
                raise InvalidValueError(
                    "valid_days", f"{days}: a quote is valid 1 to {MAX_VALIDITY_DAYS} days"
                )
            day = issued_on or local_day(settings)
            vat_rate = settings.vat_charged_rate
            client = session.get(ClientRow, row.client_id)
            assert client is not None  # a foreign key guarantees it
            copy = document_copy(
                settings,
                client_record(client),
                what="quote",
                currency=row.currency,
                vat_rate=vat_rate,
                asks_payment=False,
                e_invoice=False,
                logo=logos.keep_logo(session, settings.logo),
            )
            sequence = _next_number(session, day.year, day)
            net = Money.total((line.net for line in lines), row.currency)
            quote = QuoteRow(
                number=f"{PREFIX}-{day.year}-{sequence:04d}",
                year=day.year,
                sequence=sequence,
                mission_id=row.id,
                issued_on=day,
                valid_until=day + timedelta(days=days),
                currency=row.currency,
                net_cents=net.amount,
                total_cents=gross_of(lines, vat_rate, row.currency).amount,
                deposit_percent=row.deposit_percent,
                revision_rounds=row.included_revisions,
                vat_rate=vat_rate,
                lines=[line.to_json() for line in lines],
                copy=copy.to_json(),
                basis=basis_of(mission),
                created_at=now(),
            )
            session.add(quote)
            session.flush()
            ledger.note(session, ledger_cover.QUOTE, {"id": quote.id})
            return quote_record(quote, "open", day)

    def get(self, number: str, *, on: date | None = None) -> QuoteRecord:
        """The quote with this number and its status on ``on`` (today where the freelancer works)."""
        with self.db.reading() as session:
            row = session.scalars(select(QuoteRow).where(QuoteRow.number == number.strip())).one_or_none()
            if row is None:
                raise QuoteNotFoundError(number)
            day = on or local_day(rows.settings(session))
            return quote_record(row, _status(row, _standing(session, row.mission_id), day), day)

    def list_all(self, mission: str | None = None, *, on: date | None = None) -> list[QuoteRecord]:
        """Issued quotes in number order, of one mission or all, each with its status on ``on``."""
        with self.db.reading() as session:
            query = select(QuoteRow).order_by(QuoteRow.year, QuoteRow.sequence)
            if mission is not None:
                query = query.where(QuoteRow.mission_id == rows.mission_row(session, mission).id)
            found = list(session.scalars(query))
            day = on or local_day(rows.settings(session))
            standing = {m: _standing(session, m) for m in {row.mission_id for row in found}}
            return [quote_record(row, _status(row, standing[row.mission_id], day), day) for row in found]

    def sign(
        self,
        ref: str,
        number: str,
        *,
        terms_version: str,
        signed_on: date,
        signed_by: str = "",
        acceptance_days: int | None = None,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> TransitionRecord:
        """Record the client's acceptance of quote ``number`` ("bon pour accord") as the contract of
        mission ``ref`` and fire the signature: the contract's amount and lines are the quote's.

        ConflictError for a quote of another mission, superseded (a newer quote, or the
        specification changed since) or expired on ``signed_on``.
        """
        quote = self.get(number, on=signed_on)
        if quote.mission != mission_ref(parse_ref(ref, "M") or 0):
            raise ConflictError("quote", f"{quote.number} is a quote of mission {quote.mission}, not {ref}")
        # The contract's amount is what the quote's lines bill besides the rush surcharge, which the
        # mission agreed on its own (the agreement adds it once).
        rush = Money.total(
            (line.net for line in quote.lines if line.source is LineSource.RUSH), quote.net.currency
        )
        contract = Contract(
            amount=quote.net - rush,
            terms_version=terms_version,
            signed_on=signed_on,
            signed_by=signed_by,
            acceptance_days=acceptance_days,
            quote=quote.number,
            lines=quote.lines,
            vat_rate=quote.vat_rate,
        )

        def still_open(mission: Mission) -> None:
            # Read again next to the engine's decision: a quote issued or a specification changed
            # after this check bumps the mission's version, and the signature then loses its race.
            current = self.get(number, on=signed_on)
            if current.status != "open":
                raise ConflictError("quote", _refusal(current))
            del mission

        return self.terms.sign_contract(ref, contract, actor=actor, note=note, at=at, check=still_open)


def _refusal(quote: QuoteRecord) -> str:
    if quote.status == "expired":
        return f"quote {quote.number} expired on {quote.valid_until.isoformat()}: issue a new quote"
    if quote.status == "accepted":
        return f"quote {quote.number} is already accepted"
    return f"quote {quote.number} is superseded (a newer quote, or the specification changed): sign the newest one"
