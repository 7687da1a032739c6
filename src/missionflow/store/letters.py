"""Reminder letters: written by the letter effects a workflow declares on its timers (first reminder,
second reminder, formal notice), in the transaction of the timer's fire, numbered in their own
gapless yearly series ("REL-2027-0001"), and read back.

A letter lists what the client still owes: each invoice (or installment of the current plan) past
its due date on the letter's day, or, when nothing is late yet (the deposit reminder, a week after
the signature), everything still owed. It states the parties and terms the newest of those invoices
stated (its copy), so that a letter never says what the invoices did not. With nothing owed, or
only invoices issued before missionflow kept their copy, the timer fires and no letter is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.errors import InvalidValueError, LetterNotFoundError
from missionflow.freelance import LetterRecord
from missionflow.freelance.documents.model import InvoiceReference, OverdueInvoice
from missionflow.freelance.issued import DocumentCopy
from missionflow.store import ledger, rows
from missionflow.store.account_reads import Account, account
from missionflow.store.invoices import local_day
from missionflow.store.ledger_cover import LETTER
from missionflow.store.models import HistoryRow, LetterCounterRow, LetterRow, MissionRow, SendingRow
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, now

PREFIX = "REL"
"""Letter numbers read REL-<year>-<sequence> (relance): a series of their own."""


@dataclass
class LetterEffect:
    """A letter effect of a timer: ``write`` adds the letter of ``kind`` in the fire's transaction."""

    kind: str
    ref: str
    moment: datetime

    def prepare(self, mission: object) -> None:
        """Nothing for the guards to see: a letter changes no fact they read."""

    def write(self, session: Session, mission_id: int) -> None:
        issue_letter(session, mission_id, self.kind, self.moment)


def _owed(found: Account, day: date) -> list[OverdueInvoice]:
    """What the client owes on ``day``: what is late, or everything owed when nothing is late yet."""
    covered = set(found.plan.covers) if found.plan is not None else set()
    issued = {i.number: i for i in found.invoices}
    owed = [
        OverdueInvoice(InvoiceReference(b.number, b.issued_on), b.due_on, b.balance)
        for b in found.balances
        if b.is_open and b.number not in covered
    ]
    if found.plan is not None and found.plan.covers:
        first = issued.get(found.plan.covers[0])
        if first is not None:
            reference = InvoiceReference(first.number, first.issued_on)
            owed += [
                OverdueInvoice(reference, item.due_on, item.balance)
                for item in found.plan.installments
                if item.balance.amount > 0
            ]
    owed.sort(key=lambda o: (o.due_on, o.invoice.number))
    late = [o for o in owed if o.due_on < day]
    return late or owed


def _newest_copy(found: Account, owed: list[OverdueInvoice]) -> DocumentCopy | None:
    numbers = {o.invoice.number for o in owed}
    for invoice in reversed(found.invoices):
        terms = invoice.terms
        if invoice.number in numbers and terms is not None and terms.document is not None:
            return DocumentCopy.from_json(terms.document)
    return None


def _next_number(session: Session, year: int) -> int:
    """Take the next number of the year's letter series; the counter row is locked until commit."""
    rows.insert_if_absent(session, LetterCounterRow, {"year": year, "last_sequence": 0})
    counter = session.scalars(
        select(LetterCounterRow).where(LetterCounterRow.year == year).with_for_update()
    ).one()
    counter.last_sequence += 1
    session.flush()
    return counter.last_sequence


def issue_letter(session: Session, mission_id: int, kind: str, moment: datetime) -> LetterRecord | None:
    """Write the letter of ``kind`` about what the mission's client owes at ``moment``, numbered in
    the letters' series; None (nothing written) when nothing is owed or nothing can be stated."""
    from missionflow.freelance.client_documents import letter_document

    settings = rows.settings(session)
    day = local_day(settings, moment)
    found = account(session, mission_id, day)
    owed = _owed(found, day)
    stated = _newest_copy(found, owed) if owed else None
    if stated is None:
        return None
    copy = replace(
        stated,
        overdue=tuple(owed),
        deposits=(),
        cancels=None,
        service_date=None,
        service_period=None,
        outside_vat=False,
    )
    ref = mission_ref(mission_id)
    trigger = session.scalars(
        select(HistoryRow.trigger)
        .where(HistoryRow.mission_id == mission_id)
        .order_by(HistoryRow.position.desc())
        .limit(1)
    ).one()
    draft = LetterRecord("REL-0", kind, ref, day, trigger, copy.to_json(), now())
    try:
        letter_document(draft)  # what the letter would state is checked before a number is taken
    except InvalidValueError:
        return None
    sequence = _next_number(session, day.year)
    row = LetterRow(
        number=f"{PREFIX}-{day.year}-{sequence:04d}",
        year=day.year,
        sequence=sequence,
        mission_id=mission_id,
        kind=kind,
        issued_on=day,
        trigger=trigger,
        copy=copy.to_json(),
        created_at=draft.created_at,
    )
    session.add(row)
    session.flush()
    ledger.note(session, LETTER, {"id": row.id})
    return _record(row, None)


def _record(row: LetterRow, sent: SendingRow | None) -> LetterRecord:
    return LetterRecord(
        number=row.number,
        kind=row.kind,
        mission=mission_ref(row.mission_id),
        issued_on=row.issued_on,
        trigger=row.trigger,
        copy=dict(row.copy),
        created_at=row.created_at,
        sent_to=sent.recipient if sent is not None else None,
        sent_at=sent.sent_at if sent is not None else None,
    )


class Letters:
    """The reminder letters of every mission, read back with whether each was e-mailed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list_all(self, mission: str | None = None, *, unsent: bool = False) -> list[LetterRecord]:
        """Letters in number order, of one mission or all; ``unsent``: only those not e-mailed yet."""
        with self.db.reading() as session:
            query = select(LetterRow).order_by(LetterRow.year, LetterRow.sequence)
            if mission is not None:
                query = query.where(LetterRow.mission_id == rows.mission_row(session, mission).id)
            letters = list(session.scalars(query))
            sent = _first_sendings(session, [row.number for row in letters])
        found = [_record(row, sent.get(row.number)) for row in letters]
        return [letter for letter in found if not (unsent and letter.sent_at is not None)]

    def get(self, number: str) -> LetterRecord:
        """The letter with this number; LetterNotFoundError when there is none."""
        with self.db.reading() as session:
            row = session.scalars(select(LetterRow).where(LetterRow.number == number.strip())).one_or_none()
            if row is None:
                raise LetterNotFoundError(number)
            return _record(row, _first_sendings(session, [row.number]).get(row.number))


def _first_sendings(session: Session, numbers: list[str]) -> dict[str, SendingRow]:
    """The first time each document was e-mailed, by its number."""
    found: dict[str, SendingRow] = {}
    if not numbers:
        return found
    query = select(SendingRow).where(SendingRow.document.in_(numbers)).order_by(SendingRow.id)
    for sending in session.scalars(query):
        found.setdefault(sending.document, sending)
    return found


def mission_of_letter(session: Session, number: str) -> tuple[LetterRow, MissionRow] | None:
    """The letter with this number and its mission, or None."""
    row = session.scalars(select(LetterRow).where(LetterRow.number == number.strip())).one_or_none()
    if row is None:
        return None
    mission = session.get(MissionRow, row.mission_id)
    assert mission is not None  # a foreign key guarantees it
    return row, mission
