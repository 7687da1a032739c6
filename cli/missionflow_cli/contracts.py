"""The agreed terms and what happens under them, from a terminal: contracts, payments, deliveries
and extra revision rounds."""

from __future__ import annotations

import click

from missionflow_cli.app import (
    by_option,
    db_option,
    default_actor,
    echo,
    emit_json,
    json_option,
    parse_date,
    store_for,
    table,
)
from missionflow_cli.trade import mission_argument
from missionflow_cli.views import agreement_json


@click.group()
def contract() -> None:
    """The signed quote and terms of a mission.

    Example:

        missionflow contract sign M-1 --amount 4500 --terms-version CGV-2026-1
    """


@contract.command("sign")
@mission_argument
@click.option(
    "--quote",
    "quote_number",
    default=None,
    help="The quote the client signed (bon pour accord): the contract's amount and lines are its own.",
)
@click.option(
    "--amount",
    default=None,
    help="Without a quote: the amount agreed, excluding VAT (0 for pro bono, never missing).",
)
@click.option("--terms-version", required=True, help="Version of your terms (CGV) the client accepted.")
@click.option("--signed-on", default=None, help="Signature date, YYYY-MM-DD (default: today).")
@click.option("--acceptance-days", type=click.IntRange(min=1), default=None, help="Days for tacit approval.")
@by_option
@db_option
def contract_sign(
    ref: str,
    quote_number: str | None,
    amount: str | None,
    terms_version: str,
    signed_on: str | None,
    acceptance_days: int | None,
    actor: str | None,
    db: str | None,
) -> None:
    """Record the signed contract and fire sign_contract, together or not at all (exit 3 if the spec is incomplete).

    With --quote, the client's acceptance of that quote: an expired or superseded quote is
    refused (exit 8). Without, the amount agreed, billed as one line.

    Example:

        missionflow contract sign M-1 --quote DEV-2026-0001 --terms-version CGV-2026-1 --signed-on 2026-11-24
    """
    from datetime import date

    from missionflow import Money
    from missionflow.freelance import Contract

    when = parse_date(signed_on, "signed-on") or date.today()
    if not terms_version.strip():
        raise click.BadParameter("give the version of the terms", param_hint="'--terms-version'")
    if (quote_number is None) == (amount is None):
        raise click.UsageError("give the quote the client signed (--quote) or the amount agreed (--amount)")
    signer = actor or default_actor()
    with store_for(db) as store:
        if quote_number is not None:
            record = store.sign_quote(
                ref,
                quote_number.strip(),
                terms_version=terms_version.strip(),
                signed_on=when,
                signed_by=signer,
                acceptance_days=acceptance_days,
                actor=signer,
            )
            agreed = store.get_quote(quote_number.strip()).total
            what = f"quote {quote_number.strip()} accepted"
        else:
            assert amount is not None
            current = store.get_mission(ref)
            signed = Contract(
                amount=Money.of(amount, current.currency),
                terms_version=terms_version.strip(),
                signed_on=when,
                signed_by=signer,
                acceptance_days=acceptance_days,
            )
            record = store.sign_contract(ref, signed, actor=signer)
            agreed, what = signed.amount, f"contract {signed.terms_version} signed"
    echo(f"{ref}: {what} for {agreed}; {record.source} -> {record.dest}")


@contract.command("amend")
@mission_argument
@click.option("--amount", required=True, help="What the change adds to the price (negative to lower it).")
@click.option("--reason", required=True, help="What changes, as agreed with the client.")
@db_option
def contract_amend(ref: str, amount: str, reason: str, db: str | None) -> None:
    """Record an amendment to the signed contract; the contract itself is never edited (R4).

    Example:

        missionflow contract amend M-1 --amount 600 --reason "a blog section, agreed by mail on 2026-12-02"
    """
    from missionflow import Money

    with store_for(db) as store:
        current = store.get_mission(ref)
        change = Money.of(amount, current.currency, negative=True)
        store.amend_contract(ref, change, reason)
    echo(f"{current.ref}: amendment of {change} recorded ({reason.strip()})")


