"""``missionflow invoice export|check|read|send``: the e-invoice (Factur-X EN 16931) of an invoice,
checking any invoice file against the official rules offline, reading a supplier's, and e-mailing
a document to the client once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from missionflow_cli.app import (
    by_option,
    db_option,
    default_actor,
    echo,
    emit_json,
    json_option,
    lang_option,
    shown,
    store_for,
    to_jsonable,
)
from missionflow_cli.exit_codes import EXIT_FAILURE
from missionflow_cli.files import output_option, write_document

if TYPE_CHECKING:
    from missionflow import Store
    from missionflow.freelance import SentDocument, SmtpMailer
    from missionflow.freelance.documents import ReceivedInvoice, RuleFailure

file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))

MAX_INVOICE_BYTES = 50_000_000
"""An invoice file larger than this is refused unread (a Factur-X PDF is rarely over a few MB)."""


def read_invoice_file(path: Path) -> bytes:
    """The bytes of an invoice file given on the command line (exit 2 when too large or unreadable)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INVOICE_BYTES + 1)
    except OSError as error:
        raise click.BadParameter(
            f"cannot read {shown(str(path))}: {error.strerror}", param_hint="FILE"
        ) from None
    if len(data) > MAX_INVOICE_BYTES:
        raise click.BadParameter(
            f"{shown(str(path))} is larger than {MAX_INVOICE_BYTES:,} bytes", param_hint="FILE"
        )
    return data


@click.command("export")
@click.argument("number")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["cii"]),
    default="cii",
    show_default=True,
    help="cii: the Cross Industry Invoice XML of Factur-X EN 16931 (what the PDF carries inside).",
)
@lang_option
@output_option
@db_option
def invoice_export(number: str, fmt: str, lang: str | None, output: Path | None, db: str | None) -> None:
    """Export the e-invoice of an invoice or credit note: its CII XML (Factur-X EN 16931).

    The same bytes that `invoice show --format pdf` embeds as factur-x.xml; an approved platform
    (plateforme agréée) transmits either.

    Example:

        missionflow invoice export 2026-0002 --format cii -o 2026-0002.xml
    """
    from missionflow.freelance.documents import build_cii_xml

    with store_for(db) as store:
        document = store.invoice_document(number, language=lang)
    write_document(build_cii_xml(document), output, binary=False, db=db)


def failure_json(failure: RuleFailure) -> dict[str, object]:
    """A broken rule as JSON: its identifier, message, severity, which check found it, where."""
    return {
        "rule": failure.rule,
        "message": failure.message,
        "flag": failure.flag,
        "source": failure.source,
        "location": failure.location,
    }


def print_failures(failures: list[RuleFailure]) -> None:
    """One line per broken rule: [RULE] message (a warning says so)."""
    for failure in failures:
        mark = "warning " if failure.flag == "warning" else ""
        echo(f"{mark}[{failure.rule}] {failure.message}")


def _fatal(failures: list[RuleFailure]) -> list[RuleFailure]:
    return [f for f in failures if f.flag != "warning"]


@click.command("check")
@file_argument
@json_option
def invoice_check(file: Path, as_json: bool) -> None:
    """Check an invoice file offline: the Factur-X XSD, EN 16931 and the French BR-FR rules.

    FILE is a Factur-X PDF (its embedded XML is checked) or a CII XML file. Each broken rule is
    printed with its identifier and message. Exit 0 when none is broken, 1 when one is, 2 when
    the file is neither a PDF nor XML.

    Example:

        missionflow invoice check 2026-0002.pdf
    """
    from missionflow.freelance.documents import check_file

    failures = check_file(read_invoice_file(file))
    broken = _fatal(failures)
    if as_json:
        emit_json({"file": str(file), "valid": not broken, "failures": [failure_json(f) for f in failures]})
    else:
        print_failures(failures)
        if broken:
            count = len(broken)
            echo(f"{file}: {count} rule{'s' if count != 1 else ''} broken")
        else:
            echo(f"{file}: valid Factur-X EN 16931 (XSD, EN 16931 and BR-FR rules pass)")
    if broken:
        sys.exit(EXIT_FAILURE)


