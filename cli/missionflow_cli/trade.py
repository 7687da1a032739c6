"""The rules of the trade from a terminal: settings, specification, contract, payments, deliveries, revisions."""

from __future__ import annotations

from pathlib import Path

import click

from missionflow_cli.app import db_option, emit_json, json_option, parse_date, store_for, table
from missionflow_cli.complete import complete_mission
from missionflow_cli.missions import by_option, default_actor

mission_argument = click.argument("ref", metavar="MISSION", shell_complete=complete_mission)


@click.group()
def settings() -> None:
    """Your identity, defaults, working hours and client criteria.

    Example:

        missionflow settings set minimum_lead_days 10
    """


@settings.command("show")
@db_option
@json_option
def settings_show(db: str | None, as_json: bool) -> None:
    """Show every setting and your client criteria.

    Example:

        missionflow settings show
    """
    from missionflow.freelance import describe_settings

    with store_for(db) as store:
        current = store.get_settings()
    values = describe_settings(current)
    criteria = [{"name": c.name, "question": c.question, "must_have": c.must_have} for c in current.criteria]
    if as_json:
        emit_json({**dict(values), "criteria": criteria})
        return
    table(["KEY", "VALUE"], values)
    click.echo("criteria:")
    table(
        ["NAME", "KIND", "QUESTION"],
        [[c["name"], "must-have" if c["must_have"] else "nice-to-have", c["question"]] for c in criteria],
    )


@settings.command("set")
@click.argument("key")
@click.argument("value")
@db_option
def settings_set(key: str, value: str, db: str | None) -> None:
    """Set one setting (see ``settings show`` for the keys).

    Example:

        missionflow settings set working_hours 09:00-18:00
    """
    from missionflow.freelance import set_from_text

    with store_for(db) as store:
        updated = set_from_text(store.get_settings(), key, value)
        store.save_settings(updated)
    click.echo(f"{key} = {value}")


@settings.command("criterion")
@click.argument("name")
@click.argument("question", required=False, default="")
@click.option("--nice-to-have", is_flag=True, help="Not a must-have: a no does not block.")
@click.option("--remove", is_flag=True, help="Remove the criterion.")
@db_option
def settings_criterion(name: str, question: str, nice_to_have: bool, remove: bool, db: str | None) -> None:
    """Add, change or remove one of your client criteria (R1).

    Example:

        missionflow settings criterion pays_on_time "Did they pay past invoices on time?"
    """
    from missionflow import InvalidValueError
    from missionflow.freelance import Criterion

    if not name.strip():
        raise click.BadParameter("give the criterion a name", param_hint="NAME")
    with store_for(db) as store:
        current = store.get_settings()
        kept = tuple(c for c in current.criteria if c.name != name)
        if remove:
            if len(kept) == len(current.criteria):
                raise InvalidValueError("criterion", f"no criterion named {name!r}")
            criteria = kept
        else:
            if not question.strip():
                raise click.BadParameter("give the question the criterion answers", param_hint="QUESTION")
            criteria = (*kept, Criterion(name, question.strip(), must_have=not nice_to_have))
        store.save_settings(current.with_changes(criteria=criteria))
    click.echo(f"criterion {name} {'removed' if remove else 'saved'}")


@click.group()
def spec() -> None:
    """The written specification (cahier des charges) of a mission.

    Example:

        missionflow spec set M-1 --objectives "A faster site" --deliverable mockups --deliverable website
    """


@spec.command("set")
@mission_argument
@click.option("--objectives", default=None, help="What the mission must achieve.")
@click.option("--deliverable", "deliverables", multiple=True, help="A deliverable (repeat for each).")
@click.option(
    "--access-code", "access_codes", multiple=True, help="An access code or credential to hand over."
)
@click.option("--deadline", default=None, help="Delivery deadline, YYYY-MM-DD.")
@click.option("--budget", default=None, help="Budget, e.g. 4500.")
@click.option("--acceptance", default=None, help="How the client will accept the work.")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="Read it from a YAML or Markdown file.",
)
@db_option
def spec_set(
    ref: str,
    objectives: str | None,
    deliverables: tuple[str, ...],
    access_codes: tuple[str, ...],
    deadline: str | None,
    budget: str | None,
    acceptance: str | None,
    path: str | None,
    db: str | None,
) -> None:
    """Write or update a mission's specification; parts not given are kept.

    Example:

        missionflow spec set M-1 --objectives "A faster site" --deliverable website --deadline 2027-01-15 --budget 4500 --acceptance "Lighthouse over 90"
    """
    from dataclasses import replace

    from missionflow import Money
    from missionflow.freelance import Deliverable, Specification, parse_specification

    due = parse_date(deadline, "deadline")
    with store_for(db) as store:
        current = store.get_mission(ref)
        base = current.specification or Specification()
        if path is not None:
            text = Path(path).read_text(encoding="utf-8")
            base = parse_specification(
                text, current.currency, markdown=path.endswith((".md", ".markdown")), source=path
            )
        items = [Deliverable(d) for d in deliverables] + [Deliverable(a, "access_code") for a in access_codes]
        updated = replace(
            base,
            objectives=objectives if objectives is not None else base.objectives,
            deliverables=tuple(items) if items else base.deliverables,
            deadline=due or base.deadline,
            budget=Money.of(budget, current.currency, field="budget") if budget is not None else base.budget,
            acceptance=acceptance if acceptance is not None else base.acceptance,
        )
        store.set_specification(ref, updated)
    missing = updated.missing_parts()
    click.echo(
        f"{ref}: specification saved"
        + (f" (still missing: {', '.join(missing)})" if missing else " (complete)")
    )


