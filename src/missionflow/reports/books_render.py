"""The books written out: the receipts book (livre des recettes) and the revenue per period, as
Markdown, CSV, JSON or one self-contained HTML page; amounts are exact decimals, never floats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from missionflow.errors import InvalidValueError
from missionflow.reports import html as page
from missionflow.reports.books import (
    ReceiptsBook,
    RevenueBook,
    build_receipts_book,
    build_revenue_book,
)
from missionflow.reports.text import format_money, md_cell, plain_amount, report_moment
from missionflow.store import Store

BOOK_FORMATS = ("md", "csv", "html", "json")
"""The formats of :func:`receipts_book` and :func:`revenue_book`."""

_RECEIPT_HEADERS = ("Date received", "Client", "Invoices", "Amount", "Method", "Reference")
_REVENUE_HEADERS = ("Period", "From", "To", "Receipts", "Received")


def _check(fmt: str) -> None:
    if fmt not in BOOK_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(BOOK_FORMATS)}")


def _span(year: int | None) -> str:
    return str(year) if year is not None else "all years"


def _receipt_cells(book: ReceiptsBook) -> list[list[str]]:
    return [
        [
            r.received_on.isoformat(),
            f"{r.client} ({r.client_ref})",
            ", ".join(r.invoices) or "credit (no invoice yet)",
            format_money(r.amount),
            r.method,
            r.reference,
        ]
        for r in book.receipts
    ]


def _excluded(count: int, currency: str) -> list[str]:
    if not count:
        return []
    return [f"{count} mission{'s' if count != 1 else ''} in another currency than {currency} left out."]


def render_receipts(book: ReceiptsBook, fmt: str) -> str:
    """The receipts book in ``fmt`` (md, csv, html, json)."""
    _check(fmt)
    title = f"Livre des recettes (receipts book), {_span(book.year)}"
    if fmt == "json":
        document = {
            "year": book.year,
            "currency": book.currency,
            "total": plain_amount(book.total),
            "receipts": [
                {
                    "received_on": r.received_on.isoformat(),
                    "client": r.client,
                    "client_id": r.client_ref,
                    "mission": r.mission,
                    "invoices": list(r.invoices),
                    "amount": plain_amount(r.amount),
                    "currency": r.amount.currency,
                    "method": r.method,
                    "reference": r.reference,
                }
                for r in book.receipts
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "received_on",
                "client",
                "client_id",
                "mission",
                "invoices",
                "amount",
                "currency",
                "method",
                "reference",
            ]
        )
        for r in book.receipts:
            writer.writerow(
                [
                    r.received_on.isoformat(),
                    r.client,
                    r.client_ref,
                    r.mission,
                    " ".join(r.invoices),
                    plain_amount(r.amount),
                    r.amount.currency,
                    r.method,
                    r.reference,
                ]
            )
        return out.getvalue()
    rows = _receipt_cells(book)
    total_line = f"Total received: {format_money(book.total)} ({len(book.receipts)} receipts)"
    if fmt == "md":
        lines = [
            f"# {title}",
            "",
            "| " + " | ".join(_RECEIPT_HEADERS) + " |",
            "|" + "---|" * len(_RECEIPT_HEADERS),
        ]
        lines += ["| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in rows]
        lines += ["", f"**{total_line}**", *_excluded(book.excluded_missions, book.currency), ""]
        return "\n".join(lines)
    body = [
        page.table(_RECEIPT_HEADERS, rows, numeric=(3,)) if rows else "<p>No payment received.</p>",
        f"<p><strong>{page.esc(total_line)}</strong></p>",
        *(
            f'<p class="note">{page.esc(note)}</p>'
            for note in _excluded(book.excluded_missions, book.currency)
        ),
    ]
    return page.page(
        title=title, lang="fr", subtitle=f"In {book.currency}, in the order received", body="\n".join(body)
    )


def render_revenue(book: RevenueBook, fmt: str) -> str:
    """The revenue per period in ``fmt`` (md, csv, html, json)."""
    _check(fmt)
    title = f"Revenue received per {book.period}, {_span(book.year)}"
    if fmt == "json":
        document = {
            "period": book.period,
            "year": book.year,
            "currency": book.currency,
            "total": plain_amount(book.total),
            "periods": [
                {
                    "period": p.label,
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat(),
                    "receipts": p.receipts,
                    "amount": plain_amount(p.amount),
                }
                for p in book.periods
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["period", "from", "to", "receipts", "amount", "currency"])
        for p in book.periods:
            writer.writerow(
                [
                    p.label,
                    p.start.isoformat(),
                    p.end.isoformat(),
                    p.receipts,
                    plain_amount(p.amount),
                    book.currency,
                ]
            )
        return out.getvalue()
    rows = [
        [p.label, p.start.isoformat(), p.end.isoformat(), str(p.receipts), format_money(p.amount)]
        for p in book.periods
    ]
    total_line = f"Total received: {format_money(book.total)}"
    note = (
        "Micro-entrepreneurs declare to the URSSAF the money received in the period, not what was invoiced."
    )
    if fmt == "md":
        lines = [
            f"# {title}",
            "",
            "| " + " | ".join(_REVENUE_HEADERS) + " |",
            "|" + "---|" * len(_REVENUE_HEADERS),
        ]
        lines += ["| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in rows]
        lines += ["", f"**{total_line}**", "", note, *_excluded(book.excluded_missions, book.currency), ""]
        return "\n".join(lines)
    body = [
        page.table(_REVENUE_HEADERS, rows, numeric=(3, 4)) if rows else "<p>No payment received.</p>",
        f"<p><strong>{page.esc(total_line)}</strong></p>",
        f'<p class="note">{page.esc(note)}</p>',
        *(f'<p class="note">{page.esc(n)}</p>' for n in _excluded(book.excluded_missions, book.currency)),
    ]
    return page.page(title=title, lang="fr", subtitle=f"In {book.currency}", body="\n".join(body))


def _receipts(store: Store, year: int | None, at: datetime | date | None) -> ReceiptsBook:
    settings = store.get_settings()
    on = report_moment(at, settings.timezone).date() if at is not None else None
    return build_receipts_book(
        store.get_missions(), store.list_invoices(), currency=settings.currency, year=year, on=on
    )


def receipts_book(
    store: Store, *, year: int | None = None, fmt: str = "md", at: datetime | date | None = None
) -> str:
    """The receipts book (livre des recettes) of ``year`` (every year when None) in ``fmt``.

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     print(receipts_book(store, year=2026).splitlines()[0])
    # Livre des recettes (receipts book), 2026
    """
    _check(fmt)
    return render_receipts(_receipts(store, year, at), fmt)


def revenue_book(
    store: Store,
    *,
    period: str = "month",
    year: int | None = None,
    fmt: str = "md",
    at: datetime | date | None = None,
) -> str:
    """The money received per ``period`` (month or quarter) of ``year`` (every year when None), in ``fmt``."""
    _check(fmt)
    return render_revenue(build_revenue_book(_receipts(store, year, at), period=period), fmt)
