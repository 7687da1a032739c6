"""A freelance mission as plain Python objects: the subject the trade's workflows move, and the
facts its guards and timers read (client, specification, contract, payments, invoices, what is
still owed by when, history).

The engine works on these objects directly (embedding without a database); the store
loads them from the database and writes back what the engine decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from missionflow.freelance.agreement import CONTRACT, Agreement, agreement_of
from missionflow.freelance.pricing import (
    LineSource,
    Price,
    PricedLine,
    change_line,
    deposit_due,
    gross_of,
    lump_sum,
    rush_line,
)
from missionflow.money import Money
from missionflow.workflow import TransitionRecord


@dataclass(frozen=True)
class Client:
    """Who the mission is for, as far as guards care."""

    name: str
    ref: str = ""
    business: bool = True
    blocked: bool = False
    blocked_reason: str = ""


@dataclass(frozen=True)
class CriterionAnswer:
    """The freelancer's answer to one client criterion for one mission."""

    criterion: str
    met: bool
    note: str = ""


@dataclass(frozen=True)
class Deliverable:
    """Something the specification promises to hand over; access codes count as deliverables.

    A deliverable with a ``price`` is a line of the quote, the contract and the invoices; one
    without is included in the others (an access code, mockups included in the site).
    """

    name: str
    kind: str = "deliverable"
    price: Price | None = None

    def line(self) -> PricedLine | None:
        """The deliverable as a priced line, or None when it is not priced on its own."""
        return PricedLine(self.name, self.price) if self.price is not None else None


@dataclass(frozen=True)
class Specification:
    """The cahier des charges (R3): what will be done, by when, for how much."""

    objectives: str = ""
    deliverables: tuple[Deliverable, ...] = ()
    deadline: date | None = None
    budget: Money | None = None
    acceptance: str = ""

    def missing_parts(self) -> list[str]:
        """The required parts that are still empty, in the order a person fills them in."""
        missing = []
        if not self.objectives.strip():
            missing.append("objectives")
        if not self.deliverables:
            missing.append("at least one deliverable")
        if self.deadline is None:
            missing.append("a deadline")
        if self.budget is None:
            missing.append("a budget")
        if not self.acceptance.strip():
            missing.append("acceptance criteria")
        return missing


@dataclass(frozen=True)
class Contract:
    """The signed quote and terms (R4); pro bono is an explicit amount of 0.

    ``amount`` excludes VAT (HT). ``quote`` is the number of the quote the client accepted;
    ``lines`` what the contract bills, line by line (the quote's lines; none means one lump sum
    of ``amount``); ``vat_rate`` the default VAT rate when VAT is charged, None under the
    franchise (no VAT).
    """

    amount: Money
    terms_version: str
    signed_on: date
    signed_by: str = ""
    acceptance_days: int | None = None
    quote: str | None = None
    lines: tuple[PricedLine, ...] = ()
    vat_rate: Decimal | None = None

    @cached_property
    def billed(self) -> tuple[PricedLine, ...]:
        """The lines the contract bills: its own, or one lump sum of its amount (built once: the
        contract is frozen, and every guard on the deposit asks for them)."""
        return self.lines or (PricedLine("-", lump_sum(self.amount), LineSource.CONTRACT),)

    def at_signature(self, rush_surcharge: Money | None) -> tuple[PricedLine, ...]:
        """What was agreed at the signature, line by line: the contract's lines, and the rush
        surcharge unless they already bill it (a quote does)."""
        lines = self.billed
        if rush_surcharge is None or rush_surcharge.amount <= 0:
            return lines
        if any(line.source is LineSource.RUSH for line in lines):
            return lines
        return (*lines, rush_line(rush_surcharge))

    @property
    def gross(self) -> Money:
        """What the contract's lines cost the client, VAT included (their sum under the franchise)."""
        return gross_of(self.billed, self.vat_rate, self.amount.currency)


@dataclass(frozen=True)
class Payment:
    """Money received from the client."""

    amount: Money
    received_on: date
    method: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Amendment:
    """An agreed change to a signed contract (R4, R8), kept beside it: the contract is never edited.

    ``amount`` is what the change adds to the price (negative when it lowers it); ``kind`` is
    ``amendment`` or ``extra_revision``.
    """

    kind: str
    amount: Money
    reason: str
    agreed_at: datetime


@dataclass(frozen=True)
class InvoiceSummary:
    """What the guards need to know of an issued invoice; a credit note names the invoice it
    cancels in ``references``."""

    number: str
    kind: str
    total: Money
    references: str | None = None
    issued_on: date | None = None


def live_invoices(invoices: Sequence[InvoiceSummary]) -> list[InvoiceSummary]:
    """The invoices that stand: neither credit notes nor cancelled by one, in the order given."""
    cancelled = {i.references for i in invoices if i.kind == "credit" and i.references}
    return [i for i in invoices if i.kind != "credit" and i.number not in cancelled]


