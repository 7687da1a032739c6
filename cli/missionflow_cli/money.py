"""Money from a terminal: ``plan`` (installments) and ``overdue`` (late invoices and installments
with their penalties); the payment reminders are timers (see ``tick``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    db_option,
    echo,
    emit_json,
    json_option,
    parse_date,
    store_for,
    table,
    to_jsonable,
)
from missionflow_cli.complete import complete_mission

if TYPE_CHECKING:
    from missionflow.freelance import OverdueItem, PaymentPlan

mission_argument = click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
on_option = click.option(
    "--on", "on", default=None, help="The date to judge on, YYYY-MM-DD (default: today)."
)


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
    echo(
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
                    f"{text!r} is not DATE:AMOUNT like 2027-01-31:1500", param_hint="'--installment'"
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
        echo(f"{ref}: no installment plan")
        return
    _print_plan(current)


# --- overdue ----------------------------------------------------------------------------------


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
