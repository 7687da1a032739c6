"""Invoice arithmetic without a database: due dates, final invoice totals, allocation, statuses,
installment plans and late interest, exact to the cent in Decimal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from missionflow import InvalidValueError, Money
from missionflow.freelance import Amendment
from missionflow.freelance.agreement import AgreedLine, agreement_of
from missionflow.freelance.balances import days_late, installment_statuses, invoice_balances
from missionflow.freelance.billing import (
    MAX_TERMS_DAYS,
    Installment,
    OpenInvoice,
    PlanShare,
    allocate,
    check_installments,
    check_plan,
    due_date,
    final_invoice_lines,
    late_interest,
    plan_due_dates,
    split_evenly,
)
from missionflow.freelance.invoice_terms import InvoiceTerms
from missionflow.testing import eur

AGREED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
cents = st.integers(min_value=0, max_value=10**9).map(lambda c: Money(Decimal(c) / 100, "EUR"))


@dataclass(frozen=True)
class Issued:
    """An issued invoice as the statuses read it."""

    number: str
    kind: str
    total: Money
    issued_on: date
    due_on: date
    references: str | None = None
    mission: str = "M-1"


# --- due dates ----------------------------------------------------------------------------------


def test_default_terms_give_thirty_days() -> None:
    """Thirty days of terms put the due date thirty days after the invoice date."""
    assert due_date(date(2026, 11, 24), 30) == date(2026, 12, 24)
    assert due_date(date(2027, 1, 31), 30) == date(2027, 3, 2)


def test_terms_over_sixty_days_are_refused() -> None:
    """Sixty days is the legal maximum; 61 (or a negative count) is an invalid value."""
    assert due_date(date(2026, 1, 1), MAX_TERMS_DAYS) == date(2026, 3, 2)
    with pytest.raises(InvalidValueError, match="legal maximum"):
        due_date(date(2026, 1, 1), 61)
    with pytest.raises(InvalidValueError, match="negative"):
        due_date(date(2026, 1, 1), -1)


# --- the final invoice --------------------------------------------------------------------------


def agreed(contract: Money, *extras: Money) -> tuple[AgreedLine, ...]:
    """The agreed lines of a contract and extra rounds (named "extra 0", "extra 1"...)."""
    rounds = [Amendment("extra_revision", extra, f"extra {n}", AGREED_AT) for n, extra in enumerate(extras)]
    return agreement_of("EUR", contract_amount=contract, changes=rounds).lines


def test_the_final_invoice_subtracts_every_deposit_invoice() -> None:
    """Contract plus extras, minus each deposit listed by number, to the cent."""
    lines, total = final_invoice_lines(
        agreed(eur("4500"), eur("250")),
        [("2026-0001", eur("1350")), ("2026-0004", eur("0.01"))],
    )
    assert total == eur("3399.99")
    assert [line.description for line in lines] == [
        "Contract amount",
        "Extra revision round: extra 0",
        "Deposit invoice 2026-0001",
        "Deposit invoice 2026-0004",
    ]
    assert sum((line.amount for line in lines), Decimal(0)) == total.amount


def test_awkward_thirds_add_up_exactly() -> None:
    """A 1000 EUR contract with deposits of a third each leaves exactly the remainder to invoice."""
    contract = eur("1000")
    first, second, _ = split_evenly(contract, 3)
    assert (first, second) == (eur("333.34"), eur("333.33"))
    _, total = final_invoice_lines(agreed(contract), [("2026-0001", first), ("2026-0002", second)])
    assert total == eur("333.33")
    assert first + second + total == contract
    deposit = contract.percent(Decimal("33.333"))
    _, rest = final_invoice_lines(agreed(contract), [("2026-0003", deposit)])
    assert (deposit, rest) == (eur("333.33"), eur("666.67"))


def test_deposits_above_the_amount_are_refused() -> None:
    """Deposits larger than the contract and extras cannot give a negative final invoice."""
    with pytest.raises(InvalidValueError, match="exceed"):
        final_invoice_lines(agreed(eur("100")), [("2026-0001", eur("100.01"))])


@given(contract=cents, extras=st.lists(cents, max_size=3), shares=st.integers(min_value=1, max_value=7))
def test_deposits_and_final_always_sum_to_the_contract(
    contract: Money, extras: list[Money], shares: int
) -> None:
    """Whatever the amounts, the deposit invoices plus the final invoice equal contract plus extras."""
    deposits = split_evenly(contract, shares)[:-1]
    lines, total = final_invoice_lines(
        agreed(contract, *extras), [(f"D{n}", d) for n, d in enumerate(deposits)]
    )
    expected = sum(extras, contract)
    assert sum(deposits, total) == expected
    assert sum((line.amount for line in lines), Decimal(0)) == total.amount


@given(amount=cents, parts=st.integers(min_value=1, max_value=12))
def test_split_evenly_sums_exactly(amount: Money, parts: int) -> None:
    """The shares sum to the amount and differ by at most a cent."""
    shares = split_evenly(amount, parts)
    assert sum(shares, Money.zero("EUR")) == amount
    assert max(shares).amount - min(shares).amount <= Decimal("0.01")


# --- allocation and statuses --------------------------------------------------------------------


def test_payments_go_to_the_oldest_invoice_first_and_the_rest_is_a_credit() -> None:
    """Allocation fills invoices by issue date; what is left over is not allocated."""
    invoices = [
        OpenInvoice("2026-0002", eur("700"), date(2026, 5, 1)),
        OpenInvoice("2026-0001", eur("300"), date(2026, 3, 1)),
    ]
    assert allocate(invoices, eur("500")) == {"2026-0001": eur("300"), "2026-0002": eur("200")}
    assert allocate(invoices, eur("1200")) == {"2026-0001": eur("300"), "2026-0002": eur("700")}


def test_each_status_follows_from_payments_and_dates() -> None:
    """due, partially_paid, paid, overdue, cancelled and credit, from one set of facts."""
    invoices = [
        Issued("2026-0001", "deposit", eur("300"), date(2026, 3, 1), date(2026, 3, 31)),
        Issued("2026-0002", "final", eur("700"), date(2026, 5, 1), date(2026, 5, 31)),
        Issued("2026-0003", "final", eur("50"), date(2026, 5, 2), date(2026, 6, 1)),
        Issued("2026-0004", "credit", eur("50"), date(2026, 5, 3), date(2026, 5, 3), references="2026-0003"),
    ]
    on_time = {b.number: b for b in invoice_balances(invoices, eur("500.01"), date(2026, 5, 10))}
    assert on_time["2026-0001"].status == "paid"
    assert (on_time["2026-0002"].status, on_time["2026-0002"].balance) == ("partially_paid", eur("499.99"))
    assert (on_time["2026-0003"].status, on_time["2026-0003"].cancelled_by) == ("cancelled", "2026-0004")
    assert on_time["2026-0003"].balance == eur("0")
    assert on_time["2026-0004"].status == "credit"
    late = {b.number: b.status for b in invoice_balances(invoices, eur("300"), date(2026, 6, 1))}
    assert late == {
        "2026-0001": "paid",
        "2026-0002": "overdue",
        "2026-0003": "cancelled",
        "2026-0004": "credit",
    }
    assert invoice_balances(invoices[:2], eur("0"), date(2026, 3, 1))[0].status == "due"


def test_a_cancelled_invoice_passes_its_payments_on() -> None:
    """What a cancelled invoice had received goes to the next invoice."""
    invoices = [
        Issued("2026-0001", "deposit", eur("300"), date(2026, 3, 1), date(2026, 3, 31)),
        Issued("2026-0002", "credit", eur("300"), date(2026, 3, 2), date(2026, 3, 2), references="2026-0001"),
        Issued("2026-0003", "deposit", eur("250"), date(2026, 3, 2), date(2026, 4, 1)),
    ]
    balances = {b.number: b for b in invoice_balances(invoices, eur("300"), date(2026, 3, 3))}
    assert balances["2026-0001"].paid == eur("0")
    assert balances["2026-0003"].status == "paid"


# --- installment plans --------------------------------------------------------------------------


def test_a_plan_must_sum_to_the_amount_due() -> None:
    """A plan one cent short (or over) is refused; an exact one comes back sorted by date."""
    plan = [Installment(date(2027, 2, 28), eur("1500")), Installment(date(2027, 1, 31), eur("1500"))]
    ordered = check_installments(plan, eur("3000"), date(2027, 1, 2))
    assert [i.due_on for i in ordered] == [date(2027, 1, 31), date(2027, 2, 28)]
    with pytest.raises(InvalidValueError, match=re.escape("sums to 3,000.00 EUR, not the 3,000.01 EUR due")):
        check_installments(plan, eur("3000.01"), date(2027, 1, 2))
    with pytest.raises(InvalidValueError, match="more than 0"):
        check_installments([Installment(date(2027, 1, 31), eur("0"))], eur("0"), date(2027, 1, 2))
    with pytest.raises(InvalidValueError, match="at least one"):
        check_installments([], eur("10"), date(2027, 1, 2))


def test_installments_past_the_legal_limit_are_refused() -> None:
    """An installment 60 days after the invoice is allowed; 61 days is refused."""
    issued = date(2027, 1, 1)
    limit = issued + timedelta(days=60)
    assert check_installments([Installment(limit, eur("10"))], eur("10"), issued)
    with pytest.raises(InvalidValueError, match="legal maximum"):
        check_installments([Installment(limit + timedelta(days=1), eur("10"))], eur("10"), issued)


def test_each_invoice_of_a_plan_is_paid_off_within_its_own_limit() -> None:
    """An older invoice may not be paid off later than 60 days after its own date."""
    shares = [
        PlanShare("2027-0001", eur("100"), date(2027, 1, 1)),
        PlanShare("2027-0002", eur("100"), date(2027, 2, 1)),
    ]
    fine = [Installment(date(2027, 3, 1), eur("100")), Installment(date(2027, 4, 1), eur("100"))]
    assert plan_due_dates(shares, check_plan(fine, shares)) == {
        "2027-0001": date(2027, 3, 1),
        "2027-0002": date(2027, 4, 1),
    }
    late_for_the_first = [
        Installment(date(2027, 3, 1), eur("50")),
        Installment(date(2027, 3, 20), eur("150")),
    ]
    with pytest.raises(InvalidValueError, match="2027-0001 would be paid off on 2027-03-20"):
        check_plan(late_for_the_first, shares)


def test_installment_statuses_follow_what_was_paid_toward_the_plan() -> None:
    """Payments fill installments in date order; an unpaid one past its date is overdue."""
    plan = [Installment(date(2027, 1, 31), eur("1500")), Installment(date(2027, 2, 28), eur("1500"))]
    statuses = installment_statuses(plan, eur("1500"), date(2027, 3, 1))
    assert [(s.status, s.balance) for s in statuses] == [("paid", eur("0")), ("overdue", eur("1500"))]
    early = installment_statuses(plan, eur("0"), date(2027, 1, 31))
    assert [s.status for s in early] == ["due", "due"]


# --- late payment -------------------------------------------------------------------------------


def test_late_interest_is_balance_times_rate_times_days_over_365() -> None:
    """12 % a year on 1000 EUR for 30 days is 9.86 EUR, rounded half-up; no days, no interest."""
    assert late_interest(eur("1000"), Decimal("12"), 30) == eur("9.86")
    assert late_interest(eur("3150"), Decimal("12.5"), 45) == eur("48.54")
    assert late_interest(eur("1000"), Decimal("12"), 0) == eur("0")
    assert days_late(date(2027, 1, 31), date(2027, 1, 31)) == 0
    assert days_late(date(2027, 1, 31), date(2027, 3, 2)) == 30


def test_invoice_terms_survive_json() -> None:
    """The terms an invoice states come back from JSON unchanged, indemnity or not."""
    terms = InvoiceTerms(
        seller_name="Camille",
        seller_legal_name="Camille Martin EI",
        seller_siret="12345678900012",
        seller_address="1 rue de la Paix\n75002 Paris",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        client_name="Atelier Dupont",
        client_company="Dupont SARL",
        client_email="contact@dupont.fr",
        client_business=True,
        mission_title="Website",
        payment_terms_days=30,
        late_penalty_rate=Decimal("12.5"),
        recovery_indemnity=eur("40"),
        note="",
    )
    assert InvoiceTerms.from_json(terms.to_json()) == terms
    consumer = InvoiceTerms.from_json(
        {**terms.to_json(), "client_business": False, "recovery_indemnity": None}
    )
    assert consumer.recovery_indemnity is None
