"""The trade's records as a store hands them back: a client of the client book, an issued invoice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from missionflow.freelance.invoice_terms import InvoiceTerms
from missionflow.freelance.mission import Client, InvoiceSummary
from missionflow.money import Money

INVOICE_KINDS = ("deposit", "final", "credit")
"""An invoice is a deposit invoice, the final invoice, or a credit note cancelling one of them."""


@dataclass(frozen=True)
class ClientRecord:
    """A stored client, with its reference ("C-1") and whether it is blocked."""

    ref: str
    name: str
    email: str
    company: str
    business: bool
    blocked: bool
    blocked_reason: str
    created_at: datetime

    def as_client(self) -> Client:
        """The client as guards see it."""
        return Client(
            name=self.name,
            ref=self.ref,
            business=self.business,
            blocked=self.blocked,
            blocked_reason=self.blocked_reason,
        )


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

    def as_summary(self) -> InvoiceSummary:
        """What guards need to know of this invoice."""
        return InvoiceSummary(number=self.number, kind=self.kind, total=self.total)