def received_json(received: ReceivedInvoice, failures: list[RuleFailure]) -> dict[str, object]:
    """A received invoice as JSON: its facts, and the rules its XML breaks."""
    return {
        **{key: to_jsonable(value) for key, value in vars(received).items()},
        "valid": not _fatal(failures),
        "failures": [failure_json(f) for f in failures],
    }


@click.command("read")
@file_argument
@json_option
def invoice_read(file: Path, as_json: bool) -> None:
    """Read a supplier's Factur-X invoice: who sent it, the totals and the due date, checked.

    Every business must be able to receive e-invoices from 1 September 2026. The facts come from
    the XML inside the PDF (never from its text), which is checked against the XSD, EN 16931 and
    BR-FR like `invoice check` (exit 1 when a rule is broken, 2 when there is no invoice XML).

    Example:

        missionflow invoice read supplier-invoice.pdf --json
    """
    from missionflow.freelance.documents import read_received

    received, failures = read_received(read_invoice_file(file))
    broken = _fatal(failures)
    if as_json:
        emit_json(received_json(received, failures))
    else:
        seller = received.seller
        ids = ", ".join(
            part
            for part in (
                f"SIREN {seller.siren}" if seller.siren else "",
                f"VAT {seller.vat_number}" if seller.vat_number else "",
            )
            if part
        )
        echo(f"invoice {received.number} (type {received.type_code}) of {received.issued_on.isoformat()}")
        echo(f"from:     {seller.name}" + (f" ({ids})" if ids else ""))
        echo(f"to:       {received.buyer.name}")
        echo(f"net:      {received.net}")
        echo(f"VAT:      {received.vat}")
        echo(f"total:    {received.gross}")
        if received.prepaid.amount:
            echo(f"prepaid:  {received.prepaid}")
        echo(f"due:      {received.due}" + (f" by {received.due_on.isoformat()}" if received.due_on else ""))
        print_failures(failures)
        echo("rules: " + ("broken, see above" if broken else "XSD, EN 16931 and BR-FR pass"))
    if broken:
        sys.exit(EXIT_FAILURE)


def mailer_for(store: Store) -> tuple[SmtpMailer, str]:
    """The mail server of the settings, with its password, and the sender address."""
    from missionflow.freelance import SmtpConfig, SmtpMailer

    config = SmtpConfig.from_settings(store.get_settings())
    return SmtpMailer(config, config.password()), config.sender


def sent_json(sent: SentDocument) -> dict[str, object]:
    """A sent document as JSON."""
    return {
        "document": sent.document,
        "mission": sent.mission,
        "to": sent.recipient,
        "message_id": sent.message_id,
        "sent_at": sent.sent_at.isoformat(),
        "sent_now": not sent.already,
    }


def say_sent(sent: SentDocument) -> None:
    """One line: sent now, or sent before (and not again)."""
    if sent.already:
        echo(f"{sent.document}: already sent to {sent.recipient} on {sent.sent_at:%Y-%m-%d %H:%M} UTC")
    else:
        echo(f"{sent.document}: sent to {sent.recipient}")


@click.command("send")
@click.argument("number")
@click.option("--again", is_flag=True, help="Send it even if it was sent before.")
@by_option
@db_option
@json_option
def invoice_send(number: str, again: bool, actor: str | None, db: str | None, as_json: bool) -> None:
    """E-mail an invoice or credit note to the client, its Factur-X PDF attached, once.

    Through the mail server of the settings (smtp_host, smtp_port, smtp_user, smtp_starttls,
    smtp_sender); the password comes from the environment variable MISSIONFLOW_SMTP_PASSWORD (or
    the one smtp_password_env names) or from smtp_password_file, a file only you can read. A
    document sent before is not sent again (unless --again); each sending is in the history.
    Exit 1 when the server refuses (nothing is recorded as sent).

    Example:

        MISSIONFLOW_SMTP_PASSWORD=... missionflow invoice send 2026-0002
    """
    with store_for(db) as store:
        mailer, sender = mailer_for(store)
        sent = store.send_document(number, mailer, sender=sender, actor=actor or default_actor(), again=again)
    if as_json:
        emit_json(sent_json(sent))
        return
    say_sent(sent)
