"""``tick`` (fire the timers that are due) and ``timers`` (what is scheduled, and what became of it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import db_option, echo, emit_json, json_option, parse_moment, store_for, table
from missionflow_cli.complete import complete_mission
from missionflow_cli.einvoices import mailer_for, say_sent, sent_json
from missionflow_cli.exit_codes import EXIT_FAILURE
from missionflow_cli.files import write_output
from missionflow_cli.letters import letter_json

if TYPE_CHECKING:
    from missionflow import Store
    from missionflow.freelance import LetterRecord, SentDocument, SmtpMailer
    from missionflow.store import TickResult, TimerRecord

TICK_ACTOR = "missionflow tick"
"""Who the history says e-mailed the letters of ``tick --send`` (the program, not a person)."""


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
@click.option(
    "--send",
    is_flag=True,
    help="Then e-mail every reminder letter not sent yet (PDF attached), once each.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Write each letter this tick wrote to this folder (it must exist), as PDF and as text.",
)
@db_option
@json_option
def tick(now: str | None, send: bool, out: Path | None, db: str | None, as_json: bool) -> None:
    """Fire the timers that are due: reminders, tacit approvals (safe to run from cron).

    Run it every few minutes: no thread and no daemon, timers are rows in the database. Each due
    timer is fired once, with the actor "timer" in the mission's history, or skipped when its
    guards refuse (the deposit arrived in time), however often and from however many processes
    tick runs. A reminder writes its letter (first reminder, second reminder, formal notice) in
    the client's language; --send e-mails the letters not sent yet (see `invoice send` for the
    mail settings), --out writes this tick's letters as PDF and text.

    Example:

        missionflow tick --now 2027-03-01T09:00+01:00 --send
    """
    from datetime import UTC, datetime

    with store_for(db) as store:
        mailer = mailer_for(store) if send else None  # a missing mail setting stops before any fire
        before = {letter.number for letter in store.list_letters()}
        results = store.tick(parse_moment(now, "now") or datetime.now(UTC))
        written = [letter for letter in store.list_letters() if letter.number not in before]
        if out is not None:
            write_letters(store, written, out, db)
        sent, unsent = send_letters(store, mailer) if mailer is not None else ([], [])
    if as_json:
        emit_json(
            {
                "timers": [tick_json(r) for r in results],
                "letters": [letter_json(letter) for letter in written],
                "sent": [sent_json(s) for s in sent],
                "not_sent": [{"letter": number, "reason": why} for number, why in unsent],
            }
            if send or out is not None
            else [tick_json(r) for r in results]
        )
    else:
        say_tick(results, written, sent, unsent)
    if unsent:
        sys.exit(EXIT_FAILURE)


def write_letters(store: Store, letters: list[LetterRecord], folder: Path, db: str | None) -> None:
    """Each letter as NUMBER.pdf and NUMBER.txt in ``folder``, written whole like every ``-o`` file
    and as private as the database."""
    from missionflow.freelance import render_document

    for letter in letters:
        document = store.letter_document(letter.number)
        for fmt, suffix in (("pdf", "pdf"), ("text", "txt")):
            target = folder / f"{letter.number}.{suffix}"
            write_output(target, render_document(document, fmt), private=True, db=db)


def send_letters(
    store: Store, mailer: tuple[SmtpMailer, str]
) -> tuple[list[SentDocument], list[tuple[str, str]]]:
    """E-mail every letter not sent yet; those that cannot be (no client e-mail) with the reason.
    A refused login or message stops here (MailError): nothing more is sent or recorded."""
    from missionflow import ConflictError

    sent, unsent = [], []
    for letter in store.list_letters(unsent=True):
        try:
            sent.append(store.send_document(letter.number, mailer[0], sender=mailer[1], actor=TICK_ACTOR))
        except ConflictError as refused:
            unsent.append((letter.number, str(refused)))
    return sent, unsent


def say_tick(
    results: list[TickResult],
    written: list[LetterRecord],
    sent: list[SentDocument],
    unsent: list[tuple[str, str]],
) -> None:
    """What tick did, one line per timer, letter and e-mail."""
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
    for letter in written:
        echo(f"{letter.mission}: letter {letter.number} ({letter.kind.replace('_', ' ')}) written")
    for done in sent:
        say_sent(done)
    for number, why in unsent:
        echo(f"{number}: not sent: {why}", err=True)


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
