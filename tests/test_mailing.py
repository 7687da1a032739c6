"""Documents that leave the machine, against a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS
with a certificate made for the test, AUTH required): `invoice send` and `tick --send` e-mail the
PDF once and record it in the history; the password comes from an environment variable or a file
only its owner can read; a refused login, an unchecked certificate or a missing setting is a clear
error and nothing is recorded as sent."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from missionflow import open_store, testing
from missionflow.freelance.documents import check_pdf
from tests.cli_helpers import Cli
from tests.smtp_server import PASSWORD, USER, MailServer, mail_server

ISSUED = datetime(2026, 3, 10, 10, tzinfo=UTC)
NOTICE = "2026-05-12T14:00+02:00"  # 33 days after the due date: all three letters fall due
NUMBER = "2026-0001"
CLIENT_EMAIL = "contact@atelier-dupont.example.fr"
ENV = "MISSIONFLOW_SMTP_PASSWORD"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    """The test's mail server, running."""
    with mail_server(tmp_path) as running:
        yield running


@pytest.fixture
def run(tmp_path: Path, server: MailServer, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A database with the final invoice 2026-0001 of mission M-1 (unpaid, due 9 April 2026) and the
    mail settings of ``server`` set through `settings set`; the password in the environment."""
    cli = Cli(tmp_path / "missions.db")
    with open_store(cli.db) as store:
        testing.identify(store)
        ref = testing.approved_mission(store, client="Atelier Dupont")
        store.issue_final_invoice(ref, at=ISSUED)
    for key, value in (
        ("smtp_host", server.host),
        ("smtp_port", str(server.port)),
        ("smtp_user", USER),
        ("smtp_starttls", "yes"),
        ("smtp_ca_file", str(server.ca_file)),
    ):
        cli.ok("settings", "set", key, value)
    monkeypatch.setenv(ENV, PASSWORD)
    return cli


def sendings(run: Cli) -> list[dict[str, object]]:
    """The data of the `document_sent` entries of mission M-1's history."""
    history = run.json("mission", "history", "M-1")
    assert isinstance(history, list)
    return [entry["data"] for entry in history if entry["trigger"] == "document_sent"]


def test_invoice_send_emails_the_factur_x_pdf_once(run: Cli, server: MailServer) -> None:
    """The client receives one message over TLS from the logged-in user: the subject names the
    invoice, the body is its text, the PDF attached carries a Factur-X XML that passes every
    rule; sending again sends nothing and says when it was sent; --again sends a second one."""
    assert run.ok("invoice", "send", NUMBER).strip() == f"{NUMBER}: sent to {CLIENT_EMAIL}"
    [got] = server.received
    assert (got.recipients, got.encrypted, got.login) == ([CLIENT_EMAIL], True, USER)
    message = got.message
    assert (message["From"], message["To"]) == ("camille@example.fr", CLIENT_EMAIL)
    assert message["Subject"] == f"Facture {NUMBER} – Camille Martin"
    body = message.get_body(("plain",))
    assert body is not None
    assert "FACTURE" in body.get_content()
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_content_type(), attachment.get_filename()) == ("application/pdf", f"{NUMBER}.pdf")
    assert check_pdf(attachment.get_content()) == []
    again = run.ok("invoice", "send", NUMBER)
    assert again.startswith(f"{NUMBER}: already sent to {CLIENT_EMAIL} on ")
    assert len(server.received) == 1
    [recorded] = sendings(run)
    assert (recorded["document"], recorded["to"], recorded["message_id"]) == (
        NUMBER,
        CLIENT_EMAIL,
        message["Message-ID"],
    )
    resent = run.json("invoice", "send", NUMBER, "--again")
    assert isinstance(resent, dict)
    assert (resent["sent_now"], resent["to"]) == (True, CLIENT_EMAIL)
    assert len(server.received) == 2
    assert len(sendings(run)) == 2
    run.ok("verify")


def test_tick_send_emails_each_letter_once(run: Cli, server: MailServer) -> None:
    """`tick --send` writes the first reminder, the second reminder and the formal notice and e-mails
    each with its PDF; the next `tick --send` sends nothing; `letter list` says when each went."""
    said = run.ok("tick", "--now", NOTICE, "--send")
    for number in ("REL-2026-0001", "REL-2026-0002", "REL-2026-0003"):
        assert f"{number}: sent to {CLIENT_EMAIL}" in said
    assert [got.message["Subject"] for got in server.received] == [
        "Relance de paiement REL-2026-0001 – Camille Martin",
        "Seconde relance de paiement REL-2026-0002 – Camille Martin",
        "Mise en demeure de payer REL-2026-0003 – Camille Martin",
    ]
    notice = next(server.received[2].message.iter_attachments())
    assert notice.get_filename() == "REL-2026-0003.pdf"
    assert notice.get_content().startswith(b"%PDF-")
    quiet = run.json("tick", "--now", NOTICE, "--send")
    assert quiet == {"timers": [], "letters": [], "sent": [], "not_sent": []}
    assert len(server.received) == 3
    listed = run.json("letter", "list")
    assert isinstance(listed, list)
    assert [letter["sent_to"] for letter in listed] == [CLIENT_EMAIL] * 3
    assert run.json("letter", "list", "--unsent") == []
    assert [data["document"] for data in sendings(run)] == ["REL-2026-0001", "REL-2026-0002", "REL-2026-0003"]


