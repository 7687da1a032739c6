"""Sending a document to the client once: the e-mail goes out inside the write transaction that
records it (a row of ``mf_sendings`` and an entry of the mission's history, appended the one way
entries are, :func:`missionflow.store.history.append_entry`), with the mission's row locked.

So a document is sent once however often, and from however many processes, it is asked for (the
second sender waits for the lock, then finds it sent); a refused login or message rolls the
transaction back and nothing is recorded as sent. Only a crash between the server's acceptance and
the commit could leave a message sent and unrecorded: sending it again is then the caller's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from missionflow.freelance import SentDocument
from missionflow.freelance.mailing import Mailer
from missionflow.freelance.vocabulary import DOCUMENT_SENT
from missionflow.store import facts, history, ledger
from missionflow.store.ledger_cover import SENDING
from missionflow.store.models import MissionRow, SendingRow
from missionflow.store.records import mission_ref
from missionflow.store.session import now
from missionflow.workflow import TransitionRecord


@dataclass(frozen=True)
class Outgoing:
    """A document about to be e-mailed: what it is (``what``: "invoice 2026-0002"), its number, its
    mission and the message."""

    what: str
    number: str
    mission_id: int
    message: EmailMessage


def first_sending(session: Session, number: str) -> SentDocument | None:
    """When the document with this number was first e-mailed, or None."""
    row = session.scalars(
        select(SendingRow).where(SendingRow.document == number).order_by(SendingRow.id).limit(1)
    ).one_or_none()
    if row is None:
        return None
    return SentDocument(
        row.document, mission_ref(row.mission_id), row.recipient, row.message_id, row.sent_at, already=True
    )


def send_once(
    session: Session, outgoing: Outgoing, mailer: Mailer, *, actor: str, again: bool, at: datetime | None
) -> SentDocument:
    """Send ``outgoing`` unless it was sent already (``again``: send it anyway) and record it, in the
    caller's write transaction; the earlier sending, marked ``already``, when it is not sent."""
    session.scalars(select(MissionRow.id).where(MissionRow.id == outgoing.mission_id).with_for_update()).one()
    earlier = first_sending(session, outgoing.number)
    if earlier is not None and not again:
        return earlier
    connection = session.connection()
    row = facts.read_mission(connection, outgoing.mission_id)
    assert row is not None  # locked above
    moment = now() if at is None else at
    if row.last_at is not None and moment < row.last_at:
        moment = row.last_at  # the history only moves forward
    recipient = str(outgoing.message["To"])
    message_id = str(outgoing.message["Message-ID"])
    mailer.send(outgoing.message)
    record = TransitionRecord(
        trigger=DOCUMENT_SENT,
        source=row.state,
        dest=row.state,
        actor=actor,
        at=moment,
        note=f"{outgoing.what} e-mailed to {recipient}",
        data={"document": outgoing.number, "to": recipient, "message_id": message_id},
    )
    history.append_after(connection, row, record)
    sent = SendingRow(
        mission_id=row.id,
        document=outgoing.number,
        recipient=recipient,
        message_id=message_id,
        actor=actor,
        sent_at=moment,
    )
    session.add(sent)
    session.flush()
    ledger.note(session, SENDING, {"id": sent.id})
    return SentDocument(outgoing.number, row.display_ref, recipient, message_id, moment)
