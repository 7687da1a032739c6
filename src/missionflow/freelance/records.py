"""The trade's records as a store hands them back: a client of the client book, an issued invoice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from missionflow.freelance.invoice_terms import InvoiceTerms
from missionflow.freelance.mission import Client, InvoiceSummary
from missionflow.freelance.pricing import PricedLine
from missionflow.money import Money

INVOICE_KINDS = ("deposit", "final", "penalty", "credit")
"""An invoice is a deposit invoice, the final invoice, a late-payment invoice (the interest and the
recovery indemnity owed for paying late), or a credit note cancelling one of them."""
QUOTE_STATUSES = ("open", "accepted", "superseded", "expired")
"""A quote is open until the client accepts it, a newer quote replaces it, or its validity ends."""


@dataclass(frozen=True)
class ClientRecord:
    """A stored client, with its reference ("C-1") and whether it is blocked.

    ``company`` is the legal name printed on documents when it differs from ``name``; the
    address, identifiers, contact and language are what a quote or an invoice states.
    """

    ref: str
    name: str
    email: str
    company: str
    business: bool
    blocked: bool
    blocked_reason: str
    created_at: datetime
    address: tuple[str, ...] = ()
    postcode: str = ""
    city: str = ""
    country: str = "FR"
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    contact: str = ""
    phone: str = ""
    language: str = "fr"

    @property
    def legal_name(self) -> str:
        """The name documents print: the legal name when given, else the name."""
        return self.company or self.name

    def as_client(self) -> Client:
        """The client as guards see it."""
        return Client(
            name=self.name,
            ref=self.ref,
            business=self.business,
            blocked=self.blocked,
            blocked_reason=self.blocked_reason,
        )


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def blocked_matches(
    clients: Sequence[ClientRecord], *, name: str, email: str = "", company: str = ""
) -> list[ClientRecord]:
    """The blocked clients a new client may be (R11): the same name or company (either way round,
    ignoring case and spacing) or the same email. A blocked client stays blocked under a new record.

    >>> from datetime import UTC, datetime
    >>> toxic = ClientRecord("C-1", "Toxic SARL", "boss@toxic.fr", "", True, True, "insults", datetime.now(UTC))
    >>> [c.ref for c in blocked_matches([toxic], name="Jean", email="BOSS@toxic.fr")]
    ['C-1']
    """
    names = {_key(text) for text in (name, company) if text.strip()}
    address = _key(email)
    found = []
    for client in clients:
        if not client.blocked:
            continue
        theirs = {_key(text) for text in (client.name, client.company) if text.strip()}
        if names & theirs or (address and address == _key(client.email)):
            found.append(client)
    return found


@dataclass(frozen=True)
class InvoiceRecord:
    """An issued invoice or credit note; ``number`` is "YYYY-NNNN" in its year's series."""

    number: str
    kind: str
    mission: str
    issued_on: date
    due_on: date
    total: Money
    references: str | None
    lines: tuple[dict[str, object], ...]
    created_at: datetime
    terms: InvoiceTerms | None = None
    """What the invoice states besides its lines, as when issued (None before migration 0003)."""
    ledger_anchor: str = ""
    """The ledger's head it was issued under ("SEQ:MAC"; empty before the ledger existed): kept
    by the client with the invoice, it proves later that the record before it was not rewritten."""

    def as_summary(self) -> InvoiceSummary:
        """What guards need to know of this invoice."""
        return InvoiceSummary(number=self.number, kind=self.kind, total=self.total)


@dataclass(frozen=True)
class QuoteRecord:
    """An issued quote (devis), numbered in its own gapless series ("DEV-2026-0001"); never edited.

    ``net`` excludes VAT, ``total`` includes it; ``status`` is worked out when it is read, on
    ``status_on``: accepted (a contract was signed on it), superseded (a newer quote of the mission,
    or a specification changed since), expired (past ``valid_until``) or open.
    """

    number: str
    mission: str
    issued_on: date
    valid_until: date
    lines: tuple[PricedLine, ...]
    net: Money
    total: Money
    deposit_percent: Decimal
    revision_rounds: int
    vat_rate: Decimal | None
    created_at: datetime
    status: str = "open"
    status_on: date | None = None
    copy: Mapping[str, object] = field(default_factory=dict)
    """What the quote states besides its lines (``issued.DocumentCopy`` as JSON)."""


LETTER_KINDS = ("first_reminder", "second_reminder", "formal_notice")
"""A reminder letter is a first reminder, a second reminder (announcing a formal notice) or a formal
notice to pay (interest and recovery indemnity claimed)."""


@dataclass(frozen=True)
class LetterRecord:
    """A reminder letter a timer wrote ("REL-2027-0001", its own gapless series): its kind, the
    timer that wrote it, what it states (``copy``: the parties, terms and overdue invoices, as
    ``issued.DocumentCopy`` JSON), and when it was e-mailed, if it was."""

    number: str
    kind: str
    mission: str
    issued_on: date
    trigger: str
    copy: Mapping[str, object]
    created_at: datetime
    sent_to: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class SentDocument:
    """A document e-mailed to a client (or found already sent: ``already`` is True, nothing was sent)."""

    document: str
    mission: str
    recipient: str
    message_id: str
    sent_at: datetime
    already: bool = False
