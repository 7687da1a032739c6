"""``missionflow invoice ...``: deposit and final invoices, credit notes, and reading them back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from missionflow_cli import einvoices
from missionflow_cli.app import (
    by_option,
    db_option,
    default_actor,
    echo,
    emit_json,
    json_option,
    lang_option,
    parse_date,
    parse_moment,
    store_for,
    table,
    to_jsonable,
)
from missionflow_cli.complete import complete_mission
from missionflow_cli.files import output_option, write_document
from missionflow_cli.money import mission_argument, on_option

if TYPE_CHECKING:
    from missionflow.freelance import InvoiceBalance, InvoiceRecord


@click.group()
def invoice() -> None:
    """Invoices and credit notes: issue, cancel, list and show them.

    Example:

        missionflow invoice deposit M-1
    """


def invoice_json(record: InvoiceRecord) -> dict[str, object]:
    """An issued invoice as JSON: number, kind, mission, dates, total, lines, what it refers to."""
    return {
        "number": record.number,
        "kind": record.kind,
        "mission": record.mission,
        "issued_on": record.issued_on.isoformat(),
        "due_on": record.due_on.isoformat(),
        "total": to_jsonable(record.total),
        "references": record.references,
        "lines": to_jsonable(list(record.lines)),
    }


def balance_json(balance: InvoiceBalance) -> dict[str, object]:
    """One line of ``invoice list --json``: the invoice, what it received and its status."""
    return {
        "number": balance.number,
        "kind": balance.kind,
        "mission": balance.mission,
        "issued_on": balance.issued_on.isoformat(),
        "due_on": balance.due_on.isoformat(),
        "total": to_jsonable(balance.total),
        "paid": to_jsonable(balance.paid),
        "balance": to_jsonable(balance.balance),
        "status": balance.status,
        "references": balance.references,
        "cancelled_by": balance.cancelled_by,
    }


@invoice.command("deposit")
@mission_argument
@click.option("--on", "on", default=None, help="Issue date, YYYY-MM-DD (default: today).")
@db_option
@json_option
def invoice_deposit(ref: str, on: str | None, db: str | None, as_json: bool) -> None:
    """Issue the deposit invoice (facture d'acompte) of a signed contract.

    It asks for the contract's deposit percentage and takes the next number of the one
    series. Refused (exit 2) without a contract, with a 0 % deposit, or when there is one already.

    Example:

        missionflow invoice deposit M-1 --on 2026-11-24
    """
    with store_for(db) as store:
        issued = store.issue_deposit_invoice(ref, issued_on=parse_date(on, "on"))
    if as_json:
        emit_json(invoice_json(issued))
        return
    echo(f"{ref}: deposit invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")


@invoice.command("final")
@mission_argument
@by_option
@click.option("--at", "at", default=None, help="When it is issued (ISO 8601; default: now).")
@click.option(
    "--work-done",
    default=None,
    help="For a terminated mission: the amount agreed at the end for the work done, e.g. 800.",
)
@db_option
@json_option
def invoice_final(
    ref: str, actor: str | None, at: str | None, work_done: str | None, db: str | None, as_json: bool
) -> None:
    """Fire ``invoice`` (approved -> invoiced) and issue the final invoice, like ``fire M invoice``.

    Everything agreed (the contract, the rush surcharge, amendments, extra rounds), minus every
    deposit invoice. Refused (exit 4) from any state but approved. For a terminated mission,
    --work-done bills the amount agreed at the end for the work done, minus the deposits.

    Example:

        missionflow invoice final M-1 --by camille
    """
    from missionflow import Money

    with store_for(db) as store:
        if work_done is not None:
            amount = Money.of(work_done, store.get_mission(ref).currency, field="work_done")
            issued = store.issue_final_invoice_after_exit(ref, amount, at=parse_moment(at))
            moved = ""
        else:
            record, issued = store.issue_final_invoice(
                ref, actor=actor or default_actor(), at=parse_moment(at)
            )
            moved = f"{ref}: {record.source} --{record.trigger}--> {record.dest}"
    if as_json:
        emit_json(invoice_json(issued))
        return
    if moved:
        echo(moved)
    echo(f"{ref}: final invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")


@invoice.command("late")
@mission_argument
@click.option("--on", "on", default=None, help="Issue date, YYYY-MM-DD (default: today).")
@db_option
@json_option
def invoice_late(ref: str, on: str | None, db: str | None, as_json: bool) -> None:
    """Bill the late-payment interest and the recovery indemnity (a ``penalty`` invoice).

    What ``overdue`` computes, and what accrued on invoices paid late since, less what earlier
    late-payment invoices billed, numbered in the same series. Exit 8 when nothing is owed.

    Example:

        missionflow invoice late M-1 --on 2027-03-15
    """
    with store_for(db) as store:
        issued = store.issue_late_payment_invoice(ref, on=parse_date(on, "on"))
    if as_json:
        emit_json(invoice_json(issued))
        return
    echo(f"{ref}: late-payment invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")
    for line in issued.lines:
        echo(f"  {line.get('description')}")


@invoice.command("reissue")
@mission_argument
@click.option("--on", "on", default=None, help="Issue date, YYYY-MM-DD (default: today).")
@db_option
@json_option
def invoice_reissue(ref: str, on: str | None, db: str | None, as_json: bool) -> None:
    """Issue the final invoice again once the previous one is cancelled by a credit note.

    Only for an invoiced mission whose final invoice was cancelled (exit 2 otherwise).

    Example:

        missionflow invoice reissue M-1
    """
    with store_for(db) as store:
        issued = store.reissue_final_invoice(ref, issued_on=parse_date(on, "on"))
    if as_json:
        emit_json(invoice_json(issued))
        return
    echo(f"{ref}: final invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")


@invoice.command("cancel")
@click.argument("number")
@click.option("--reason", required=True, help="Why the invoice is cancelled (printed on the credit note).")
@click.option("--on", "on", default=None, help="Date of the credit note, YYYY-MM-DD (default: today).")
@db_option
@json_option
def invoice_cancel(number: str, reason: str, on: str | None, db: str | None, as_json: bool) -> None:
    """Cancel an issued invoice with a credit note (avoir) numbered in the same series.

    An issued invoice is never edited or deleted. Exit 5 for an unknown number, 2 when it is
    already cancelled.

    Example:

        missionflow invoice cancel 2026-0003 --reason "wrong amount"
    """
    with store_for(db) as store:
        credit = store.issue_credit_note(number, reason, issued_on=parse_date(on, "on"))
    if as_json:
        emit_json(invoice_json(credit))
        return
    echo(f"{credit.mission}: credit note {credit.number} cancels invoice {number} ({credit.total})")


@invoice.command("list")
@click.option(
    "--mission", "mission", default=None, shell_complete=complete_mission, help="Only this mission's."
)
@on_option
@db_option
@json_option
def invoice_list(mission: str | None, on: str | None, db: str | None, as_json: bool) -> None:
    """List invoices and credit notes in number order, with what each received and its status.

    Statuses: due, partially_paid, paid, overdue, cancelled (a credit note: credit).

    Example:

        missionflow invoice list --mission M-1 --json
    """
    with store_for(db) as store:
        balances = store.invoice_balances(mission, on=parse_date(on, "on"))
    if as_json:
        emit_json([balance_json(b) for b in balances])
        return
    table(
        ["NUMBER", "KIND", "MISSION", "ISSUED", "DUE", "TOTAL", "PAID", "STATUS"],
        [
            [
                b.number,
                b.kind,
                b.mission,
                b.issued_on.isoformat(),
                b.due_on.isoformat(),
                b.total,
                b.paid,
                b.status + (f" by {b.cancelled_by}" if b.cancelled_by else ""),
            ]
            for b in balances
        ],
    )


@invoice.command("show")
@click.argument("number")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "html", "pdf"]),
    default="text",
    show_default=True,
    help="text, Markdown, one HTML page, or PDF/A-3 (A4, fonts embedded, Factur-X XML inside).",
)
@click.option(
    "--no-facturx",
    "no_facturx",
    is_flag=True,
    help="A PDF without the Factur-X XML inside (the e-invoice is embedded by default).",
)
@lang_option
@output_option
@db_option
def invoice_show(
    number: str, fmt: str, no_facturx: bool, lang: str | None, output: Path | None, db: str | None
) -> None:
    """Show an invoice or credit note as the client receives it, with every mandatory mention.

    In the client's language unless --lang says otherwise, with French formats in French
    ("6 000,00 €", "30 novembre 2026"); what it states is what was copied when it was issued,
    whatever the settings and the client book say today. Internal fields (the mission, what
    was paid) stay off the client's copy: `invoice list` shows them. The PDF is a Factur-X
    EN 16931 e-invoice (its CII XML attached) unless --no-facturx.

    Example:

        missionflow invoice show 2026-0002 --format pdf -o 2026-0002.pdf
    """
    from missionflow.freelance import render_document, render_invoice

    with store_for(db) as store:
        issued = store.get_invoice(number)
        legacy = issued.terms is None or issued.terms.document is None
        document = None if legacy and fmt != "pdf" else store.invoice_document(number, language=lang)
    if document is None:
        # Issued before missionflow kept everything a document prints: the layout of that time.
        text = render_invoice(issued, fmt).encode("utf-8")
        write_document(text, output, binary=False, db=db)
        return
    write_document(
        render_document(document, fmt, lang, facturx=not no_facturx), output, binary=fmt == "pdf", db=db
    )


# The e-invoicing commands (export, check, read, send) live in their own module.
invoice.add_command(einvoices.invoice_export)
invoice.add_command(einvoices.invoice_check)
invoice.add_command(einvoices.invoice_read)
invoice.add_command(einvoices.invoice_send)


# --- plan ----------------------------------------------------------------------------------------
