"""The freelancer's settings and a mission's specification, from a terminal."""

from __future__ import annotations

import click

from missionflow_cli.app import (
    db_option,
    echo,
    emit_json,
    json_option,
    parse_date,
    store_for,
    table,
)
from missionflow_cli.complete import complete_mission

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
    echo("criteria:")
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
    from missionflow.freelance import set_from_text, settings_warnings

    with store_for(db) as store:
        updated = set_from_text(store.get_settings(), key, value)
        store.save_settings(updated)
    echo(f"{key} = {value}")
    for warning in settings_warnings(updated):
        echo(f"warning: {warning}", err=True)


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
        raise click.BadParameter("give the criterion a name", param_hint="'NAME'")
    with store_for(db) as store:
        current = store.get_settings()
        kept = tuple(c for c in current.criteria if c.name != name)
        if remove:
            if len(kept) == len(current.criteria):
                raise InvalidValueError("criterion", f"no criterion named {name!r}")
            criteria = kept
        else:
            if not question.strip():
                raise click.BadParameter("give the question the criterion answers", param_hint="'QUESTION'")
            criteria = (*kept, Criterion(name, question.strip(), must_have=not nice_to_have))
        store.save_settings(current.with_changes(criteria=criteria))
    echo(f"criterion {name} {'removed' if remove else 'saved'}")


@click.group()
def spec() -> None:
    """The written specification (cahier des charges) of a mission.

    Example:

        missionflow spec set M-1 --objectives "A faster site" --deliverable mockups --deliverable website
    """


@spec.command("set")
@mission_argument
@click.option("--objectives", default=None, help="What the mission must achieve.")
@click.option(
    "--deliverable",
    "deliverables",
    multiple=True,
    help="A deliverable (repeat for each); with its price excluding VAT when billed on its own: "
    "'website = 12.5 days x 400', 'logo = 800', 'support = 10 hours x 60 vat 20%'.",
)
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

        missionflow spec set M-1 --objectives "A faster site" --deliverable "website = 10 days x 450" --deadline 2027-01-15 --budget 4500 --acceptance "Lighthouse over 90"
    """
    from dataclasses import replace

    from missionflow import Money
    from missionflow.freelance import Deliverable, Specification, load_specification, parse_priced_item

    due = parse_date(deadline, "deadline")
    with store_for(db) as store:
        current = store.get_mission(ref)
        base = current.specification or Specification()
        if path is not None:
            base = load_specification(path, current.currency)
        items = [
            Deliverable(name, price=price)
            for name, price in (parse_priced_item(d, current.currency) for d in deliverables)
        ] + [Deliverable(a, "access_code") for a in access_codes]
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
    echo(
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
    from missionflow.freelance import Specification, format_price

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
                    {
                        "name": d.name,
                        "kind": d.kind,
                        "delivered": d.name in delivered,
                        "price": format_price(d.price) if d.price is not None else None,
                    }
                    for d in written.deliverables
                ],
                "deadline": written.deadline,
                "budget": written.budget,
                "acceptance": written.acceptance,
            }
        )
        return
    status = f"still missing: {', '.join(missing)}" if missing else "complete"
    echo(f"{current.ref}  specification ({status})")
    facts = [
        ("objectives", written.objectives or "-"),
        ("deadline", written.deadline.isoformat() if written.deadline else "-"),
        ("budget", str(written.budget) if written.budget is not None else "-"),
        ("acceptance", written.acceptance or "-"),
    ]
    for label, value in facts:
        echo(f"  {label:<11} {value}")
    echo("deliverables:")
    table(
        ["NAME", "KIND", "PRICE (EXCL. VAT)", "DELIVERED"],
        [
            [
                d.name,
                d.kind.replace("_", " "),
                format_price(d.price) if d.price is not None else "-",
                "yes" if d.name in delivered else "no",
            ]
            for d in written.deliverables
        ],
    )