@spec.command("show")
@mission_argument
@db_option
@json_option
def spec_show(ref: str, db: str | None, as_json: bool) -> None:
    """Show a mission's specification, what it still lacks and which deliverables were handed over.

    Example:

        missionflow spec show M-1
    """
    from missionflow.freelance import Specification

    with store_for(db) as store:
        current = store.get_mission(ref)
    written = current.specification or Specification()
    delivered = {name for name, _ in current.deliveries()}
    missing = written.missing_parts()
    if as_json:
        emit_json(
            {
                "id": current.ref,
                "complete": not missing,
                "missing": missing,
                "objectives": written.objectives,
                "deliverables": [
                    {"name": d.name, "kind": d.kind, "delivered": d.name in delivered}
                    for d in written.deliverables
                ],
                "deadline": written.deadline,
                "budget": written.budget,
                "acceptance": written.acceptance,
            }
        )
        return
    status = f"still missing: {', '.join(missing)}" if missing else "complete"
    click.echo(f"{current.ref}  specification ({status})")
    facts = [
        ("objectives", written.objectives or "-"),
        ("deadline", written.deadline.isoformat() if written.deadline else "-"),
        ("budget", str(written.budget) if written.budget is not None else "-"),
        ("acceptance", written.acceptance or "-"),
    ]
    for label, value in facts:
        click.echo(f"  {label:<11} {value}")
    click.echo("deliverables:")
    table(
        ["NAME", "KIND", "DELIVERED"],
        [
            [d.name, d.kind.replace("_", " "), "yes" if d.name in delivered else "no"]
            for d in written.deliverables
        ],
    )


@click.group()
def contract() -> None:
    """The signed quote and terms of a mission.

    Example:

        missionflow contract sign M-1 --amount 4500 --terms-version CGV-2026-1
    """


@contract.command("sign")
@mission_argument
@click.option("--amount", required=True, help="The signed quote amount (0 for pro bono, never missing).")
@click.option("--terms-version", required=True, help="Version of your terms (CGV) the client accepted.")
@click.option("--signed-on", default=None, help="Signature date, YYYY-MM-DD (default: today).")
@click.option("--acceptance-days", type=click.IntRange(min=1), default=None, help="Days for tacit approval.")
@by_option
@db_option
def contract_sign(
    ref: str,
    amount: str,
    terms_version: str,
    signed_on: str | None,
    acceptance_days: int | None,
    actor: str | None,
    db: str | None,
) -> None:
    """Record the signed contract and fire sign_contract, together or not at all (exit 3 if the spec is incomplete).

    Example:

        missionflow contract sign M-1 --amount 4500 --terms-version CGV-2026-1 --signed-on 2026-11-24
    """
    from datetime import date

    from missionflow import Money
    from missionflow.freelance import Contract

    when = parse_date(signed_on, "signed-on") or date.today()
    if not terms_version.strip():
        raise click.BadParameter("give the version of the terms", param_hint="--terms-version")
    with store_for(db) as store:
        current = store.get_mission(ref)
        signed = Contract(
            amount=Money.of(amount, current.currency),
            terms_version=terms_version.strip(),
            signed_on=when,
            signed_by=actor or default_actor(),
            acceptance_days=acceptance_days,
        )
        record = store.sign_contract(ref, signed, actor=actor or default_actor())
    click.echo(
        f"{ref}: contract {signed.terms_version} signed for {signed.amount}; {record.source} -> {record.dest}"
    )


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
    from missionflow.money import parse_decimal

    with store_for(db) as store:
        current = store.get_mission(ref)
        change = Money(parse_decimal(amount, "amount"), current.currency)
        store.amend_contract(ref, change, reason)
    click.echo(f"{current.ref}: amendment of {change} recorded ({reason.strip()})")


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
        amendments = store.list_amendments(ref)
    signed = current.contract
    total = None
    if signed is not None:
        total = signed.amount
        for amendment in amendments:
            total = total + amendment.amount
    if as_json:
        emit_json({"id": current.ref, "contract": signed, "amendments": amendments, "total": total})
        return
    if signed is None or total is None:
        click.echo(f"{current.ref}: no signed contract yet")
        return
    click.echo(f"{current.ref}  contract {signed.terms_version}")
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
        click.echo(f"  {label:<11} {value}")
    click.echo("amendments:")
    table(
        ["AGREED", "KIND", "AMOUNT", "REASON"],
        [[f"{a.agreed_at:%Y-%m-%d}", a.kind.replace("_", " "), str(a.amount), a.reason] for a in amendments],
    )
    click.echo(f"  {'total':<11} {total}")


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
        invoiced = [b for b in store.invoice_balances(ref) if b.status not in ("cancelled", "credit")]
    click.echo(f"{ref}: {money} received; paid {updated.paid_total}, deposit due {updated.deposit_due}")
    if not invoiced:
        click.echo(
            f"warning: {ref} has no invoice yet: the payment is held as a credit for the first invoice; "
            f"French practice asks for a deposit invoice (missionflow invoice deposit {ref})",
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
        store.fire(
            ref, "deliver", actor=actor or default_actor(), note=note, data={"deliverable": deliverable}
        )
    click.echo(f"{ref}: {deliverable} delivered")


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
    click.echo(f"{current.ref}: one extra revision round agreed for {price}")
