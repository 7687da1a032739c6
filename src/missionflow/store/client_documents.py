"""The part of the Store about what a client receives: the client book's details, quotes (issued,
read, accepted by signing the contract on one) and the documents of issued quotes and invoices,
rebuilt from their own copy for any format and language."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from missionflow.freelance import ClientRecord, QuoteRecord
from missionflow.store import logos
from missionflow.store.clients import ClientBook
from missionflow.store.invoices import Invoices
from missionflow.store.quotes import Quotes
from missionflow.store.session import Database
from missionflow.workflow import TransitionRecord

if TYPE_CHECKING:
    from missionflow.freelance.documents import Document


class ClientDocuments:
    """Mixed into :class:`~missionflow.store.Store`: its methods about clients' details and documents."""

    _db: Database
    _clients: ClientBook
    _invoices: Invoices
    _quotes: Quotes

    def edit_client(self, ref: str, **changes: object) -> ClientRecord:
        """Change a client's details (name, legal_name, email, business, address, postcode, city,
        country, siren, siret, vat_number, contact, phone, language); identifiers are checked.
        Documents issued before keep what they stated; the next ones state the new details.

        >>> from missionflow import open_store
        >>> with open_store("sqlite://") as store:
        ...     ref = store.add_client("Dupont").ref
        ...     store.edit_client(ref, siren="552 100 554", language="en").siren
        '552100554'
        """
        return self._clients.edit(ref, **changes)

    def issue_quote(
        self, ref: str, *, issued_on: date | None = None, valid_days: int | None = None
    ) -> QuoteRecord:
        """Issue a quote (devis) of the mission's specification, numbered "DEV-2026-0001" in its own
        gapless series; a changed specification makes a new quote, never an edited one."""
        return self._quotes.issue(ref, issued_on=issued_on, valid_days=valid_days)

    def get_quote(self, number: str, *, on: date | None = None) -> QuoteRecord:
        """The quote with this number and its status on ``on`` (open, accepted, superseded, expired)."""
        return self._quotes.get(number, on=on)

    def list_quotes(self, mission: str | None = None, *, on: date | None = None) -> list[QuoteRecord]:
        """Issued quotes in number order, of one mission or all, with their status on ``on``."""
        return self._quotes.list_all(mission, on=on)

    def sign_quote(
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
        """Record the client's acceptance of a quote as the mission's contract (its amount and lines
        are the quote's) and fire the signature; an expired or superseded quote is refused."""
        return self._quotes.sign(
            ref,
            number,
            terms_version=terms_version,
            signed_on=signed_on,
            signed_by=signed_by,
            acceptance_days=acceptance_days,
            actor=actor,
            note=note,
            at=at,
        )

    def invoice_document(self, number: str, *, language: str | None = None) -> Document:
        """The issued invoice or credit note as the client received it, in ``language`` (the
        client's by default): render it with ``missionflow.freelance.render_document``."""
        from missionflow.freelance.client_documents import invoice_document

        record = self._invoices.get(number)
        terms = record.terms
        digest = terms.document.get("logo") if terms is not None and terms.document else None
        return invoice_document(record, logo=self._logo(digest), language=language)

    def quote_document(self, number: str, *, language: str | None = None) -> Document:
        """The issued quote as the client received it, with its "bon pour accord" block."""
        from missionflow.freelance.client_documents import quote_document

        record = self._quotes.get(number)
        return quote_document(record, logo=self._logo(record.copy.get("logo")), language=language)

    def _logo(self, digest: object) -> bytes | None:
        if not isinstance(digest, str):
            return None
        with self._db.reading() as session:
            return logos.logo_bytes(session, digest)
