"""``missionflow mission ...`` and ``missionflow fire``: missions, their history and their triggers."""

from __future__ import annotations

import getpass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    db_option,
    emit_json,
    json_option,
    parse_date,
    parse_moment,
    store_for,
    style,
    table,
    to_jsonable,
)
from missionflow_cli.complete import complete_client, complete_mission, complete_trigger

if TYPE_CHECKING:
    from missionflow import TransitionRecord, TriggerOption
    from missionflow.freelance import Mission


def parse_percent(text: str | None) -> Decimal | None:
    """ "30%", "30" or "12.5 %" as a Decimal percentage between 0 and 100."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a percentage like 30%", param_hint="--deposit") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise click.BadParameter(f"{text!r} must be between 0% and 100%", param_hint="--deposit")
    return value


def default_actor() -> str:
    """Who is acting when --by is not given: the login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "me"


by_option = click.option("--by", "actor", default=None, help="Who does it (default: your login name).")


@click.group()
def mission() -> None:
    """Create missions, see where they stand, and move them on.

    Example:

        missionflow mission new C-1 "Website redesign" --amount 4500 --deposit 30%
    """


@mission.command("new")
@click.argument("client_ref", metavar="CLIENT", shell_complete=complete_client)
@click.argument("title")
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
    title: str,
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
    """Create a mission for CLIENT (it starts as a lead) and print its reference.

    Example:

        missionflow mission new C-1 "Website redesign" --amount 4500 --deposit 30% --deadline 2027-01-15
    """
    from missionflow import Money

    deposit_percent = parse_percent(deposit)
    due = parse_date(deadline, "deadline")
    with store_for(db) as store:
        code = (currency or store.get_settings().currency).upper()
        money = Money.of(amount, code) if amount is not None else None
        created = store.create_mission(
            client_ref,
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
        click.echo(created.ref)


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
    with store_for(db) as store:
        current = store.get_mission(ref)
        options = store.triggers(ref)
    if as_json:
        emit_json(mission_json(current, options))
        return
    click.echo(f"{current.ref}  {current.title}")
    facts = [
        ("client", f"{current.client.name} ({current.client.ref})"),
        ("workflow", f"{current.workflow} v{current.workflow_version}"),
        ("state", style(current.state, fg="cyan", bold=True)),
        ("amount", str(current.agreed_amount) if current.agreed_amount else "not set"),
        (
            "deposit",
            f"{current.deposit_percent.normalize():f} % = {current.deposit_due}, paid {current.paid_total}",
        ),
        ("deadline", current.deadline.isoformat() if current.deadline else "none"),
        (
            "revisions",
            f"{current.count_fired('request_revision')} used of {current.included_revisions + current.extra_revisions}",
        ),
    ]
    for label, value in facts:
        click.echo(f"  {label:<10} {value}")
    click.echo("next:")
    _print_options(options)


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
                e.record.trigger + _data_text(e.record),
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
    _print_options(options)


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
        click.echo(f"{target} cannot be reached from {current.state}")
        return
    if not report.steps:
        click.echo(f"{ref} is already {target}")
        return
    for number, step in enumerate(report.steps, 1):
        click.echo(f"{number}. {step.trigger}: {step.source} -> {step.dest}")
        for reason in step.reasons:
            click.echo(f"     blocked: {reason}")


def _fire_options(func: click.decorators.FC) -> click.decorators.FC:
    for decorator in reversed(
        [
            click.argument("ref", metavar="MISSION", shell_complete=complete_mission),
            click.argument("trigger", shell_complete=complete_trigger),
            by_option,
            click.option("--note", default="", help="Why, in a few words (kept in the history)."),
            click.option("--reason", default="", help="Same as --note; required to decline or terminate."),
            click.option("--data", "data", multiple=True, metavar="KEY=VALUE", help="Data for the trigger."),
            click.option("--at", "at", default=None, help="When it happened (ISO 8601; default: now)."),
            click.option("--idempotency-key", default=None, help="Fire at most once for this key."),
            click.option(
                "--block-client", is_flag=True, help="With terminate or decline: also block the client (R11)."
            ),
            db_option,
            json_option,
        ]
    ):
        func = decorator(func)
    return func


def _fire(
    ref: str,
    trigger: str,
    actor: str | None,
    note: str,
    reason: str,
    data: tuple[str, ...],
    at: str | None,
    idempotency_key: str | None,
    block_client: bool,
    db: str | None,
    as_json: bool,
) -> None:
    pairs = {}
    for item in data:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--data")
        pairs[key] = value
    text = " ".join(part for part in (reason.strip(), note.strip()) if part)
    with store_for(db) as store:
        record = store.fire(
            ref,
            trigger,
            actor=actor or default_actor(),
            note=text,
            at=parse_moment(at),
            data=pairs,
            idempotency_key=idempotency_key,
            block_client=block_client,
        )
    if as_json:
        emit_json(record_json(record))
    else:
        click.echo(f"{ref}: {record.source} --{trigger}--> {record.dest}")


@mission.command("fire")
@_fire_options
def mission_fire(**options: object) -> None:
    """Fire TRIGGER on a mission (same as ``missionflow fire``).

    Example:

        missionflow mission fire M-1 start_work --by camille
    """
    _fire(**options)  # type: ignore[arg-type]


@click.command("fire")
@_fire_options
def fire_command(**options: object) -> None:
    """Fire TRIGGER on a mission: it moves, or the refusal says exactly what is missing.

    Example:

        missionflow fire M-1 terminate --reason "client stopped answering" --block-client
    """
    _fire(**options)  # type: ignore[arg-type]


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
    click.echo(f"{ref}: {criterion} = {answer}")


@mission.command("rush")
@click.argument("ref", metavar="MISSION", shell_complete=complete_mission)
@click.option("--amount", required=True, help="The rush surcharge agreed with the client, e.g. 300.")
@db_option
def mission_rush(ref: str, amount: str, db: str | None) -> None:
    """Agree a rush surcharge, so that a deadline closer than your minimum lead time can be accepted (R2).

    Example:

        missionflow mission rush M-1 --amount 300
    """
    from missionflow import Money

    with store_for(db) as store:
        current = store.get_mission(ref)
        surcharge = Money.of(amount, current.currency)
        store.set_rush_surcharge(ref, surcharge)
    click.echo(f"{current.ref}: rush surcharge of {surcharge} agreed")


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
        click.echo(f"{ref}: {record.source} --{record.trigger}--> {record.dest} ({record.note})")


def record_json(record: TransitionRecord) -> dict[str, object]:
    """A history entry as JSON: trigger, source, dest, actor, at (ISO 8601 with offset), note."""
    return {
        "trigger": record.trigger,
        "source": record.source,
        "dest": record.dest,
        "actor": record.actor,
        "at": record.at.isoformat(),
        "note": record.note,
        "data": dict(record.data),
        "out_of_hours": record.out_of_hours,
    }


def option_json(option: TriggerOption) -> dict[str, object]:
    """A trigger option as JSON: trigger, dest, allowed, reasons."""
    return {
        "trigger": option.trigger,
        "dest": option.dest,
        "allowed": option.allowed,
        "reasons": list(option.reasons),
    }


def mission_json(current: Mission, options: list[TriggerOption]) -> dict[str, object]:
    """A mission as JSON, with the triggers possible now."""
    return {
        "id": current.ref,
        "title": current.title,
        "client": to_jsonable(current.client),
        "state": current.state,
        "workflow": current.workflow,
        "workflow_version": current.workflow_version,
        "version": current.version,
        "currency": current.currency,
        "amount": to_jsonable(current.agreed_amount),
        "deposit_percent": str(current.deposit_percent),
        "deposit_due": to_jsonable(current.deposit_due),
        "paid": to_jsonable(current.paid_total),
        "deadline": current.deadline.isoformat() if current.deadline else None,
        "included_revisions": current.included_revisions,
        "extra_revisions": current.extra_revisions,
        "revisions_used": current.count_fired("request_revision"),
        "triggers": [option_json(o) for o in options],
    }


def _data_text(record: TransitionRecord) -> str:
    return f" ({', '.join(f'{v}' for v in record.data.values())})" if record.data else ""


def _print_options(options: list[TriggerOption]) -> None:
    if not options:
        click.echo("  nothing: this is a final state")
    for option in options:
        mark = style("allowed", fg="green") if option.allowed else style("blocked", fg="red")
        click.echo(f"  {option.trigger:<18} -> {option.dest:<18} {mark}")
        for reason in option.reasons:
            click.echo(f"      {reason}")
