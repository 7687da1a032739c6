"""``missionflow mission ...`` and ``missionflow fire``: missions, their history and their triggers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    by_option,
    db_option,
    default_actor,
    echo,
    emit_json,
    json_option,
    parse_date,
    parse_percent,
    store_for,
    style,
    table,
)
from missionflow_cli.complete import complete_client, complete_mission
from missionflow_cli.firing import fire_options, run_fire
from missionflow_cli.views import data_text, mission_json, option_json, print_options, record_json

if TYPE_CHECKING:
    from missionflow.freelance import Mission


@click.group()
def mission() -> None:
    """Create missions, see where they stand, and move them on.

    Example:

        missionflow mission new C-1 "Website redesign" --amount 4500 --deposit 30%
    """


@mission.command("new")
@click.argument("client_ref", metavar="[CLIENT]", shell_complete=complete_client)
@click.argument("title", metavar="TITLE", required=False)
@click.option("--workflow", default="freelance-mission", show_default=True, help="Workflow to run under.")
@click.option("--amount", default=None, help="Quoted amount, e.g. 4500 or 4500.50.")
@click.option("--currency", default=None, help="ISO currency code (default: the settings' currency).")
@click.option("--deposit", default=None, help="Deposit before work starts, e.g. 30% (default: settings).")
@click.option("--revisions", type=click.IntRange(min=0), default=None, help="Included revision rounds.")
@click.option("--deadline", default=None, help="Deadline asked by the client, YYYY-MM-DD.")
@click.option("--sessions", type=click.IntRange(min=0), default=0, help="Agreed sessions (coaching).")
@db_option
@json_option
def mission_new(
    client_ref: str,
    title: str | None,
    workflow: str,
    amount: str | None,
    currency: str | None,
    deposit: str | None,
    revisions: int | None,
    deadline: str | None,
    sessions: int,
    db: str | None,
    as_json: bool,
) -> None:
    """Create a mission for CLIENT in its workflow's first state and print its reference.

    A workflow whose guards never read the client (your own copy, say) needs no CLIENT: give
    the TITLE alone.

    Example:

        missionflow mission new C-1 "Website redesign" --amount 4500 --deposit 30% --deadline 2027-01-15
        missionflow mission new "Logo" --workflow my-flow --amount 800
    """
    from missionflow import Money

    client: str | None = client_ref
    if title is None:
        client, title = None, client_ref
    deposit_percent = parse_percent(deposit)
    due = parse_date(deadline, "deadline")
    with store_for(db) as store:
        code = (currency or store.get_settings().currency).upper()
        money = Money.of(amount, code) if amount is not None else None
        created = store.create_mission(
            client,
            title,
            workflow=workflow,
            amount=money,
            currency=code,
            deposit_percent=deposit_percent,
            included_revisions=revisions,
            deadline=due,
            sessions_planned=sessions,
        )
        options = store.triggers(created.ref)
    if as_json:
        emit_json(mission_json(created, options))
    else:
        echo(created.ref)


@mission.command("list")
@click.option("--state", default=None, help="Only missions in this state.")
@click.option("--client", "client_ref", default=None, help="Only this client's missions.")
@click.option("--workflow", default=None, help="Only missions under this workflow.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many.")
@db_option
@json_option
def mission_list(
    state: str | None,
    client_ref: str | None,
    workflow: str | None,
    limit: int | None,
    db: str | None,
    as_json: bool,
) -> None:
    """List missions, most recently updated first.

    Example:

        missionflow mission list --state in_progress
    """
    with store_for(db) as store:
        missions = store.list_missions(state=state, client=client_ref, workflow=workflow, limit=limit)
    if as_json:
        emit_json(
            [
                {
                    "id": m.ref,
                    "title": m.title,
                    "client": m.client_ref,
                    "client_name": m.client_name,
                    "state": m.state,
                    "workflow": m.workflow,
                    "workflow_version": m.workflow_version,
                    "updated_at": m.updated_at.isoformat(),
                }
                for m in missions
            ]
        )
        return
    table(
        ["ID", "TITLE", "CLIENT", "STATE", "UPDATED"],
        [[m.ref, m.title, m.client_name, m.state, f"{m.updated_at:%Y-%m-%d %H:%M}"] for m in missions],
    )


@mission.command("show")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@db_option
@json_option
def mission_show(ref: str, db: str | None, as_json: bool) -> None:
    """Show a mission, its money and what can happen next.

    Example:

        missionflow mission show M-1
    """
    from missionflow.freelance import revision_rounds_used

    with store_for(db) as store:
        current = store.get_mission(ref)
        options = store.triggers(ref)
    if as_json:
        emit_json(mission_json(current, options))
        return
    echo(f"{current.ref}  {current.title}")
    facts: list[tuple[str, object]] = [
        ("client", f"{current.client.name} ({current.client.ref})"),
        ("workflow", f"{current.workflow} v{current.workflow_version}"),
        ("state", style(current.state, fg="cyan", bold=True)),
        ("amount", _agreed_text(current)),
        (
            "deposit",
            f"{current.deposit_percent.normalize():f} % = {current.deposit_due}, paid {current.paid_total}",
        ),
        ("deadline", current.deadline.isoformat() if current.deadline else "none"),
        (
            "revisions",
            f"{revision_rounds_used(current)} used of {current.included_revisions + current.extra_revisions}",
        ),
    ]
    for label, value in facts:
        echo(f"  {label:<10} ", value)
    echo("next:")
    print_options(options)


def _agreed_text(current: Mission) -> str:
    """The total agreed, with its parts when there is more than the contract (a rush surcharge...)."""
    agreed = current.agreed_amount
    if agreed is None:
        return "not set"
    lines = current.agreement.lines
    if len(lines) == 1:
        return str(agreed)
    return f"{agreed} ({' + '.join(f'{line.designation} {line.amount}' for line in lines)})"


@mission.command("history")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@db_option
@json_option
def mission_history(ref: str, db: str | None, as_json: bool) -> None:
    """Show every recorded step of a mission: who, when, why.

    Example:

        missionflow mission history M-1 --json
    """
    from zoneinfo import ZoneInfo

    with store_for(db) as store:
        entries = store.history(ref)
        local = ZoneInfo(store.get_settings().timezone)
    if as_json:
        emit_json([{"position": e.position, **record_json(e.record)} for e in entries])
        return
    table(
        ["#", "WHEN", "TRIGGER", "FROM", "TO", "BY", "NOTE"],
        [
            [
                e.position,
                f"{e.record.at.astimezone(local):%Y-%m-%d %H:%M}"
                + (" (out of hours)" if e.record.out_of_hours else ""),
                e.record.trigger + data_text(e.record),
                e.record.source,
                e.record.dest,
                e.record.actor,
                e.record.note,
            ]
            for e in entries
        ],
    )


@mission.command("triggers")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@db_option
@json_option
def mission_triggers(ref: str, db: str | None, as_json: bool) -> None:
    """List every trigger from the current state, allowed or blocked, with the reasons.

    Example:

        missionflow mission triggers M-1
    """
    with store_for(db) as store:
        options = store.triggers(ref)
    if as_json:
        emit_json([option_json(o) for o in options])
        return
    print_options(options)


@mission.command("path")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@click.argument("target", metavar="STATE")
@db_option
@json_option
def mission_path(ref: str, target: str, db: str | None, as_json: bool) -> None:
    """Show what stands between a mission and STATE: the shortest path and what blocks it today.

    Example:

        missionflow mission path M-1 in_progress
    """
    from missionflow import InvalidValueError

    with store_for(db) as store:
        current = store.get_mission(ref)
        try:
            report = store.path_to(ref, target)
        except KeyError:
            raise InvalidValueError("state", f"{target!r} is not a state of {current.workflow}") from None
    if as_json:
        emit_json(
            {
                "id": ref,
                "state": current.state,
                "target": target,
                "reachable": report.reachable,
                "steps": [
                    {"trigger": s.trigger, "source": s.source, "dest": s.dest, "reasons": list(s.reasons)}
                    for s in report.steps or ()
                ],
            }
        )
        return
    if report.steps is None:
        echo(f"{target} cannot be reached from {current.state}")
        return
    if not report.steps:
        echo(f"{ref} is already {target}")
        return
    for number, step in enumerate(report.steps, 1):
        echo(f"{number}. {step.trigger}: {step.source} -> {step.dest}")
        for reason in step.reasons:
            echo(f"     blocked: {reason}")


@mission.command("fire")
@fire_options
def mission_fire(**options: object) -> None:
    """Fire TRIGGER on a mission (same as ``missionflow fire``).

    Example:

        missionflow mission fire M-1 start_work --by camille
    """
    run_fire(**options)  # type: ignore[arg-type]


@mission.command("assess")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@click.argument("criterion")
@click.argument("answer", type=click.Choice(["yes", "no"]))
@click.option("--note", default="", help="Why, for the record.")
@db_option
def mission_assess(ref: str, criterion: str, answer: str, note: str, db: str | None) -> None:
    """Answer one of your client criteria (see ``missionflow settings show``) for a mission.

    Example:

        missionflow mission assess M-1 budget_fits yes --note "matches my day rate"
    """
    with store_for(db) as store:
        store.answer_criterion(ref, criterion, answer == "yes", note)
    echo(f"{ref}: {criterion} = {answer}")


@mission.command("rush")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@click.option("--amount", required=True, help="The rush surcharge agreed with the client, e.g. 300.")
@db_option
def mission_rush(ref: str, amount: str, db: str | None) -> None:
    """Agree a rush surcharge, so that a deadline closer than your minimum lead time can be accepted (R2).

    The surcharge (more than 0) is part of the contract total and billed as its own line of the
    final invoice; it is agreed before the contract is signed (after it, amend the contract).

    Example:

        missionflow mission rush M-1 --amount 300
    """
    from missionflow import Money

    with store_for(db) as store:
        current = store.get_mission(ref)
        surcharge = Money.of(amount, current.currency)
        store.set_rush_surcharge(ref, surcharge)
    echo(f"{current.ref}: rush surcharge of {surcharge} agreed")


@mission.command("approve-tacit")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@by_option
@db_option
@json_option
def mission_approve_tacit(ref: str, actor: str | None, db: str | None, as_json: bool) -> None:
    """Approve on the client's silence once the contract's acceptance period has passed (R10).

    Every deliverable must have been handed over, and the acceptance period (contract sign
    --acceptance-days) must have passed since the last delivery; the history notes "tacit approval".

    Example:

        missionflow mission approve-tacit M-1
    """
    with store_for(db) as store:
        record = store.approve_tacitly(ref, actor=actor or default_actor())
    if as_json:
        emit_json(record_json(record))
    else:
        echo(f"{ref}: {record.source} --{record.trigger}--> {record.dest} ({record.note})")