@dataclass(frozen=True)
class PaymentDue:
    """Money the client still owes by a date: an open invoice, or an installment of the current
    plan (an invoice a plan reschedules is owed by its installments instead)."""

    what: str
    due_on: date
    balance: Money


@dataclass
class Mission:
    """A mission and every fact the guards of the shipped workflows read (a workflow Subject).

    >>> from missionflow import fire
    >>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    >>> fire(m, "qualify", actor="me").dest
    'criteria_check'
    """

    ref: str
    workflow: str
    state: str
    workflow_version: int = 1
    title: str = ""
    client: Client = field(default_factory=lambda: Client(""))
    currency: str = "EUR"
    amount: Money | None = None
    deposit_percent: Decimal = Decimal("30")
    included_revisions: int = 2
    extra_revisions: int = 0
    sessions_planned: int = 0
    deadline: date | None = None
    rush_surcharge: Money | None = None
    criteria_answers: dict[str, CriterionAnswer] = field(default_factory=dict)
    specification: Specification | None = None
    contract: Contract | None = None
    payments: list[Payment] = field(default_factory=list)
    invoices: list[InvoiceSummary] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    dues: tuple[PaymentDue, ...] = ()
    """What is still owed, by due date (a store computes it from the invoices, payments and plan)."""
    history: list[TransitionRecord] = field(default_factory=list)
    version: int = 0

    @property
    def paid_total(self) -> Money:
        """Every payment received, in the mission's currency."""
        return Money.total((payment.amount for payment in self.payments), self.currency)

    @property
    def invoiced_total(self) -> Money:
        """The sum of issued invoices (credit notes count negatively)."""
        total = Money.zero(self.currency)
        for invoice in self.invoices:
            total = total - invoice.total if invoice.kind == "credit" else total + invoice.total
        return total

    def live_invoices(self) -> list[InvoiceSummary]:
        """The invoices that stand: neither a credit note nor cancelled by one."""
        return live_invoices(self.invoices)

    @property
    def balance(self) -> Money:
        """What the live invoices still ask for once every payment is counted (negative: a credit)."""
        live = Money.total((i.total for i in self.live_invoices()), self.currency)
        return live - self.paid_total

    @property
    def agreement(self) -> Agreement:
        """Every line agreed (contract or quote, rush surcharge, amendments, extra rounds): see
        :func:`missionflow.freelance.agreement.agreement_of`."""
        return self._agreement(with_changes=True)

    def _agreement(self, *, with_changes: bool) -> Agreement:
        contract = self.contract
        return agreement_of(
            self.currency,
            contract_amount=contract.amount if contract is not None else None,
            terms_version=contract.terms_version if contract is not None else "",
            quoted=self.amount,
            rush_surcharge=self.rush_surcharge,
            deadline=self.deadline,
            changes=self.amendments if contract is not None and with_changes else (),
        )

    @property
    def agreed_amount(self) -> Money | None:
        """Everything agreed (the contract, its rush surcharge, amendments and extra rounds), or
        before the signature what was quoted; None when no amount is known yet."""
        agreement = self.agreement
        return agreement.total if agreement.lines_of(CONTRACT) else None

    @property
    def agreed_gross(self) -> Money | None:
        """Everything agreed, VAT included, as the invoices bill it: the contract's lines, the rush
        surcharge, amendments and extra rounds (:attr:`agreed_amount` under the franchise, or
        before the signature)."""
        contract = self.contract
        if contract is None:
            return self.agreed_amount
        changes = (change_line(a.kind, a.amount, a.reason) for a in self.amendments)
        lines = (*contract.at_signature(self.rush_surcharge), *changes)
        return gross_of(lines, contract.vat_rate, self.currency)

    @property
    def deposit_due(self) -> Money:
        """The deposit the client owes before work starts (R5): the deposit percentage of what was
        agreed at the signature (the contract and its rush surcharge), VAT included, exactly as the
        deposit invoice bills it (see :meth:`Contract.at_signature`); before the signature, what the
        quoted amount would ask."""
        # Amendments are not read: they never change the deposit agreed at the signature.
        contract = self.contract
        if contract is None:  # what the quoted amount (and its rush surcharge) would ask
            agreement = self._agreement(with_changes=False)
            base = agreement.at_signature if agreement.lines_of(CONTRACT) else Money.zero(self.currency)
            return base.percent(self.deposit_percent)
        lines = contract.at_signature(self.rush_surcharge)
        return deposit_due(lines, contract.vat_rate, self.currency, self.deposit_percent)

    def deliveries(self) -> list[tuple[str, datetime]]:
        """(deliverable, when) for every recorded delivery (see TransitionRecord.delivery), oldest first."""
        return [(r.delivery, r.at) for r in self.history if r.delivery is not None]

    def count_fired(self, *triggers: str) -> int:
        """How many times one of ``triggers`` was fired on this mission."""
        return sum(1 for r in self.history if r.trigger in triggers)
