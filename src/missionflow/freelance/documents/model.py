"""A document a client receives (quote, invoices, credit note, reminders), as one checked value.

A :class:`Document` refuses to exist when it is inconsistent (a credit note without the invoice
it cancels, a line in another currency, deposits on a quote...), so the renderers never have to
guess; they print what the model says and nothing else. Internal bookkeeping
(``mission_ref``) is carried for the caller and never printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from missionflow.errors import InvalidValueError
from missionflow.freelance.documents.lines import Line, Period, VatCategory, VatRegime
from missionflow.freelance.documents.parties import BankDetails, Language, Party
from missionflow.freelance.documents.totals import (
    Totals,
    compute_totals,
    days_late,
    deposit_gross,
    late_interest,
)
from missionflow.money import Money

__all__ = [
    "Claim",
    "DepositDeduction",
    "Document",
    "DocumentKind",
    "InvoiceReference",
    "Logo",
    "OverdueInvoice",
    "PaymentTerms",
    "QuoteTerms",
]

# BR-FR-01/02: an invoice number has at most 35 characters among letters, digits and + - _ /
_NUMBER = re.compile(r"[A-Za-z0-9+\-_/]{1,35}")


class DocumentKind(StrEnum):
    """Every document of the mission's money side."""

    QUOTE = "quote"
    DEPOSIT_INVOICE = "deposit_invoice"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    LATE_PAYMENT_INVOICE = "late_payment_invoice"
    FIRST_REMINDER = "first_reminder"
    SECOND_REMINDER = "second_reminder"
    FORMAL_NOTICE = "formal_notice"

    @property
    def is_invoice(self) -> bool:
        """An invoice or credit note: a tax document that carries a Factur-X XML."""
        return self in _INVOICES

    @property
    def is_letter(self) -> bool:
        """A reminder or formal notice: a letter about invoices already issued."""
        return self in _LETTERS

    @property
    def asks_payment(self) -> bool:
        """The client is asked to pay, so the document prints the bank details."""
        return self in _ASKS_PAYMENT


_INVOICES = frozenset(
    {
        DocumentKind.DEPOSIT_INVOICE,
        DocumentKind.INVOICE,
        DocumentKind.CREDIT_NOTE,
        DocumentKind.LATE_PAYMENT_INVOICE,
    }
)
_LETTERS = frozenset({DocumentKind.FIRST_REMINDER, DocumentKind.SECOND_REMINDER, DocumentKind.FORMAL_NOTICE})
_ASKS_PAYMENT = (_INVOICES | _LETTERS) - {DocumentKind.CREDIT_NOTE}
_DEDUCTS = frozenset({DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE})
_OUTSIDE_VAT = frozenset({DocumentKind.LATE_PAYMENT_INVOICE, DocumentKind.CREDIT_NOTE})
_STATES_SERVICE = frozenset({DocumentKind.DEPOSIT_INVOICE, DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE})


@dataclass(frozen=True)
class InvoiceReference:
    """An invoice issued earlier, by its number and date."""

    number: str
    issued_on: date


@dataclass(frozen=True)
class DepositDeduction:
    """A deposit invoice deducted from a final invoice, with its amount including tax."""

    invoice: InvoiceReference
    amount: Money


@dataclass(frozen=True)
class OverdueInvoice:
    """An unpaid invoice that a reminder or a late-payment invoice is about."""

    invoice: InvoiceReference
    due_on: date
    amount_due: Money


@dataclass(frozen=True)
class PaymentTerms:
    """When and how the client pays, and what a late payment costs.

    ``late_penalty_rate`` is an annual percentage (at least three times the legal interest
    rate); the ``recovery_indemnity`` (40 EUR by law) is owed by business clients only.
    ``discount`` is the early-payment discount wording; None prints "no discount".
    """

    days: int
    late_penalty_rate: Decimal
    due_on: date | None = None
    recovery_indemnity: Money = field(default_factory=lambda: Money.of("40", "EUR"))
    discount: str | None = None

    def __post_init__(self) -> None:
        if self.days < 0:
            raise InvalidValueError("payment_days", f"{self.days} is negative")
        if not isinstance(self.late_penalty_rate, Decimal) or self.late_penalty_rate <= 0:
            raise InvalidValueError(
                "late_penalty_rate", f"{self.late_penalty_rate!r} must be a positive Decimal"
            )