def test_a_refused_login_is_exit_1_and_nothing_is_recorded(
    run: Cli, server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong password: exit 1 naming the server and the user (never the password), no message,
    no history entry; `tick --send` likewise leaves its letters unsent; the right password sends."""
    monkeypatch.setenv(ENV, "wrong-password")
    refused = run("invoice", "send", NUMBER)
    assert refused.exit_code == 1, refused.output
    assert f"the mail server 127.0.0.1:{server.port} refused the login of 'camille': 535" in refused.stderr
    assert "wrong-password" not in refused.output
    assert set(server.refused_logins) == {USER}  # smtplib tries PLAIN, then LOGIN
    ticked = run("tick", "--now", NOTICE, "--send")
    assert ticked.exit_code == 1
    assert "refused the login" in ticked.stderr
    assert (server.received, sendings(run)) == ([], [])
    assert len(run.json("letter", "list", "--unsent")) == 3  # type: ignore[arg-type]
    monkeypatch.setenv(ENV, PASSWORD)
    assert run.ok("invoice", "send", NUMBER).strip() == f"{NUMBER}: sent to {CLIENT_EMAIL}"


def test_the_password_file_must_be_readable_by_its_owner_only(
    run: Cli, server: MailServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without the variable, no password is exit 8 saying how to give one; a file of mode 0600
    gives it; a file the group or others can read is refused (exit 2, chmod 600 suggested) and
    nothing is sent."""
    monkeypatch.delenv(ENV)
    missing = run("invoice", "send", NUMBER)
    assert missing.exit_code == 8
    assert f"no password for {USER}: set the environment variable {ENV}" in missing.stderr
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    run.ok("settings", "set", "smtp_password_file", str(secret))
    for mode in (0o640, 0o604):
        os.chmod(secret, mode)
        refused = run("invoice", "send", NUMBER)
        assert refused.exit_code == 2, refused.output
        assert f"{secret} can be read by others" in refused.stderr
        assert f"chmod 600 {secret}" in refused.stderr
    assert server.received == []
    os.chmod(secret, 0o600)
    assert run.ok("invoice", "send", NUMBER).strip() == f"{NUMBER}: sent to {CLIENT_EMAIL}"
    assert len(server.received) == 1


def test_starttls_checks_the_servers_certificate(run: Cli, server: MailServer) -> None:
    """Without the authority of the server's certificate the connection is refused (exit 1,
    certificate verify failed); without STARTTLS the server refuses to go on; nothing is sent."""
    run.ok("settings", "set", "smtp_ca_file", "")
    unchecked = run("invoice", "send", NUMBER)
    assert unchecked.exit_code == 1, unchecked.output
    assert "CERTIFICATE_VERIFY_FAILED" in unchecked.stderr
    run.ok("settings", "set", "smtp_ca_file", str(server.ca_file))
    run.ok("settings", "set", "smtp_starttls", "no")
    plain = run("invoice", "send", NUMBER)
    assert plain.exit_code == 1, plain.output
    assert f"127.0.0.1:{server.port}" in plain.stderr
    assert (server.received, sendings(run)) == ([], [])


def test_sending_needs_a_mail_server_and_the_clients_address(run: Cli, server: MailServer) -> None:
    """No smtp_host, or a client without e-mail address: exit 8 saying which setting to give; an
    unknown invoice or letter: exit 5 naming which; nothing is sent."""
    run.ok("client", "edit", "C-1", "--email", "")
    no_address = run("invoice", "send", NUMBER)
    assert no_address.exit_code == 8
    assert "has no e-mail address: missionflow client edit C-1 --email ADDRESS" in no_address.stderr
    unknown_invoice = run("invoice", "send", "2026-0099")
    assert unknown_invoice.exit_code == 5
    assert "no invoice '2026-0099'" in unknown_invoice.stderr
    unknown_letter = run("letter", "send", "REL-2026-0099")
    assert unknown_letter.exit_code == 5
    assert "no letter 'REL-2026-0099'" in unknown_letter.stderr
    run.ok("settings", "set", "smtp_host", "")
    no_server = run("invoice", "send", NUMBER)
    assert no_server.exit_code == 8
    assert "no mail server is set: missionflow settings set smtp_host" in no_server.stderr
    assert server.received == []


def test_a_server_that_does_not_answer_is_exit_1(run: Cli, server: MailServer) -> None:
    """A port nobody listens on: exit 1 naming the server, nothing recorded."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    run.ok("settings", "set", "smtp_port", str(closed))
    refused = run("invoice", "send", NUMBER)
    assert refused.exit_code == 1, refused.output
    assert f"could not send through 127.0.0.1:{closed}" in refused.stderr
    assert sendings(run) == []
