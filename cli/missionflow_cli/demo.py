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


IDENTITY = (
    ("name", "Camille Martin"),
    ("legal_form", "EI"),
    ("siret", "732 829 320 00074"),
    ("address", "12 rue des Lilas"),
    ("postcode", "75011"),
    ("city", "Paris"),
    ("email", "camille@example.fr"),
    ("iban", "FR76 3000 6000 0112 3456 7890 189"),
    ("bic", "BNPAFRPPXXX"),
)
"""The sample freelancer: what every quote and invoice states about the one who issues it."""


def walk(db: str) -> None:
    """The story: a website for a client, with both refusals the product exists for."""
    today = date.today()
    deadline = (today + timedelta(days=20)).isoformat()
    steps: list[tuple[str, list[str]]] = [
        ("You need at least a month for a website.", ["settings", "set", "minimum_lead_days", "30"]),
        *(
            (
                "Your identity, printed on every quote and invoice." if key == "name" else "",
                ["settings", "set", key, value],
            )
            for key, value in IDENTITY
        ),
        (
            "A new client writes to you.",
            [
                "client",
                "add",
                "Atelier Dupont",
                "--legal-name",
                "Atelier Dupont SAS",
                "--email",
                "contact@dupont.fr",
                "--address",
                "5 avenue de la Gare",
                "--postcode",
                "69002",
                "--city",
                "Lyon",
                "--siren",
                "552 100 554",
                "--contact",
                "Marie Dupont",
            ],
        ),
        (
            "",
            [
                "mission",
                "new",
                "C-1",
                "Refonte du site",
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
            "Write the specification, the keystone, with the price of each deliverable.",
            [
                "spec",
                "set",
                "M-1",
                "--objectives",
                "Un site plus rapide et accessible",
                "--deliverable",
                "maquettes = 2 days x 450",
                "--deliverable",
                "site web = 8 days x 450",
                "--access-code",
                "accès administrateur",
                "--deadline",
                deadline,
                "--budget",
                "4500",
                "--acceptance",
                "Score Lighthouse supérieur à 90 sur chaque page",
            ],
        ),
        (
            'The quote: the deliverables, the rush surcharge, a "bon pour accord" block.',
            ["quote", "new", "M-1"],
        ),
        (
            "The client signs the quote: it is the contract.",
            [
                "contract",
                "sign",
                "M-1",
                "--quote",
                f"DEV-{today.year}-0001",
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
        ("The deposit invoice (facture d'acompte).", ["invoice", "deposit", "M-1"]),
        (
            "The deposit arrives.",
            ["payment", "add", "M-1", "1440", "--method", "transfer", "--ref", "VIR-0042"],
        ),
        ("", ["fire", "M-1", "confirm_deposit", "--by", "camille"]),
        ("", ["fire", "M-1", "start_work", "--by", "camille"]),
        ("", ["deliver", "M-1", "maquettes", "--by", "camille"]),
        ("", ["deliver", "M-1", "site web", "--by", "camille"]),
        ("", ["fire", "M-1", "request_revision", "--by", "client", "--note", "bigger logo"]),
        ("", ["deliver", "M-1", "site web", "--by", "camille", "--note", "logo enlarged"]),
        (
            "The one included round is used; another one is an agreed extra:",
            ["fire", "M-1", "request_revision", "--by", "client", "--note", "other colours"],
        ),
        ("", ["revision", "extra", "M-1", "--amount", "250", "--note", "nouvelles couleurs"]),
        ("", ["fire", "M-1", "request_revision", "--by", "client", "--note", "other colours"]),
        ("", ["deliver", "M-1", "site web", "--by", "camille", "--note", "new colours"]),
        ("Invoicing before approval is impossible:", ["fire", "M-1", "invoice", "--by", "camille"]),
        (
            "Approval waits for every deliverable, access codes included:",
            ["fire", "M-1", "approve", "--by", "client"],
        ),
        ("", ["deliver", "M-1", "accès administrateur", "--by", "camille"]),
        ("", ["fire", "M-1", "approve", "--by", "client"]),
        (
            "The final invoice deducts the deposit invoice by number.",
            ["fire", "M-1", "invoice", "--by", "camille"],
        ),
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


def write_documents(db: str, folder: Path) -> list[Path]:
    """Write the quote, the invoices and the client's status report as PDF into ``folder``,
    with the commands a freelancer would type; nothing is sent anywhere."""
    from missionflow import open_store

    with open_store(db) as store:
        quotes = [q.number for q in store.list_quotes("M-1")]
        invoices = [(i.number, i.kind) for i in store.list_invoices("M-1")]
    echo("\n# The documents the client receives, as PDF (nothing is sent anywhere):")
    written: list[Path] = []
    commands = [(folder / f"quote-{n}.pdf", ["quote", "show", n]) for n in quotes]
    commands += [(folder / f"invoice-{n}-{kind}.pdf", ["invoice", "show", n]) for n, kind in invoices]
    commands.append((folder / "status-M-1.pdf", ["report", "status", "M-1"]))
    for path, args in commands:
        if _run([*args, "--format", "pdf", "-o", str(path)], db) != 0:
            raise click.ClickException(f"the demo could not write {path.name}")
        written.append(path)
    return written


@click.command()
@click.option(
    "--db", default=None, metavar="PATH", help="Keep the demo database here (default: a temporary one)."
)
@click.option(
    "--out",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the PDF documents into this folder (default: a new temporary folder).",
)
def demo(db: str | None, out: Path | None) -> None:
    """Walk a sample mission from lead to paid, showing the refusals on the way.

    The walk uses the real commands, printed as you would type them, in a fresh
    database (a temporary one unless --db is given). It sends nothing anywhere: the
    quote, the invoices and the client's status report are written as PDF into a
    folder (a new one unless --out is given), named at the end.

    Example:

        missionflow demo --db demo.db --out demo-documents
    """
    if db is not None and Path(db).exists():
        raise click.BadParameter(f"{db} already exists: the demo needs a fresh database", param_hint="'--db'")
    folder = out if out is not None else Path(tempfile.mkdtemp(prefix="missionflow-demo-documents-"))
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="missionflow-demo-") as scratch:
        path = db if db is not None else str(Path(scratch) / "demo.db")
        walk(path)
        written = write_documents(path, folder)
    echo(f"\nThe quote, the invoices and the status report are in {folder}:")
    for document in written:
        echo(f"  {document.name}")
