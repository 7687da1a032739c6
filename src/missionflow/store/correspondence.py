"""The part of the Store about what leaves the machine: the reminder letters timers write, and the
documents (invoices, credit notes, letters) e-mailed to clients, once each."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from missionflow.errors import ConflictError, InvoiceNotFoundError, LetterNotFoundError
from missionflow.freelance import LetterRecord, SentDocument
from missionflow.store import letters, sending
from missionflow.store.client_documents import ClientDocuments
from missionflow.store.letters import Letters
from missionflow.store.models import ClientRow, InvoiceRow, MissionRow
from missionflow.store.records import client_ref, mission_ref
from missionflow.store.session import now

if TYPE_CHECKING:
    from missionflow.freelance.documents import Document
    from missionflow.freelance.mailing import Mailer


class Correspondence(ClientDocuments):
    """Mixed into :class:`~missionflow.store.Store`: reminder letters, and e-mailing documents."""

    _letters: Letters

    def list_letters(self, mission: str | None = None, *, unsent: bool = False) -> list[LetterRecord]:
        """The reminder letters in number order, of one mission or all (``unsent``: those never
        e-mailed), each with when and to whom it was first e-mailed."""
        return self._letters.list_all(mission, unsent=unsent)

    def get_letter(self, number: str) -> LetterRecord:
        """The reminder letter with this number; LetterNotFoundError when there is none."""
        return self._letters.get(number)

    def letter_document(self, number: str, *, language: str | None = None) -> Document:
        """The reminder letter as the client receives it, in ``language`` (the client's by default):
        render it with ``missionflow.freelance.render_document``."""
        from missionflow.freelance.client_documents import letter_document

        letter = self._letters.get(number)
        return letter_document(letter, logo=self._logo(letter.copy.get("logo")), language=language)

    def send_document(
        self,
        number: str,
        mailer: Mailer,
        *,
        sender: str,
        actor: str = "",
        again: bool = False,
        at: datetime | None = None,
    ) -> SentDocument:
        """E-mail an invoice, credit note or reminder letter to its client (the client book's
        address), in the client's language, its PDF attached (with the Factur-X XML of an invoice),
        from ``sender``; recorded in the mission's history. Sent once: a document e-mailed before
        is not sent again (the earlier sending comes back, ``already`` True) unless ``again``.

        MailError (nothing recorded) when the server refuses; ConflictError when the client has no
        e-mail address."""
        from missionflow.freelance.client_documents import render_document
        from missionflow.freelance.mailing import document_message

        number = number.strip()
        with self._db.reading() as session:
            found = letters.mission_of_letter(session, number)
            if found is not None:
                what, mission_id = f"letter {number}", found[1].id
            else:
                invoice = session.scalars(select(InvoiceRow).where(InvoiceRow.number == number)).one_or_none()
                if invoice is None:
                    named_a_letter = number.upper().startswith(f"{letters.PREFIX}-")
                    raise (LetterNotFoundError if named_a_letter else InvoiceNotFoundError)(number)
                kind = "credit note" if invoice.kind == "credit" else "invoice"
                what, mission_id = f"{kind} {number}", invoice.mission_id
            earlier = sending.first_sending(session, number)
            mission = session.get(MissionRow, mission_id)
            client = session.get(ClientRow, mission.client_id) if mission is not None else None
        if earlier is not None and not again:
            return earlier
        if client is None or not client.email:
            ref = client_ref(client.id) if client is not None else "C-?"
            raise ConflictError(
                "send",
                f"the client of mission {mission_ref(mission_id)} has no e-mail address: "
                f"missionflow client edit {ref} --email ADDRESS",
            )
        document = self.letter_document(number) if found is not None else self.invoice_document(number)
        pdf = render_document(document, "pdf")
        message = document_message(document, pdf, sender=sender, recipient=client.email, when=at or now())
        outgoing = sending.Outgoing(what, number, mission_id, message)
        with self._db.writing(mission_ref(mission_id)) as session:
            return sending.send_once(session, outgoing, mailer, actor=actor, again=again, at=at)
