"""E-mailing documents to clients: the mail server of the settings, its password (read when mail is
sent, from an environment variable or a file only its owner can read, never stored), and the
message a client receives (the document's text as the body, its PDF attached).

A store sends through any :class:`Mailer`; :class:`SmtpMailer` is the real one (smtplib, STARTTLS
with the server's certificate checked, a login when a user is set). Every failure is a
:class:`~missionflow.errors.MailError` that names the server and never the password.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from missionflow.errors import ConflictError, InvalidValueError, MailError
from missionflow.freelance.settings import Settings

if TYPE_CHECKING:
    from missionflow.freelance.documents.model import Document

__all__ = ["Mailer", "SmtpConfig", "SmtpMailer", "compose", "document_message", "read_password_file"]

TIMEOUT_SECONDS = 30


class Mailer(Protocol):
    """Something that sends an e-mail, or raises MailError and sends nothing."""

    def send(self, message: EmailMessage) -> None: ...


def read_password_file(path: str) -> str:
    """The password in ``path`` (its first line); refused (InvalidValueError) when another user
    could read the file, or when it belongs to someone else: a password is nobody else's to read."""
    try:
        info = os.stat(path)
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidValueError(
                "smtp_password_file",
                f"{path} can be read by others (mode {stat.filemode(info.st_mode)}): run chmod 600 {path}",
            )
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise InvalidValueError("smtp_password_file", f"{path} belongs to another user")
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidValueError("smtp_password_file", f"cannot read {path}: {error.strerror}") from None
    return text.splitlines()[0] if text else ""


@dataclass(frozen=True)
class SmtpConfig:
    """The mail server documents go through, from the settings (``smtp_*``)."""

    host: str
    port: int
    user: str
    sender: str
    starttls: bool = True
    password_env: str = "MISSIONFLOW_SMTP_PASSWORD"
    password_file: str = ""
    ca_file: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        """The settings' mail server; ConflictError when none is set, or no sender address."""
        if not settings.smtp_host.strip():
            raise ConflictError(
                "smtp", "no mail server is set: missionflow settings set smtp_host mail.example.fr"
            )
        sender = settings.smtp_sender or settings.email
        if not sender:
            raise ConflictError(
                "smtp", "no sender address: missionflow settings set smtp_sender you@example.fr"
            )
        return cls(
            host=settings.smtp_host.strip(),
            port=settings.smtp_port,
            user=settings.smtp_user.strip(),
            sender=sender,
            starttls=settings.smtp_starttls,
            password_env=settings.smtp_password_env,
            password_file=settings.smtp_password_file,
            ca_file=settings.smtp_ca_file,
        )

    def password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The login's password: the environment variable when it is set, else the password file;
        None without a user (no login). ConflictError when a user is set and neither gives one."""
        if not self.user:
            return None
        env = os.environ if environ is None else environ
        if self.password_env and env.get(self.password_env):
            return env[self.password_env]
        if self.password_file:
            return read_password_file(self.password_file)
        raise ConflictError(
            "smtp",
            f"no password for {self.user}: set the environment variable {self.password_env or 'named by smtp_password_env'} "
            "or give a file only you can read (missionflow settings set smtp_password_file FILE)",
        )


class SmtpMailer:
    """Sends each message over its own SMTP connection: STARTTLS (the server's certificate checked
    against the system's authorities, or ``ca_file``'s), then the login, then the message."""

    def __init__(self, config: SmtpConfig, password: str | None) -> None:
        self.config = config
        self._password = password

    def send(self, message: EmailMessage) -> None:
        """Send ``message``, or raise MailError (nothing sent) naming what the server said."""
        config = self.config
        where = f"{config.host}:{config.port}"
        try:
            with smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS) as smtp:
                smtp.ehlo()
                if config.starttls:
                    context = ssl.create_default_context(cafile=config.ca_file or None)
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if config.user:
                    smtp.login(config.user, self._password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise MailError(
                f"the mail server {where} refused the login of {config.user!r}: {_said(error)}"
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise MailError(f"the mail server {where} does not offer it: {error}") from None
        except smtplib.SMTPResponseException as error:
            raise MailError(f"the mail server {where} refused the message: {_said(error)}") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            raise MailError(f"could not send through {where}: {error}") from None
        if refused:
            raise MailError(f"the mail server {where} refused the recipients {', '.join(refused)}")


def _said(error: smtplib.SMTPResponseException) -> str:
    text = (
        error.smtp_error.decode("utf-8", "replace")
        if isinstance(error.smtp_error, bytes)
        else error.smtp_error
    )
    return f"{error.smtp_code} {text}"


def compose(
    *,
    sender: str,
    recipient: str,
    subject: str,
    body: str,
    attachment: bytes,
    filename: str,
    when: datetime,
) -> EmailMessage:
    """The e-mail a client receives: ``body`` as plain text, the PDF ``attachment`` as ``filename``,
    a Message-ID of the sender's domain (kept in the history to find the message again)."""
    if "@" not in recipient or any(c in recipient for c in "\r\n,;"):
        raise InvalidValueError("email", f"{recipient!r} is not one e-mail address")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename=filename)
    return message


def document_message(
    document: Document, pdf: bytes, *, sender: str, recipient: str, when: datetime
) -> EmailMessage:
    """The e-mail of a document (an invoice, a credit note, a reminder letter) in the client's
    language: "Facture 2026-0002 – Camille Martin" as the subject, the document as text in the
    body, its PDF attached as "2026-0002.pdf"."""
    from missionflow.freelance.documents.messages import message
    from missionflow.freelance.documents.text import render_text

    title = message(document.language, f"title.{document.kind.value}")
    return compose(
        sender=sender,
        recipient=recipient,
        subject=f"{title} {document.number} – {document.seller.name}",
        body=render_text(document),
        attachment=pdf,
        filename=f"{document.number}.pdf",
        when=when,
    )
