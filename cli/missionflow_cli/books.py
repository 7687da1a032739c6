"""``missionflow books ...``: the books a French micro-entrepreneur must keep, from the payments."""

from __future__ import annotations

import click

from missionflow_cli.app import db_option, parse_date, store_for
from missionflow_cli.reports import emit_report, on_option, output_option

_FORMATS = click.Choice(["md", "csv", "html", "json"])
year_option = click.option(
    "--year",
    type=click.IntRange(min=1900, max=9999),
    default=None,
    help="Only this year (default: every year).",
)


@click.group()
def books() -> None:
    """The books a micro-entrepreneur keeps: receipts (livre des recettes) and revenue per period.

    Example:

    \b
        missionflow books receipts --year 2026 --format csv -o recettes-2026.csv
        missionflow books revenue --period quarter --year 2026
    """


@books.command("receipts")
@year_option
@click.option("--format", "fmt", type=_FORMATS, default="md", show_default=True, help="Output format.")
@on_option
@output_option
@db_option
def books_receipts(year: int | None, fmt: str, on: str | None, output: str | None, db: str | None) -> None:
    """The receipts book (livre des recettes): every payment in the order received, with its date,
    the client, the invoices it paid, the amount and the method, and the total, exact to the cent.

    Example:

        missionflow books receipts --year 2026 --format html -o recettes-2026.html
    """
    from missionflow.reports import receipts_book

    with store_for(db) as store:
        text = receipts_book(store, year=year, fmt=fmt, at=parse_date(on, "on"))
    emit_report(text, output, db)


@books.command("revenue")
@click.option(
    "--period",
    type=click.Choice(["month", "quarter"]),
    default="month",
    show_default=True,
    help="Per month or per quarter, as you declare to the URSSAF.",
)
@year_option
@click.option("--format", "fmt", type=_FORMATS, default="md", show_default=True, help="Output format.")
@on_option
@output_option
@db_option
def books_revenue(
    period: str, year: int | None, fmt: str, on: str | None, output: str | None, db: str | None
) -> None:
    """The money received per month or quarter: the turnover a micro-entrepreneur declares.

    Example:

        missionflow books revenue --period quarter --year 2026
    """
    from missionflow.reports import revenue_book

    with store_for(db) as store:
        text = revenue_book(store, period=period, year=year, fmt=fmt, at=parse_date(on, "on"))
    emit_report(text, output, db)
