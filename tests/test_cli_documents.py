"""The commands of the documents a client receives, through click's CliRunner on a real SQLite file:
the client book (add, edit, show), the settings documents need, priced deliverables, quotes, the
signature of a quote, invoices issued before documents were kept whole, and the status report as
PDF, with their exit codes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from missionflow import open_store, testing
from tests.cli_helpers import Cli

IDENTITY = (
    ("name", "Camille Martin"),
    ("legal_form", "EI"),
    ("siret", "732 829 320 00074"),
    ("address", "12 rue des Lilas; Bâtiment A"),
    ("postcode", "75011"),
    ("city", "Paris"),
    ("iban", "FR76 3000 6000 0112 3456 7890 189"),
    ("bic", "bnpafrppxxx"),
)


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """A CLI bound to a fresh database file."""
    return Cli(tmp_path / "missions.db")


def specified(run: Cli) -> str:
    """The freelancer's identity, a French business client, a mission accepted and specified with
    two priced deliverables and an access code; returns the mission."""
    for key, value in IDENTITY:
        run.ok("settings", "set", key, value)
    run.ok(
        "client",
        "add",
        "Dupont",
        "--legal-name",
        "Atelier Dupont SAS",
        "--address",
        "5 avenue de la Gare",
        "--postcode",
        "69002",
        "--city",
        "Lyon",
        "--siren",
        "552 100 554",
    )
    deadline = (date.today() + timedelta(days=60)).isoformat()
    ref = run.ok("mission", "new", "C-1", "Site", "--deposit", "30%", "--deadline", deadline).strip()
    run.ok("fire", ref, "qualify")
    for criterion in ("budget_fits", "respectful", "clear_need"):
        run.ok("mission", "assess", ref, criterion, "yes")
    run.ok("fire", ref, "accept")
    run.ok(
        "spec",
        "set",
        ref,
        "--objectives",
        "Un site",
        "--deliverable",
        "Maquettes = 2 jours x 450",
        "--deliverable",
        "Site = 8 days x 450",
        "--access-code",
        "accès admin",
        "--deadline",
        deadline,
        "--budget",
        "4500",
        "--acceptance",
        "validation écrite",
    )
    return ref


def test_client_add_edit_and_show_the_details_documents_print(run: Cli) -> None:
    """`client add` and `client edit` take the legal name, address, identifiers, contact and
    language; `client show` prints them, with --json every field; bad values exit 2."""
    run.ok("client", "add", "Dupont", "--email", "contact@dupont.fr", "--b2c")
    out = run.ok(
        "client",
        "edit",
        "C-1",
        "--b2b",
        "--legal-name",
        "Atelier Dupont SAS",
        "--address",
        "5 avenue de la Gare",
        "--address",
        "Bâtiment B",
        "--postcode",
        "69002",
        "--city",
        "Lyon",
        "--siret",
        "552 100 554 00013",
        "--vat-number",
        "FR 40 303 265 045",
        "--contact",
        "Marie Dupont",
        "--phone",
        "04 78 00 00 00",
        "--lang",
        "en",
    )
    assert out.strip().startswith("C-1 Dupont updated: address, business, city, contact")
    shown = run.ok("client", "show", "C-1")
    for line in (
        "legal name  Atelier Dupont SAS",
        "address     5 avenue de la Gare; Bâtiment B",
        "69002 Lyon",
        "siret       55210055400013",
        "vat number  FR40303265045",
        "contact     Marie Dupont",
        "type        business (b2b)",
        "language    English",
    ):
        assert line in shown, line
    data = run.json("client", "show", "C-1")
    assert isinstance(data, dict)
    assert (data["id"], data["legal_name"], data["address"], data["country"], data["missions"]) == (
        "C-1",
        "Atelier Dupont SAS",
        ["5 avenue de la Gare", "Bâtiment B"],
        "FR",
        [],
    )
    for bad in (("--siren", "123456789"), ("--lang", "de"), ("--country", "France"), ()):
        result = run("client", "edit", "C-1", *bad)
        assert result.exit_code == 2, bad
    assert run("client", "edit", "C-9", "--city", "Lyon").exit_code == 5
    assert run.json("client", "show", "C-1") == data


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("siret", "123 456 789 00012", "invalid siret"),
        ("iban", "FR76 3000 6000 0112 3456 7890 188", "invalid iban"),
        ("bic", "BNP", "invalid bic"),
        ("vat_number", "FR00303265045", "invalid vat_number"),
        ("vat_regime", "sometimes", "franchise"),
        ("vat_rate", "120", "over 100 %"),
        ("country", "France", "ISO 3166"),
        ("logo", "/nowhere/logo.png", "cannot read"),
        ("quote_validity_days", "0", "at least one day"),
    ],
)
def test_settings_documents_need_are_checked(run: Cli, key: str, value: str, says: str) -> None:
    """Identifiers are checked with their keys, the VAT regime and rate, the country and the logo file."""
    result = run("settings", "set", key, value)
    assert result.exit_code == 2
    assert says in result.stderr


def test_settings_keep_identifiers_compact_and_the_logo_path(run: Cli, tmp_path: Path) -> None:
    """The IBAN, BIC and SIRET are kept compact; the logo is kept as an absolute path; the address's
    lines read back with their separator."""
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    for key, value in IDENTITY:
        run.ok("settings", "set", key, value)
    run.ok("settings", "set", "logo", str(logo))
    shown = run.json("settings", "show")
    assert isinstance(shown, dict)
    assert (shown["iban"], shown["bic"], shown["siret"], shown["logo"]) == (
        "FR7630006000011234567890189",
        "BNPAFRPPXXX",
        "73282932000074",
        str(logo.resolve()),
    )
    assert shown["address"] == "12 rue des Lilas; Bâtiment A"
    assert run("settings", "set", "logo", str(tmp_path / "missions.db")).exit_code == 2


def test_a_quote_from_the_command_line_to_the_signed_contract(run: Cli, tmp_path: Path) -> None:
    """`spec show` prints the prices, `quote new` issues DEV-YYYY-0001, `quote show` writes it in four
    formats, `contract sign --quote` accepts it; a second signature, an unknown quote and a
    signature without quote or amount are refused."""
    ref = specified(run)
    assert "2 days x 450.00 EUR" in run.ok("spec", "show", ref)
    issued = run.json("quote", "new", ref, "--on", date.today().isoformat())
    assert isinstance(issued, dict)
    number = f"DEV-{date.today().year}-0001"
    assert (issued["number"], issued["status"], issued["total"]) == (
        number,
        "open",
        {"amount": "4500.00", "currency": "EUR"},
    )
    text_quote = run.ok("quote", "show", number)
    for expected in (
        "DEVIS",
        "Maquettes | 2 | jour | 450,00\u00a0€",
        "Bon pour accord",
        "Atelier Dupont SAS",
    ):
        assert expected in text_quote, expected
    assert run.ok("quote", "show", number, "--format", "md", "--lang", "en").startswith("# Quote")
    assert "<html" in run.ok("quote", "show", number, "--format", "html")
    target = tmp_path / "devis.pdf"
    run.ok("quote", "show", number, "--format", "pdf", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF-")
    assert run("contract", "sign", ref, "--terms-version", "CGV-1").exit_code == 2
    assert (
        run("contract", "sign", ref, "--quote", number, "--amount", "1", "--terms-version", "CGV-1").exit_code
        == 2
    )
    assert run("contract", "sign", ref, "--quote", "DEV-1999-0001", "--terms-version", "CGV-1").exit_code == 5
    signed = run.ok("contract", "sign", ref, "--quote", number, "--terms-version", "CGV-1")
    assert (
        signed.strip() == f"{ref}: quote {number} accepted for 4,500.00 EUR; specification -> contract_signed"
    )
    listed = run.ok("quote", "list", "--mission", ref)
    assert "accepted" in listed.splitlines()[1]
    assert run("quote", "new", ref).exit_code == 8
    assert run("quote", "show", "DEV-1999-0001").exit_code == 5


def test_an_expired_or_superseded_quote_exits_8(run: Cli) -> None:
    """A quote past its validity or replaced by another is refused at signature with exit 8."""
    ref = specified(run)
    old_day = (date.today() - timedelta(days=40)).isoformat()
    first = run.json("quote", "new", ref, "--on", old_day, "--valid-days", "30")
    assert isinstance(first, dict)
    expired = run("contract", "sign", ref, "--quote", str(first["number"]), "--terms-version", "CGV-1")
    assert expired.exit_code == 8
    assert "expired on" in expired.stderr
    second = run.json("quote", "new", ref)
    assert isinstance(second, dict)
    run.ok("spec", "set", ref, "--deliverable", "Site = 9 days x 450")
    superseded = run("contract", "sign", ref, "--quote", str(second["number"]), "--terms-version", "CGV-1")
    assert superseded.exit_code == 8
    assert "superseded" in superseded.stderr
    statuses = [line.split()[-1] for line in run.ok("quote", "list").splitlines()[1:]]
    assert statuses == ["superseded", "superseded"]


def test_a_quote_with_a_missing_mention_lists_what_to_fill_in(run: Cli) -> None:
    """Without the client's SIREN and the freelancer's legal form, `quote new` exits 8 and says which
    commands fill them in; nothing is numbered."""
    ref = specified(run)
    run.ok("settings", "set", "legal_form", "")
    with open_store(str(run.db)) as store:
        store.edit_client("C-1", siren="")
    refused = run("quote", "new", ref)
    assert refused.exit_code == 8
    assert "your legal form (missionflow settings set legal_form EI)" in refused.stderr
    assert "the client's SIREN (missionflow client edit C-1 --siren)" in refused.stderr
    assert run.json("quote", "list") == []


def test_an_invoice_issued_before_documents_were_kept_whole(run: Cli, tmp_path: Path) -> None:
    """An invoice whose copy lacks the document (issued before migration 0006) shows in its old layout
    as text, md or html, exits 8 as a PDF, and can still be cancelled by a credit note."""
    with open_store(str(run.db)) as store:
        testing.identify(store)
        ref = testing.approved_mission(store)
        _, final = store.issue_final_invoice(ref)
    engine = create_engine(f"sqlite:///{run.db}")
    with engine.begin() as connection:
        terms = connection.execute(text("SELECT terms FROM mf_invoices")).scalar_one()
        old = terms.replace(terms[terms.index(', "document"') :], "}")
        connection.execute(
            text("UPDATE mf_invoices SET terms = :terms, lines = :lines"),
            {
                "terms": old,
                "lines": '[{"description": "Contract amount (CGV-2026-1)",'
                ' "amount": {"amount": "1000.00", "currency": "EUR"}}]',
            },
        )
    engine.dispose()
    shown = run.ok("invoice", "show", final.number)
    assert "Contract amount (CGV-2026-1)" in shown
    assert "Invoice (facture)" in run.ok("invoice", "show", final.number, "--format", "html")
    refused = run("invoice", "show", final.number, "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert refused.exit_code == 8
    assert "was issued before" in refused.stderr
    run.ok("invoice", "cancel", final.number, "--reason", "old layout", "--on", date.today().isoformat())
    credit = run.ok("invoice", "show", f"{date.today().year}-0002")
    assert "AVOIR" in credit
    assert "Contract amount (CGV-2026-1) | 1 | forfait | 1\u202f000,00\u00a0€" in credit


def test_the_status_report_as_pdf_in_the_clients_language(run: Cli, tmp_path: Path) -> None:
    """`report status --format pdf -o FILE` writes an A4 PDF; Markdown defaults to the client's
    language and --lang changes it; --show-reason shows why a mission was declined."""
    ref = specified(run)
    target = tmp_path / "status.pdf"
    assert run.ok("report", "status", ref, "--format", "pdf", "-o", str(target)).strip() == str(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert run.ok("report", "status", ref).startswith("# Point d'avancement")
    assert run.ok("report", "status", ref, "--lang", "en").startswith("# Status report")
    run.ok("fire", ref, "decline", "--note", "budget trop serré")
    assert "budget trop serré" not in run.ok("report", "status", ref)
    assert "Motif : budget trop serré" in run.ok("report", "status", ref, "--show-reason")
