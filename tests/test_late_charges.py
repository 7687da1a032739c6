"""What paying late costs, without a database: interest day by day on what was still owed, the
indemnity once per invoice (once per plan), and what earlier late-payment invoices already billed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from missionflow.freelance.late_charges import (
    Billed,
    Debt,
    accrued_interest,
    billed_by,
    late_charges,
    settle,
    unbilled,
)
from missionflow.testing import eur

DUE = date(2026, 4, 1)
RATE = Decimal("12")


def debt(reference: str, amount: str, paid: tuple[tuple[date, str], ...] = (), group: str = "") -> object:
    """A debt of ``amount`` due on DUE at 12 %, with a 40 EUR indemnity."""
    return Debt(
        reference,
        DUE,
        eur(amount),
        RATE,
        eur("40"),
        group or reference,
        tuple((day, eur(share)) for day, share in paid),
    )


def test_interest_runs_on_what_was_still_owed_each_day() -> None:
    """1,000 due on 1 April, 600 paid on 11 April, the rest on 1 May: 1,000 for 10 days, then 400
    for 20 days, at 12 % a year (3.29 + 2.63, rounded once: 5.92)."""
    late = debt("F-1", "1000", ((date(2026, 4, 11), "600"), (date(2026, 5, 1), "400")))
    assert isinstance(late, Debt)
    assert accrued_interest(late, date(2026, 5, 1)) == eur("5.92")
    assert accrued_interest(late, DUE) == eur("0")
    [charge] = late_charges([late], date(2026, 6, 1))
    assert (charge.days_late, charge.balance, charge.interest) == (30, eur("0"), eur("5.92"))


def test_an_invoice_paid_on_time_or_asking_nothing_costs_nothing() -> None:
    """Paid by its due date, or asking for 0, a debt is never late."""
    on_time = debt("F-1", "500", ((DUE, "500"),))
    nothing = debt("F-2", "0")
    assert late_charges([on_time, nothing], date(2026, 12, 31)) == []  # type: ignore[list-item]


def test_the_indemnity_is_owed_once_per_group_and_never_twice() -> None:
    """Two late installments of one plan owe one indemnity; what a late-payment invoice billed is
    not billed again, only the interest accrued since."""
    first = debt("M-1 #1", "300", group="plan of M-1")
    second = debt("M-1 #2", "300", group="plan of M-1")
    charges = late_charges([first, second], date(2026, 5, 1))  # type: ignore[list-item]
    found = unbilled(charges, Billed())
    assert [(c.reference, str(i), str(n) if n else None) for c, i, n in found] == [
        ("M-1 #1", "2.96 EUR", "40.00 EUR"),
        ("M-1 #2", "2.96 EUR", None),
    ]
    billed = billed_by(
        [
            {"kind": "interest", "reference": "M-1 #1", "amount": {"amount": "2.96", "currency": "EUR"}},
            {
                "kind": "indemnity",
                "reference": "M-1 #1",
                "group": "plan of M-1",
                "amount": {"amount": "40.00", "currency": "EUR"},
            },
        ]
    )
    later = unbilled(late_charges([first, second], date(2026, 5, 11)), billed)  # type: ignore[list-item]
    assert [(c.reference, str(i), n) for c, i, n in later] == [
        ("M-1 #1", "0.99 EUR", None),
        ("M-1 #2", "3.95 EUR", None),
    ]


def test_payments_settle_debts_oldest_first_in_date_order() -> None:
    """Each payment, in date order, fills the oldest debt first; what is left is a credit."""
    shares = settle(
        [("A", eur("100")), ("B", eur("50"))],
        [(date(2026, 2, 1), eur("40")), (date(2026, 1, 5), eur("120")), (date(2026, 3, 1), eur("99"))],
    )
    assert shares == {
        "A": ((date(2026, 1, 5), eur("100")),),
        "B": ((date(2026, 1, 5), eur("20")), (date(2026, 2, 1), eur("30"))),
    }
