"""``missionflow fire``: fire a trigger on a mission, with who, when, why and the data it needs."""

from __future__ import annotations

import click

from missionflow_cli.app import (
    by_option,
    db_option,
    default_actor,
    echo,
    emit_json,
    json_option,
    parse_moment,
    store_for,
)
from missionflow_cli.complete import complete_mission, complete_trigger
from missionflow_cli.views import record_json


def fire_options(func: click.decorators.FC) -> click.decorators.FC:
    """The arguments and options of ``fire`` and ``mission fire``."""
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


def run_fire(
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
    """Fire the trigger as asked and print the move (or the record as JSON)."""
    pairs = {}
    for item in data:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="'--data'")
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
        echo(f"{ref}: {record.source} --{trigger}--> {record.dest}")


@click.command("fire")
@fire_options
def fire_command(**options: object) -> None:
    """Fire TRIGGER on a mission: it moves, or the refusal says exactly what is missing.

    Example:

        missionflow fire M-1 terminate --reason "client stopped answering" --block-client
    """
    run_fire(**options)  # type: ignore[arg-type]
