"""Money from a terminal: ``invoice`` (deposit, final, cancel, list, show), ``plan`` (installments),
``overdue`` (late invoices and installments with their penalties) and ``tick`` (due reminders)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    db_option,
    emit_json,
    json_option,
    parse_date,
    parse_moment,
    store_for,
    table,
    to_jsonable,
)
from missionflow_cli.complete import complete_mission
from missionflow_cli.missions import by_option, default_actor

if TYPE_CHECKING:
    from missionflow.freelance import InvoiceBalance, InvoiceRecord, OverdueItem, PaymentPlan, ReminderResult

mission_argument = click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
on_option = click.option(
    "--on", "on", default=None, help="The date to judge on, YYYY-MM-DD (default: today)."
)


# --- invoice -------------------------------------------------------------------------------------


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
    click.echo(f"{ref}: deposit invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")


@invoice.command("final")
@mission_argument
@by_option
@click.option("--at", "at", default=None, help="When it is issued (ISO 8601; default: now).")
@db_option
@json_option
def invoice_final(ref: str, actor: str | None, at: str | None, db: str | None, as_json: bool) -> None:
    """Fire ``invoice`` (approved -> invoiced) and issue the final invoice, like ``fire M invoice``.

    The contract amount plus agreed extras, minus every deposit invoice. Refused (exit 4) from
    any state but approved.

    Example:

        missionflow invoice final M-1 --by camille
    """
    with store_for(db) as store:
        record, issued = store.issue_final_invoice(ref, actor=actor or default_actor(), at=parse_moment(at))
    if as_json:
        emit_json(invoice_json(issued))
        return
    click.echo(f"{ref}: {record.source} --invoice--> {record.dest}")
    click.echo(f"{ref}: final invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")


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
    click.echo(f"{ref}: final invoice {issued.number} for {issued.total}, due {issued.due_on.isoformat()}")


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
    click.echo(f"{credit.mission}: credit note {credit.number} cancels invoice {number} ({credit.total})")


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
    type=click.Choice(["text", "md", "html"]),
    default="text",
    show_default=True,
    help="text, Markdown, or one self-contained HTML page that prints cleanly.",
)
@on_option
@db_option
def invoice_show(number: str, fmt: str, on: str | None, db: str | None) -> None:
    """Show an invoice with its lines, totals, identity, terms and late-payment penalties.

    Example:

        missionflow invoice show 2026-0002 --format html > 2026-0002.html
    """
    from missionflow.freelance import render_invoice

    with store_for(db) as store:
        issued = store.get_invoice(number)
        balance = next(
            (
                b
                for b in store.invoice_balances(issued.mission, on=parse_date(on, "on"))
                if b.number == issued.number
            ),
            None,
        )
    click.echo(render_invoice(issued, fmt, balance=balance), nl=False)


# --- plan ----------------------------------------------------------------------------------------


@click.group()
def plan() -> None:
    """Installment plans: the balance paid in agreed parts, each by a date (R6).

    Example:

        missionflow plan set M-1 --installment 2027-01-31:1500 --installment 2027-02-28:1500
    """


def plan_json(current: PaymentPlan) -> dict[str, object]:
    """A plan as JSON: its amount, what it covers, each installment with its status."""
    return {
        "mission": current.mission,
        "amount": to_jsonable(current.amount),
        "paid": to_jsonable(current.paid),
        "balance": to_jsonable(current.balance),
        "agreed_on": current.agreed_on.isoformat(),
        "covers": list(current.covers),
        "installments": [
            {
                "position": i.position,
                "due_on": i.due_on.isoformat(),
                "amount": to_jsonable(i.amount),
                "paid": to_jsonable(i.paid),
                "status": i.status,
            }
            for i in current.installments
        ],
    }


def _print_plan(current: PaymentPlan) -> None:
    click.echo(
        f"{current.mission}: plan of {current.amount} agreed on {current.agreed_on.isoformat()} "
        f"for {', '.join(current.covers)}; paid {current.paid}, still due {current.balance}"
    )
    table(
        ["#", "DUE", "AMOUNT", "PAID", "STATUS"],
        [[i.position, i.due_on.isoformat(), i.amount, i.paid, i.status] for i in current.installments],
    )


@plan.command("set")
@mission_argument
@click.option(
    "--installment",
    "installments",
    multiple=True,
    required=True,
    metavar="DATE:AMOUNT",
    help="One installment, e.g. 2027-01-31:1500 (repeat for each).",
)
@click.option("--on", "on", default=None, help="The day the plan is agreed, YYYY-MM-DD (default: today).")
@db_option
@json_option
def plan_set(ref: str, installments: tuple[str, ...], on: str | None, db: str | None, as_json: bool) -> None:
    """Agree an installment plan for what the mission's invoices still ask for (replaces any plan).

    It must sum exactly to the amount due, and no invoice may be paid off later than 60 days
    after its date (exit 2 otherwise).

    Example:

        missionflow plan set M-1 --installment 2027-01-31:1500 --installment 2027-02-28:1500
    """
    from missionflow import Money
    from missionflow.freelance import Installment

    with store_for(db) as store:
        currency = store.get_mission(ref).currency
        parsed = []
        for text in installments:
            day_text, sep, amount_text = text.partition(":")
            try:
                day = date.fromisoformat(day_text.strip())
            except ValueError:
                day = None
            if not sep or day is None or not amount_text.strip():
                raise click.BadParameter(
                    f"{text!r} is not DATE:AMOUNT like 2027-01-31:1500", param_hint="--installment"
                )
            parsed.append(Installment(day, Money.of(amount_text, currency, field="installment")))
        current = store.set_payment_plan(ref, parsed, on=parse_date(on, "on"))
    if as_json:
        emit_json(plan_json(current))
        return
    _print_plan(current)


@plan.command("show")
@mission_argument
@on_option
@db_option
@json_option
def plan_show(ref: str, on: str | None, db: str | None, as_json: bool) -> None:
    """Show the mission's installment plan, each installment due, paid or overdue.

    Example:

        missionflow plan show M-1 --on 2027-02-15
    """
    with store_for(db) as store:
        current = store.get_payment_plan(ref, on=parse_date(on, "on"))
    if as_json:
        emit_json(plan_json(current) if current is not None else None)
        return
    if current is None:
        click.echo(f"{ref}: no installment plan")
        return
    _print_plan(current)


# --- overdue and tick ----------------------------------------------------------------------------


def overdue_json(item: OverdueItem) -> dict[str, object]:
    """One late invoice or installment as JSON, with its interest, indemnity and total."""
    return {
        "mission": item.mission,
        "client": item.client,
        "kind": item.kind,
        "reference": item.reference,
        "due_on": item.due_on.isoformat(),
        "days_late": item.days_late,
        "balance": to_jsonable(item.balance),
        "rate": str(item.rate),
        "interest": to_jsonable(item.interest),
        "indemnity": to_jsonable(item.indemnity),
        "business": item.business,
        "total": to_jsonable(item.total),
    }


@click.command()
@on_option
@db_option
@json_option
def overdue(on: str | None, db: str | None, as_json: bool) -> None:
    """Overdue invoices and installments, with late interest and indemnity.

    Each with its days late on the given date. Interest is balance x rate x days / 365 at the
    rate the invoice states; business clients also owe the fixed recovery indemnity (40 EUR by
    default), consumers do not.

    Example:

        missionflow overdue --on 2027-03-15 --json
    """
    with store_for(db) as store:
        day = parse_date(on, "on") or _today(store.get_settings().timezone)
        items = store.overdue(day)
    if as_json:
        emit_json([overdue_json(i) for i in items])
        return
    table(
        ["MISSION", "CLIENT", "WHAT", "DUE", "DAYS", "BALANCE", "INTEREST", "INDEMNITY", "TOTAL"],
        [
            [
                i.mission,
                i.client,
                f"{i.kind} {i.reference}",
                i.due_on.isoformat(),
                i.days_late,
                i.balance,
                i.interest,
                i.indemnity,
                i.total,
            ]
            for i in items
        ],
    )


def _today(timezone: str) -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(timezone)).date()


def reminder_json(result: ReminderResult) -> dict[str, object]:
    """What tick did with one reminder, as JSON."""
    return {
        "mission": result.mission,
        "kind": result.kind,
        "subject": result.subject,
        "due_at": result.due_at.isoformat(),
        "reminded": result.reminded,
        "message": result.message,
    }


@click.command()
@click.option("--now", "now", default=None, help="Act as if it were this time (ISO 8601; default: now).")
@db_option
@json_option
def tick(now: str | None, db: str | None, as_json: bool) -> None:
    """Process the reminders and deadlines that are due (safe to run from cron).

    Run it every few minutes: no thread, no timer, the reminders are rows in the database.
    Each one still relevant adds a ``remind`` entry to its mission's history; each is done
    once, however often tick runs.

    Example:

        missionflow tick --now 2027-03-01T09:00+01:00
    """
    from datetime import UTC, datetime

    with store_for(db) as store:
        results = store.tick(parse_moment(now) or datetime.now(UTC))
    if as_json:
        emit_json([reminder_json(r) for r in results])
        return
    for result in results:
        what = "reminded: " if result.reminded else ""
        click.echo(f"{result.mission}: {result.kind} {result.subject}: {what}{result.message}")
    click.echo(f"{len(results)} reminder{'s' if len(results) != 1 else ''} processed")