@dataclass(frozen=True)
class QuoteTerms:
    """What a quote adds: validity, the deposit asked at signature and the revision rounds included."""

    valid_until: date
    deposit_percent: Decimal = Decimal(0)
    revision_rounds: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.deposit_percent, Decimal) or not 0 <= self.deposit_percent <= 100:
            raise InvalidValueError("deposit_percent", f"{self.deposit_percent!r} is not a percentage")
        if self.revision_rounds < 0:
            raise InvalidValueError("revision_rounds", f"{self.revision_rounds} is negative")


@dataclass(frozen=True)
class Logo:
    """The seller's logo as PNG or SVG bytes, embedded in the document (nothing is fetched)."""

    data: bytes

    @property
    def media_type(self) -> str:
        """image/png or image/svg+xml, read from the bytes themselves."""
        if self.data.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png"
        if b"<svg" in self.data[:1024]:
            return "image/svg+xml"
        raise InvalidValueError("logo", "is neither a PNG nor an SVG image")


@dataclass(frozen=True)
class Claim:
    """What a reminder or formal notice claims: principal, interest and indemnities."""

    principal: Money
    interest: Money
    indemnity: Money

    @property
    def total(self) -> Money:
        """Everything claimed."""
        return self.principal + self.interest + self.indemnity