@contract.command("show")
@mission_argument
@db_option
@json_option
def contract_show(ref: str, db: str | None, as_json: bool) -> None:
    """Show the signed contract, its amendments and the total agreed.

    Example:

        missionflow contract show M-1 --json
    """
    from missionflow import Money

    with store_for(db) as store:
        current = store.get_mission(ref)
    signed = current.contract
    agreement = current.agreement
    if as_json:
        emit_json(
            {
                "id": current.ref,
                "contract": signed,
                "amendments": current.amendments,
                "lines": agreement_json(current)["lines"],
                "total": agreement.total if signed is not None else None,
            }
        )
        return
    if signed is None:
        echo(f"{current.ref}: no signed contract yet")
        return
    echo(f"{current.ref}  contract {signed.terms_version}")
    facts = [
        (
            "amount",
            str(signed.amount)
            + (" (pro bono)" if signed.amount == Money.zero(signed.amount.currency) else ""),
        ),
        (
            "signed",
            f"{signed.signed_on.isoformat()}" + (f" by {signed.signed_by}" if signed.signed_by else ""),
        ),
        (
            "acceptance",
            f"{signed.acceptance_days} days, then tacit approval"
            if signed.acceptance_days
            else "the client approves explicitly",
        ),
    ]
    for label, value in facts:
        echo(f"  {label:<11} {value}")
    echo("agreed:")
    table(
        ["AGREED", "KIND", "AMOUNT", "WHAT"],
        [
            [
                f"{line.agreed_at:%Y-%m-%d}" if line.agreed_at else "",
                line.kind.replace("_", " "),
                str(line.amount),
                line.designation,
            ]
            for line in agreement.lines
        ],
    )
    echo(f"  {'total':<11} {agreement.total}")


@click.group()
def payment() -> None:
    """Payments received from clients.

    Example:

        missionflow payment add M-1 1350 --method transfer
    """


@payment.command("add")
@mission_argument
@click.argument("amount")
@click.option("--on", "received_on", default=None, help="Date received, YYYY-MM-DD (default: today).")
@click.option("--method", default="", help="Transfer, card, cheque...")
@click.option("--ref", "reference", default="", help="Bank or payment reference.")
@db_option
def payment_add(
    ref: str, amount: str, received_on: str | None, method: str, reference: str, db: str | None
) -> None:
    """Record a payment received for a mission.

    Example:

        missionflow payment add M-1 1350 --on 2026-11-28 --method transfer --ref VIR-0042
    """
    from datetime import date

    from missionflow import Money
    from missionflow.freelance import Payment

    when = parse_date(received_on, "on") or date.today()
    with store_for(db) as store:
        current = store.get_mission(ref)
        money = Money.of(amount, current.currency)
        store.record_payment(ref, Payment(money, when, method, reference))
        updated = store.get_mission(ref)
    echo(f"{ref}: {money} received; paid {updated.paid_total}, deposit due {updated.deposit_due}")
    if not updated.live_invoices():
        echo(
            f"warning: {ref} has no invoice yet: the payment is held as a credit for the first invoice; "
            f"French practice asks for a deposit invoice (missionflow invoice deposit {ref})",
            err=True,
        )
    elif updated.balance.amount < 0:
        echo(
            f"warning: {ref}: {Money.zero(updated.currency) - updated.balance} more than the invoices ask "
            "for is held as a credit (refund it, or it pays the next invoice)",
            err=True,
        )


@click.command()
@mission_argument
@click.argument("deliverable")
@click.option("--note", default="", help="What was handed over, how.")
@by_option
@db_option
def deliver(ref: str, deliverable: str, note: str, actor: str | None, db: str | None) -> None:
    """Record the delivery of one deliverable of the specification.

    Example:

        missionflow deliver M-1 website --note "deployed to production"
    """
    with store_for(db) as store:
        store.deliver(ref, deliverable, actor=actor or default_actor(), note=note)
    echo(f"{ref}: {deliverable} delivered")


@click.group()
def revision() -> None:
    """Revision rounds beyond those included.

    Example:

        missionflow revision extra M-1 --amount 300
    """


@revision.command("extra")
@mission_argument
@click.option(
    "--amount", required=True, help="Price of the extra round (an amendment, billed with the invoice)."
)
@click.option("--note", default="", help="What the round covers.")
@db_option
def revision_extra(ref: str, amount: str, note: str, db: str | None) -> None:
    """Agree one extra revision round as a billable amendment.

    Example:

        missionflow revision extra M-1 --amount 300 --note "third round on the homepage"
    """
    from missionflow import Money

    with store_for(db) as store:
        current = store.get_mission(ref)
        price = Money.of(amount, current.currency)
        store.agree_extra_revision(ref, price, note)
    echo(f"{current.ref}: one extra revision round agreed for {price}")
