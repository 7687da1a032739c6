"""``missionflow quote ...``: quotes (devis) issued from the specification, shown as the client
receives them (PDF, HTML, Markdown, text, in French or English), and listed with their status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    db_option,
    echo,
    emit_json,
    json_option,
    lang_option,
    parse_date,
    store_for,
    table,
    to_jsonable,
)
from missionflow_cli.complete import complete_mission
from missionflow_cli.files import output_option, write_document

if TYPE_CHECKING:
    from missionflow.freelance import QuoteRecord


def quote_json(record: QuoteRecord) -> dict[str, object]:
    """A quote as JSON: number, mission, dates, status, totals, deposit, rounds and lines."""
    from missionflow.freelance import format_price

    return {
        "number": record.number,
        "mission": record.mission,
        "issued_on": record.issued_on.isoformat(),
        "valid_until": record.valid_until.isoformat(),
        "status": record.status,
        "net": to_jsonable(record.net),
        "total": to_jsonable(record.total),
        "vat_rate": None if record.vat_rate is None else str(record.vat_rate),
        "deposit_percent": str(record.deposit_percent),
        "revision_rounds": record.revision_rounds,
        "lines": [
            {"designation": line.designation, "price": format_price(line.price), "net": to_jsonable(line.net)}
            for line in record.lines
        ],
    }


@click.group()
def quote() -> None:
    """Quotes (devis): issue one from the specification, show it, list them.

    Example:

        missionflow quote new M-1
    """


@quote.command("new")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@click.option("--on", "on", default=None, help="Issue date, YYYY-MM-DD (default: today).")
@click.option(
    "--valid-days",
    type=click.IntRange(min=1),
    default=None,
    help="Days the quote is valid (default: settings).",
)
@db_option
@json_option
def quote_new(ref: str, on: str | None, valid_days: int | None, db: str | None, as_json: bool) -> None:
    """Issue a quote from the specification's priced deliverables (and the rush surcharge).

    It takes the next number of the quote series (DEV-2026-0001), states the validity date, the
    payment terms, the deposit and the revision rounds included, and has a "bon pour accord"
    block for the client to sign. A changed specification makes a new quote: the older one is
    then superseded and can no longer be signed. Exit 8 once the contract is signed or when a
    mandatory mention is missing (the message lists each one and the command that fills it in).

    Example:

        missionflow quote new M-1 --valid-days 30
    """
    with store_for(db) as store:
        issued = store.issue_quote(ref, issued_on=parse_date(on, "on"), valid_days=valid_days)
    if as_json:
        emit_json(quote_json(issued))
        return
    echo(
        f"{ref}: quote {issued.number} for {issued.total}"
        + (f" ({issued.net} excl. VAT)" if issued.vat_rate is not None else "")
        + f", valid until {issued.valid_until.isoformat()}"
    )


@quote.command("show")
@click.argument("number")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "md", "text"]),
    default="text",
    show_default=True,
    help="PDF/A (A4, fonts embedded), one HTML page, Markdown or text.",
)
@lang_option
@output_option
@db_option
def quote_show(number: str, fmt: str, lang: str | None, output: Path | None, db: str | None) -> None:
    """Show a quote as the client receives it, in the client's language unless --lang says otherwise.

    Example:

        missionflow quote show DEV-2026-0001 --format pdf -o DEV-2026-0001.pdf
    """
    from missionflow.freelance import render_document

    with store_for(db) as store:
        document = store.quote_document(number, language=lang)
    write_document(render_document(document, fmt, lang), output, binary=fmt == "pdf", db=db)


@quote.command("list")
@click.option("--mission", default=None, shell_complete=complete_mission, help="Only this mission's quotes.")
@db_option
@json_option
def quote_list(mission: str | None, db: str | None, as_json: bool) -> None:
    """List quotes in number order with their status: open, accepted, superseded or expired.

    Example:

        missionflow quote list --mission M-1
    """
    with store_for(db) as store:
        quotes = store.list_quotes(mission)
    if as_json:
        emit_json([quote_json(q) for q in quotes])
        return
    table(
        ["NUMBER", "MISSION", "ISSUED", "VALID UNTIL", "TOTAL", "STATUS"],
        [
            [q.number, q.mission, q.issued_on.isoformat(), q.valid_until.isoformat(), q.total, q.status]
            for q in quotes
        ],
    )
