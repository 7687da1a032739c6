"""``missionflow demo``: a sample mission walked from lead to paid with the real commands."""

from __future__ import annotations

import shlex
import tempfile
from datetime import date, timedelta
from pathlib import Path

import click

from missionflow_cli.app import echo, style


def _run(args: list[str], db: str) -> int:
    """Run one missionflow command as a user would type it, echoing it first."""
    from missionflow_cli.main import cli

    echo(style("$ missionflow " + shlex.join(args), bold=True))
    try:
        cli.main([*args, "--db", db], prog_name="missionflow", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def walk(db: str) -> None:
    """The story: a website for a client, with both refusals the product exists for."""
    today = date.today()
    deadline = (today + timedelta(days=20)).isoformat()
    steps: list[tuple[str, list[str]]] = [
        (
            "Invoices state who issues them: your name, address and SIRET.",
            ["settings", "set", "name", "Camille Martin"],
        ),
        ("", ["settings", "set", "address", "12 rue des Lilas, 75011 Paris"]),
        ("", ["settings", "set", "siret", "73282932000074"]),
        ("You need at least a month for a website.", ["settings", "set", "minimum_lead_days", "30"]),
        ("A new client writes to you.", ["client", "add", "Atelier Dupont", "--email", "contact@dupont.fr"]),
        (
            "",
            [
                "mission",
                "new",
                "C-1",
                "Website redesign",
                "--amount",
                "4500",
                "--deposit",
                "30%",
                "--revisions",
                "1",
                "--deadline",
                deadline,
            ],
        ),
        ("", ["fire", "M-1", "qualify", "--by", "camille"]),
        (
            "Accepting at once is refused, with everything missing:",
            ["fire", "M-1", "accept", "--by", "camille"],
        ),
        ("Check the client against your criteria.", ["mission", "assess", "M-1", "budget_fits", "yes"]),
        ("", ["mission", "assess", "M-1", "respectful", "yes"]),
        ("", ["mission", "assess", "M-1", "clear_need", "yes"]),
        (
            "The date is tight: the client agrees to a rush surcharge.",
            ["mission", "rush", "M-1", "--amount", "300"],
        ),
        ("", ["fire", "M-1", "accept", "--by", "camille"]),
        (
            "Write the specification: the keystone.",
            [
                "spec",
                "set",
                "M-1",
                "--objectives",
                "A faster, accessible website",
                "--deliverable",
                "mockups",
                "--deliverable",
                "website",
                "--access-code",
                "admin access",
                "--deadline",
                deadline,
                "--budget",
                "4500",
                "--acceptance",
                "Lighthouse score over 90 on every page",
            ],
        ),
        (
            "Sign the quote of 4,500; the 300 rush surcharge is agreed on top of it.",
            [
                "contract",
                "sign",
                "M-1",
                "--amount",
                "4500",
                "--terms-version",
                "CGV-2026-1",
                "--by",
                "camille",
            ],
        ),
        ("Everything agreed, line by line:", ["contract", "show", "M-1"]),
        (
            "The client asks to start on Monday, before paying the deposit:",
            ["fire", "M-1", "start_work", "--by", "camille"],
        ),
        (
            "The deposit arrives.",
            ["payment", "add", "M-1", "1440", "--method", "transfer", "--ref", "VIR-0042"],
        ),
        ("", ["fire", "M-1", "confirm_deposit", "--by", "camille"]),
        ("", ["fire", "M-1", "start_work", "--by", "camille"]),
        ("", ["deliver", "M-1", "mockups", "--by", "camille"]),
        ("", ["deliver", "M-1", "website", "--by", "camille"]),
        ("", ["fire", "M-1", "request_revision", "--by", "client", "--note", "bigger logo"]),
        ("", ["deliver", "M-1", "website", "--by", "camille", "--note", "logo enlarged"]),
        (
            "The one included round is used; another one is an agreed extra:",
            ["fire", "M-1", "request_revision", "--by", "client", "--note", "other colours"],
        ),
        ("", ["revision", "extra", "M-1", "--amount", "250", "--note", "colour round"]),
        ("", ["fire", "M-1", "request_revision", "--by", "client", "--note", "other colours"]),
        ("", ["deliver", "M-1", "website", "--by", "camille", "--note", "new colours"]),
        ("Invoicing before approval is impossible:", ["fire", "M-1", "invoice", "--by", "camille"]),
        (
            "Approval waits for every deliverable, access codes included:",
            ["fire", "M-1", "approve", "--by", "client"],
        ),
        ("", ["deliver", "M-1", "admin access", "--by", "camille"]),
        ("", ["fire", "M-1", "approve", "--by", "client"]),
        ("", ["fire", "M-1", "invoice", "--by", "camille"]),
        (
            "The balance arrives, the extra round included.",
            ["payment", "add", "M-1", "3610", "--method", "transfer"],
        ),
        ("", ["fire", "M-1", "settle", "--by", "camille"]),
        ("The receipts book (livre des recettes):", ["books", "receipts"]),
        ("Every step is recorded, who, when, why:", ["mission", "history", "M-1"]),
        ("And the record cannot be rewritten unnoticed:", ["verify"]),
    ]
    for text, args in steps:
        if text:
            echo(f"\n# {text}")
        code = _run(args, db)
        if code not in (0, 3, 4):
            raise click.ClickException(f"the demo stopped: exit code {code}")


@click.command()
@click.option(
    "--db", default=None, metavar="PATH", help="Keep the demo database here (default: a temporary one)."
)
def demo(db: str | None) -> None:
    """Walk a sample mission from lead to paid, showing the refusals on the way.

    The walk uses the real commands, printed as you would type them, in a fresh
    database (a temporary one unless --db is given).

    Example:

        missionflow demo --db demo.db
    """
    if db is not None:
        if Path(db).exists():
            raise click.BadParameter(
                f"{db} already exists: the demo needs a fresh database", param_hint="'--db'"
            )
        walk(db)
        return
    with tempfile.TemporaryDirectory(prefix="missionflow-demo-") as folder:
        walk(str(Path(folder) / "demo.db"))
