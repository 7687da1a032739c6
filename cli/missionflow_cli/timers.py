"""``tick`` (fire the timers that are due) and ``timers`` (what is scheduled, and what became of it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from missionflow_cli.app import db_option, echo, emit_json, json_option, parse_moment, store_for, table
from missionflow_cli.complete import complete_mission

if TYPE_CHECKING:
    from missionflow.store import TickResult, TimerRecord


def tick_json(result: TickResult) -> dict[str, object]:
    """What tick did with one timer, as JSON."""
    return {
        "mission": result.mission,
        "trigger": result.trigger,
        "source": result.source,
        "due_at": result.due_at.isoformat(),
        "fired": result.fired,
        "outcome": result.outcome,
        "dest": result.record.dest if result.record is not None else None,
    }


@click.command()
@click.option("--now", "now", default=None, help="Act as if it were this time (ISO 8601; default: now).")
@db_option
@json_option
def tick(now: str | None, db: str | None, as_json: bool) -> None:
    """Fire the timers that are due: reminders, tacit approvals (safe to run from cron).

    Run it every few minutes: no thread and no daemon, timers are rows in the database. Each due
    timer is fired once, with the actor "timer" in the mission's history, or skipped when its
    guards refuse (the deposit arrived in time), however often and from however many processes
    tick runs.

    Example:

        missionflow tick --now 2027-03-01T09:00+01:00
    """
    from datetime import UTC, datetime

    with store_for(db) as store:
        results = store.tick(parse_moment(now, "now") or datetime.now(UTC))
    if as_json:
        emit_json([tick_json(r) for r in results])
        return
    for result in results:
        moved = (
            f" -> {result.record.dest}"
            if result.record is not None and result.record.dest != result.source
            else ""
        )
        echo(
            f"{result.mission}: {result.trigger} (due {result.due_at:%Y-%m-%d %H:%M} UTC): {result.outcome}{moved}"
        )
    echo(f"{len(results)} timer{'s' if len(results) != 1 else ''} processed")


def timer_json(timer: TimerRecord) -> dict[str, object]:
    """One timer row as JSON."""
    return {
        "mission": timer.mission,
        "trigger": timer.trigger,
        "source": timer.source,
        "due_at": timer.due_at.isoformat(),
        "status": timer.status,
        "outcome": timer.outcome,
        "done_at": timer.done_at.isoformat() if timer.done_at is not None else None,
    }


@click.command()
@click.option(
    "--mission", "mission", default=None, shell_complete=complete_mission, help="Only this mission's."
)
@click.option("--pending", is_flag=True, help="Only the timers still to fall due.")
@db_option
@json_option
def timers(mission: str | None, pending: bool, db: str | None, as_json: bool) -> None:
    """List the timers of missions: when each falls due, and whether it fired.

    Example:

        missionflow timers --mission M-1
    """
    with store_for(db) as store:
        found = [t for t in store.list_timers(mission) if t.pending or not pending]
    if as_json:
        emit_json([timer_json(t) for t in found])
        return
    table(
        ["MISSION", "TIMER", "STATE", "DUE (UTC)", "STATUS", "OUTCOME"],
        [[t.mission, t.trigger, t.source, f"{t.due_at:%Y-%m-%d %H:%M}", t.status, t.outcome] for t in found],
    )