@dataclass(frozen=True)
class Document:
    """One document as the client receives it; see the module docstring for what is refused."""

    kind: DocumentKind
    number: str
    issued_on: date
    seller: Party
    buyer: Party
    payment: PaymentTerms
    lines: tuple[Line, ...] = ()
    currency: str = "EUR"
    vat: VatRegime = field(default_factory=VatRegime.franchise)
    service_date: date | None = None
    service_period: Period | None = None
    deposits: tuple[DepositDeduction, ...] = ()
    cancels: InvoiceReference | None = None
    quote: QuoteTerms | None = None
    overdue: tuple[OverdueInvoice, ...] = ()
    reply_within_days: int = 8
    bank: BankDetails | None = None
    logo: Logo | None = None
    note: str | None = None
    ledger_anchor: str | None = None
    mission_ref: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", DocumentKind(self.kind))
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "deposits", tuple(self.deposits))
        object.__setattr__(self, "overdue", tuple(self.overdue))
        if not _NUMBER.fullmatch(self.number):
            raise InvalidValueError(
                "number", f"{self.number!r} must be 1 to 35 letters, digits or + - _ / (no spaces)"
            )
        self._check_parties()
        self._check_kind()
        self._check_currency()
        if self.logo is not None:
            _ = self.logo.media_type
        _ = self.totals  # deposits or reductions larger than the total are refused here, not at rendering

    def _check_parties(self) -> None:
        seller = self.seller
        if not seller.business or seller.siret is None or not seller.legal_form:
            raise InvalidValueError("seller", "the seller needs a SIRET and a legal form (for example EI)")
        buyer = self.buyer
        if buyer.business and buyer.address.country == "FR" and buyer.siren is None:
            raise InvalidValueError("buyer", f"the French business client {buyer.name!r} needs a SIREN")
        if self.kind.asks_payment and self.bank is None:
            raise InvalidValueError("bank", f"a {self.kind.value} asks for payment: give the bank details")

    def _check_kind(self) -> None:
        kind = self.kind
        wrong = [
            (kind.is_letter and bool(self.lines), "a reminder lists overdue invoices, not lines"),
            (not kind.is_letter and not self.lines, "needs at least one line"),
            (
                kind.is_letter != bool(self.overdue) and kind is not DocumentKind.LATE_PAYMENT_INVOICE,
                "overdue",
            ),
            (kind is DocumentKind.LATE_PAYMENT_INVOICE and not self.overdue, "names the overdue invoices"),
            ((kind is DocumentKind.CREDIT_NOTE) != (self.cancels is not None), "cancels"),
            ((kind is DocumentKind.QUOTE) != (self.quote is not None), "quote terms"),
            (
                bool(self.deposits) and kind not in _DEDUCTS,
                "only a final invoice deducts deposits (and the credit note that cancels it)",
            ),
            (
                kind is DocumentKind.LATE_PAYMENT_INVOICE
                and self.vat.category is not VatCategory.NOT_SUBJECT,
                "late-payment interest and indemnity are outside the scope of VAT",
            ),
            (
                kind not in _OUTSIDE_VAT and self.vat.category is VatCategory.NOT_SUBJECT,
                "only late-payment interest and indemnity (and the credit note that cancels them) "
                "are outside the scope of VAT",
            ),
            (
                # late-payment interest bills no service, nor does the credit note that cancels it
                kind in _STATES_SERVICE
                and self.vat.category is not VatCategory.NOT_SUBJECT
                and self.service_date is None
                and self.service_period is None,
                "states the date or period of the service",
            ),
            (
                kind.is_invoice and kind is not DocumentKind.CREDIT_NOTE and self.payment.due_on is None,
                "an invoice states its due date",
            ),
        ]
        for failed, reason in wrong:
            if failed:
                raise InvalidValueError("kind", f"{kind.value} {self.number}: {_explain(reason)}")
        due_on = self.payment.due_on
        if due_on is not None and due_on < self.issued_on and kind is not DocumentKind.DEPOSIT_INVOICE:
            raise InvalidValueError("due_on", f"{due_on} is before the issue date {self.issued_on}")
        if self.service_date is not None and self.service_period is not None:
            raise InvalidValueError("service_date", "give a service date or a period, not both")

    def _check_currency(self) -> None:
        amounts = [d.amount for d in self.deposits] + [o.amount_due for o in self.overdue]
        for amount in amounts:
            if amount.currency != self.currency:
                raise InvalidValueError("currency", f"cannot mix {self.currency} and {amount.currency}")

    @property
    def language(self) -> Language:
        """The client's language, which the document is written in unless the caller says otherwise."""
        return self.buyer.language

    @cached_property
    def totals(self) -> Totals:
        """HT, VAT per rate, TTC, deposits deducted and amount due (see :mod:`.totals`)."""
        return compute_totals(self.lines, self.vat, self.currency, (d.amount for d in self.deposits))

    @property
    def indemnity_applies(self) -> bool:
        """The 40 EUR recovery indemnity is owed by business clients only, on an invoice that asks
        for something."""
        return self.buyer.business and not self.nothing_due

    @property
    def nothing_due(self) -> bool:
        """An invoice that asks for nothing (pro bono, or wholly covered by its deposits) can never be
        paid late: it states no late penalty and no recovery indemnity."""
        return (
            self.kind.is_invoice and self.kind is not DocumentKind.CREDIT_NOTE and self.totals.due.amount == 0
        )

    @property
    def deposit_asked(self) -> Money | None:
        """For a quote, the deposit to pay at signature: a percentage of each VAT rate's base, tax added
        (see :func:`~missionflow.freelance.documents.totals.deposit_bases`)."""
        if self.quote is None or self.quote.deposit_percent == 0:
            return None
        return deposit_gross(self.lines, self.vat, self.currency, self.quote.deposit_percent)

    def claim(self) -> Claim:
        """What a reminder claims as of its issue date; a formal notice adds interest and indemnities."""
        principal = Money.total((o.amount_due for o in self.overdue), self.currency)
        zero = Money.zero(self.currency)
        if self.kind is not DocumentKind.FORMAL_NOTICE:
            return Claim(principal, zero, zero)
        interest = Money.total(
            (
                late_interest(o.amount_due, self.payment.late_penalty_rate, o.due_on, self.issued_on)
                for o in self.overdue
            ),
            self.currency,
        )
        late = sum(1 for o in self.overdue if days_late(o.due_on, self.issued_on) > 0)
        indemnity = self.payment.recovery_indemnity
        owed = Money(indemnity.amount * late, indemnity.currency) if self.indemnity_applies else zero
        if owed.currency != self.currency:
            raise InvalidValueError("currency", f"the indemnity is in {owed.currency}, not {self.currency}")
        return Claim(principal, interest, owed)


def _explain(reason: str) -> str:
    """Short keys stand for the sentences that would otherwise be repeated in the checks."""
    sentences = {
        "overdue": "reminders, and late-payment invoices, list the overdue invoices; other documents do not",
        "cancels": "a credit note, and only a credit note, names the invoice it cancels",
        "quote terms": "a quote, and only a quote, has quote terms (validity, deposit, revision rounds)",
    }
    return sentences.get(reason, reason)
