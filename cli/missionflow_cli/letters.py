"""``missionflow letter ...``: the reminder letters timers write (first reminder, second reminder,
formal notice), shown as the client receives them and e-mailed once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    by_option,
    db_option,
    default_actor,
    emit_json,
    json_option,
    lang_option,
    store_for,
    table,
)
from missionflow_cli.complete import complete_mission
from missionflow_cli.einvoices import mailer_for, say_sent, sent_json
from missionflow_cli.files import output_option, write_document

if TYPE_CHECKING:
    from missionflow.freelance import LetterRecord


@click.group()
def letter() -> None:
    """Reminder letters: what `tick` wrote when a payment was late, shown and e-mailed.

    Example:

        missionflow letter list --unsent
    """


def letter_json(record: LetterRecord) -> dict[str, object]:
    """A letter as JSON: number, kind, mission, date, the timer that wrote it, when it was sent."""
    return {
        "number": record.number,
        "kind": record.kind,
        "mission": record.mission,
        "issued_on": record.issued_on.isoformat(),
        "trigger": record.trigger,
        "sent_to": record.sent_to,
        "sent_at": record.sent_at.isoformat() if record.sent_at is not None else None,
    }


@letter.command("list")
@click.option(
    "--mission", "mission", default=None, shell_complete=complete_mission, help="Only this mission's."
)
@click.option("--unsent", is_flag=True, help="Only the letters not e-mailed yet.")
@db_option
@json_option
def letter_list(mission: str | None, unsent: bool, db: str | None, as_json: bool) -> None:
    """List the reminder letters in number order, with when each was e-mailed.

    Example:

        missionflow letter list --mission M-1
    """
    with store_for(db) as store:
        found = store.list_letters(mission, unsent=unsent)
    if as_json:
        emit_json([letter_json(record) for record in found])
        return
    table(
        ["NUMBER", "KIND", "MISSION", "ISSUED", "TIMER", "SENT"],
        [
            [
                r.number,
                r.kind,
                r.mission,
                r.issued_on.isoformat(),
                r.trigger,
                f"{r.sent_at:%Y-%m-%d} to {r.sent_to}" if r.sent_at is not None else "not yet",
            ]
            for r in found
        ],
    )


@letter.command("show")
@click.argument("number")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "html", "pdf"]),
    default="text",
    show_default=True,
    help="text, Markdown, one HTML page, or PDF/A-3b (A4, fonts embedded).",
)
@lang_option
@output_option
@db_option
def letter_show(number: str, fmt: str, lang: str | None, output: Path | None, db: str | None) -> None:
    """Show a reminder letter as the client receives it, in the client's language.

    A formal notice adds the late interest (at the rate the invoices stated) and, for a business
    client, the 40 EUR recovery indemnity per invoice paid late.

    Example:

        missionflow letter show REL-2027-0001 --format pdf -o relance.pdf
    """
    from missionflow.freelance import render_document

    with store_for(db) as store:
        document = store.letter_document(number, language=lang)
    write_document(render_document(document, fmt, lang), output, binary=fmt == "pdf", db=db)


@letter.command("send")
@click.argument("number")
@click.option("--again", is_flag=True, help="Send it even if it was sent before.")
@by_option
@db_option
@json_option
def letter_send(number: str, again: bool, actor: str | None, db: str | None, as_json: bool) -> None:
    """E-mail a reminder letter to the client, its PDF attached, once (see `invoice send`).

    Example:

        missionflow letter send REL-2027-0001
    """
    with store_for(db) as store:
        mailer, sender = mailer_for(store)
        sent = store.send_document(number, mailer, sender=sender, actor=actor or default_actor(), again=again)
    if as_json:
        emit_json(sent_json(sent))
        return
    say_sent(sent)
