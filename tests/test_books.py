"""The books a micro-entrepreneur keeps, on SQLite and PostgreSQL: the receipts book and the revenue
per month or quarter, exact to the cent and reconciled with the invoices and the payments."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from missionflow import Money, Store, testing
from missionflow.freelance import Payment
from missionflow.reports import build_receipts_book, build_revenue_book, receipts_book, revenue_book
from missionflow.testing import MONDAY, eur
from tests.cli_helpers import Cli


def autumn_books(store: Store) -> tuple[str, str]:
    """Two clients over two quarters: a deposit paid before its invoice, a final invoice paid in two
    parts, a cancelled invoice, and an overpayment kept as a credit. Returns the two missions."""
    dupont = testing.lead(store, client="Atelier Dupont", amount="4500")
    testing.sign(store, dupont)
    store.record_payment(dupont, Payment(eur("1350"), date(2026, 3, 2), "transfer", "VIR-1"))
    store.issue_deposit_invoice(dupont, issued_on=date(2026, 3, 3))  # 2026-0001: 1,350
    store.fire(dupont, "confirm_deposit", at=MONDAY + timedelta(days=1))
    store.fire(dupont, "start_work", at=MONDAY + timedelta(days=1))
    testing.approve(store, dupont, at=MONDAY + timedelta(days=2))
    store.issue_final_invoice(dupont, at=MONDAY + timedelta(days=30))  # 2026-0002: 3,150
    store.record_payment(dupont, Payment(eur("1000.01"), date(2026, 4, 15), "card"))
    store.record_payment(dupont, Payment(eur("2149.99"), date(2026, 7, 1), "transfer", "VIR-2"))
    lune = testing.lead(store, client="Brasserie Lune", amount="800")
    testing.sign(store, lune)
    wrong = store.issue_deposit_invoice(lune, issued_on=date(2026, 4, 1))  # 2026-0003: 240
    store.issue_credit_note(wrong.number, "wrong client", issued_on=date(2026, 4, 2))  # 2026-0004
    store.issue_deposit_invoice(lune, issued_on=date(2026, 4, 2))  # 2026-0005: 240
    store.record_payment(lune, Payment(eur("300"), date(2026, 4, 30), "cheque", "CHQ-7"))
    return dupont, lune


def test_the_receipts_book_lists_each_payment_with_the_invoices_it_paid(store: Store) -> None:
    """In the order received: date, client, the invoices each payment paid (by the oldest-first
    allocation), amount and method; the total is every payment, to the cent."""
    autumn_books(store)
    book = build_receipts_book(store.get_missions(), store.list_invoices(), currency="EUR", year=2026)
    lines = [(r.received_on, r.client, r.invoices, str(r.amount), r.method) for r in book.receipts]
    assert lines == [
        (date(2026, 3, 2), "Atelier Dupont", ("2026-0001",), "1,350.00 EUR", "transfer"),
        (date(2026, 4, 15), "Atelier Dupont", ("2026-0002",), "1,000.01 EUR", "card"),
        (date(2026, 4, 30), "Brasserie Lune", ("2026-0005",), "300.00 EUR", "cheque"),
        (date(2026, 7, 1), "Atelier Dupont", ("2026-0002",), "2,149.99 EUR", "transfer"),
    ]
    assert book.total == eur("4800")
    lune_receipt = book.receipts[2]
    assert lune_receipt.paid_to == (("2026-0005", eur("240")),)  # 60.00 left as a credit


def test_the_books_reconcile_with_the_invoices_and_the_payments(store: Store) -> None:
    """Every euro received is in the book once; what the book says each invoice received is what the
    invoice balances say; the revenue per month and per quarter adds up to the same total."""
    autumn_books(store)
    missions = store.get_missions()
    book = build_receipts_book(missions, store.list_invoices(), currency="EUR")
    received = Money.total((p.amount for m in missions for p in m.payments), "EUR")
    assert book.total == received
    allocated: dict[str, Money] = {}
    for receipt in book.receipts:
        for number, share in receipt.paid_to:
            allocated[number] = allocated.get(number, Money.zero("EUR")) + share
    balances = store.invoice_balances(on=date(2026, 12, 31))
    assert allocated == {b.number: b.paid for b in balances if b.paid.amount > 0}
    assert {b.number: b.status for b in balances} == {
        "2026-0001": "paid",
        "2026-0002": "paid",
        "2026-0003": "cancelled",
        "2026-0004": "credit",
        "2026-0005": "paid",
    }
    monthly = build_revenue_book(book, period="month")
    quarterly = build_revenue_book(book, period="quarter")
    assert [(p.label, str(p.amount)) for p in monthly.periods] == [
        ("2026-03", "1,350.00 EUR"),
        ("2026-04", "1,300.01 EUR"),
        ("2026-05", "0.00 EUR"),
        ("2026-06", "0.00 EUR"),
        ("2026-07", "2,149.99 EUR"),
    ]
    assert [(p.label, str(p.amount)) for p in quarterly.periods] == [
        ("2026-Q1", "1,350.00 EUR"),
        ("2026-Q2", "1,300.01 EUR"),
        ("2026-Q3", "2,149.99 EUR"),
    ]
    assert monthly.total == quarterly.total == received


def test_the_books_commands_write_csv_json_markdown_and_html(store: Store, store_url: str) -> None:
    """`books receipts` and `books revenue` print the same figures in every format, amounts as exact
    decimals; a year with no receipt lists its periods at 0."""
    autumn_books(store)
    run = Cli(store_url)
    rows = list(csv.DictReader(io.StringIO(run.ok("books", "receipts", "--year", "2026", "--format", "csv"))))
    assert [(r["received_on"], r["invoices"], r["amount"]) for r in rows] == [
        ("2026-03-02", "2026-0001", "1350.00"),
        ("2026-04-15", "2026-0002", "1000.01"),
        ("2026-04-30", "2026-0005", "300.00"),
        ("2026-07-01", "2026-0002", "2149.99"),
    ]
    document = json.loads(run.ok("books", "receipts", "--format", "json"))
    assert document["total"] == "4800.00"
    revenue = json.loads(
        run.ok("books", "revenue", "--period", "quarter", "--year", "2026", "--format", "json")
    )
    assert [(p["period"], p["amount"]) for p in revenue["periods"]] == [
        ("2026-Q1", "1350.00"),
        ("2026-Q2", "1300.01"),
        ("2026-Q3", "2149.99"),
        ("2026-Q4", "0.00"),
    ]
    assert revenue["total"] == "4800.00"
    markdown = run.ok("books", "receipts", "--year", "2026")
    assert "| 2026-04-30 | Brasserie Lune (C-2) | 2026-0005 | 300.00 EUR | cheque | CHQ-7 |" in markdown
    assert "**Total received: 4,800.00 EUR (4 receipts)**" in markdown
    page = receipts_book(store, year=2026, fmt="html")
    assert page.startswith("<!DOCTYPE html>")
    assert "Brasserie Lune (C-2)" in page
    assert "2026-Q2" in revenue_book(store, period="quarter", year=2026, fmt="html")
    empty = json.loads(run.ok("books", "revenue", "--year", "2025", "--format", "json"))
    assert len(empty["periods"]) == 12
    assert empty["total"] == "0.00"
    assert run("books", "revenue", "--period", "week").exit_code == 2
