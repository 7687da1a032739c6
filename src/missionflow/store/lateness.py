"""A mission's account read as debts for the late-charges arithmetic (:mod:`missionflow.freelance.
late_charges`): its invoices, or the installments of its plan for the invoices the plan covers, each
with the payments that reached it and the rate and indemnity its invoice stated; and what its
late-payment invoices already billed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from missionflow.freelance import InvoiceTerms, Settings
from missionflow.freelance.late_charges import Billed, Debt, billed_by, settle
from missionflow.money import Money
from missionflow.store.account_reads import Account
from missionflow.store.invoice_rows import number_key

PENALTY = "penalty"
"""The kind of a late-payment invoice (interest and indemnity): never itself charged interest."""


def _stated(
    terms: InvoiceTerms | None, business: bool, settings: Settings, currency: str
) -> tuple[Decimal, Money | None, bool]:
    """The rate, the indemnity and whether the client is a business, as the invoice stated them
    (the settings' for an invoice issued before missionflow kept its terms)."""
    if terms is None:
        indemnity = Money(settings.recovery_indemnity, currency) if business else None
        return settings.late_penalty_rate, indemnity, business
    return terms.late_penalty_rate, terms.recovery_indemnity, terms.client_business


def _after(payments: Sequence[tuple[date, Money]], skipped: Money) -> list[tuple[date, Money]]:
    """The payments after the first ``skipped`` of them (in date order): what reached a plan agreed
    when ``skipped`` was already paid."""
    left = skipped.amount
    found = []
    for when, amount in payments:
        share = min(left, amount.amount)
        left -= share
        if amount.amount > share:
            found.append((when, Money(amount.amount - share, amount.currency)))
    return found


def debts_of(
    ref: str, account: Account, business: bool, settings: Settings
) -> tuple[list[Debt], dict[str, bool]]:
    """The debts of a mission's account (its late-payment invoices left out: no interest on
    interest), and for each debt whether the client was a business when it was invoiced."""
    terms = {i.number: i.terms for i in account.invoices}
    standing = sorted(
        (b for b in account.balances if b.status not in ("cancelled", "credit")),
        key=lambda b: (b.issued_on, number_key(b.number)),
    )
    paid = settle([(b.number, b.total) for b in standing], account.payments)
    plan = account.plan
    covered = set(plan.covers) if plan is not None else set()
    debts: list[Debt] = []
    businesses: dict[str, bool] = {}
    for balance in standing:
        if balance.kind == PENALTY or balance.number in covered:
            continue
        rate, indemnity, is_business = _stated(
            terms.get(balance.number), business, settings, balance.total.currency
        )
        businesses[balance.number] = is_business
        debts.append(
            Debt(
                balance.number,
                balance.due_on,
                balance.total,
                rate,
                indemnity,
                balance.number,
                paid[balance.number],
            )
        )
    if plan is not None:
        last = next((terms[n] for n in reversed(plan.covers) if terms.get(n) is not None), None)
        rate, indemnity, is_business = _stated(last, business, settings, plan.amount.currency)
        before = account.paid_before_plan or Money.zero(plan.amount.currency)
        references = [(f"{ref} #{item.position}", item.amount) for item in plan.installments]
        reached = settle(references, _after(account.payments, before))
        for item, (reference, _) in zip(plan.installments, references, strict=True):
            businesses[reference] = is_business
            group = f"plan of {ref}"
            debts.append(
                Debt(reference, item.due_on, item.amount, rate, indemnity, group, reached[reference])
            )
    return debts, businesses


def billed_of(account: Account) -> Billed:
    """What the mission's late-payment invoices (those not cancelled) already billed."""
    billed = Billed()
    for invoice, balance in zip(account.invoices, _by_number(account), strict=True):
        if invoice.kind == PENALTY and balance not in ("cancelled", "credit"):
            billed_by(invoice.lines, billed)
    return billed


def _by_number(account: Account) -> list[str]:
    statuses = {b.number: b.status for b in account.balances}
    return [statuses.get(i.number, "") for i in account.invoices]


def late_invoices(account: Account, references: Sequence[str]) -> list[str]:
    """The numbers of the invoices a late-payment invoice is about: those its lines name, and for an
    installment of a plan, the invoices the plan covers."""
    numbers = {i.number for i in account.invoices}
    found = [r for r in references if r in numbers]
    if any(r not in numbers for r in references) and account.plan is not None:
        found.extend(account.plan.covers)
    return list(dict.fromkeys(found))


def interest_words(reference: str, days: int, rate: Decimal) -> dict[str, str]:
    """The designation of a late-interest line in each language of the documents."""
    from missionflow.freelance.documents.formatting import format_rate
    from missionflow.freelance.documents.messages import message
    from missionflow.freelance.documents.parties import Language

    return {
        lang.value: message(lang, "late.interest", number=reference, days=days, rate=format_rate(rate, lang))
        for lang in Language
    }


def indemnity_words(reference: str) -> dict[str, str]:
    """The designation of a recovery-indemnity line in each language of the documents."""
    from missionflow.freelance.documents.messages import message
    from missionflow.freelance.documents.parties import Language

    return {lang.value: message(lang, "late.indemnity", number=reference) for lang in Language}
