"""The e-invoicing commands through click's CliRunner on a real SQLite file: `invoice export` writes
the CII XML, `invoice show --format pdf` embeds it (not with --no-facturx), `invoice check` judges
an XML or a PDF by the official rules (exit 0, 1 with each broken rule, 2 for a file that is no
invoice), `invoice read` gives the facts of a received Factur-X PDF, and an invoice the rules
refuse exits 8 before it takes a number."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from missionflow import open_store, testing
from missionflow.freelance.documents import extract_xml
from missionflow.freelance.documents.facturx import NAMESPACES as NS
from tests.cli_helpers import Cli

AT = datetime(2026, 3, 10, 10, tzinfo=UTC)
NUMBER = "2026-0001"


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """A CLI on a database holding one final invoice (2026-0001, franchise VAT) to a business client."""
    cli = Cli(tmp_path / "missions.db")
    with open_store(cli.db) as store:
        testing.identify(store)
        ref = testing.approved_mission(store, client="Atelier Dupont")
        store.issue_final_invoice(ref, at=AT)
    return cli


@pytest.fixture
def files(run: Cli, tmp_path: Path) -> dict[str, Path]:
    """The invoice exported as XML, as a Factur-X PDF and as a plain PDF, through the commands."""
    made = {
        "xml": tmp_path / f"{NUMBER}.xml",
        "pdf": tmp_path / f"{NUMBER}.pdf",
        "plain": tmp_path / f"{NUMBER}-plain.pdf",
    }
    assert run.ok("invoice", "export", NUMBER, "--format", "cii", "-o", str(made["xml"])).strip() == str(
        made["xml"]
    )
    run.ok("invoice", "show", NUMBER, "--format", "pdf", "-o", str(made["pdf"]))
    run.ok("invoice", "show", NUMBER, "--format", "pdf", "--no-facturx", "-o", str(made["plain"]))
    return made


def test_export_writes_the_xml_the_pdf_carries_and_no_facturx_leaves_it_out(files: dict[str, Path]) -> None:
    """The exported CII XML is a Factur-X EN 16931 invoice, byte for byte the factur-x.xml of the PDF
    `invoice show` writes; the --no-facturx PDF carries no XML; qpdf finds no error in either."""
    xml = files["xml"].read_bytes()
    root = etree.fromstring(xml)
    assert root.findtext(".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", namespaces=NS) == (
        "urn:cen.eu:en16931:2017"
    )
    assert root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) == NUMBER
    assert extract_xml(files["pdf"].read_bytes()) == xml
    assert extract_xml(files["plain"].read_bytes()) is None
    qpdf = shutil.which("qpdf")
    assert qpdf is not None, "qpdf is not installed: apt-get install qpdf"
    for pdf in (files["pdf"], files["plain"]):
        checked = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_export_errors_write_nothing(run: Cli, tmp_path: Path) -> None:
    """An unknown invoice exits 5 and -o into a folder that does not exist exits 2: no file either way."""
    target = tmp_path / "e-invoice.xml"
    assert run("invoice", "export", "2026-0099", "-o", str(target)).exit_code == 5
    missing = run("invoice", "export", NUMBER, "-o", str(tmp_path / "nowhere" / "e-invoice.xml"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["missions.db"]


def test_check_passes_the_xml_and_the_pdf(run: Cli, files: dict[str, Path]) -> None:
    """`invoice check` exits 0 on the exported XML and on the Factur-X PDF, and --json says valid."""
    for name in ("xml", "pdf"):
        said = run.ok("invoice", "check", str(files[name]))
        assert said.strip() == f"{files[name]}: valid Factur-X EN 16931 (XSD, EN 16931 and BR-FR rules pass)"
    assert run.json("invoice", "check", str(files["pdf"])) == {
        "file": str(files["pdf"]),
        "valid": True,
        "failures": [],
    }


def _set(path: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        node = root.find(path, NS)
        assert node is not None, path
        node.text = value

    return change


def _drop_note(subject: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        header = root.find("rsm:ExchangedDocument", NS)
        assert header is not None
        for note in header.findall("ram:IncludedNote", NS):
            if note.findtext("ram:SubjectCode", namespaces=NS) == subject:
                header.remove(note)

    return change


BROKEN = {
    "wrong amount due": (_set(".//ram:DuePayableAmount", "999.99"), "BR-CO-16"),
    "missing PMT note": (_drop_note("PMT"), "BR-FR-05_BT-22_PMT"),
    "bad BT-23": (
        _set(".//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", "S0"),
        "BR-FR-08_BT-23",
    ),
    # the Factur-X Schematron checks its code lists under generated ids: this one is the VATEX list
    "bad exemption code": (
        _set(
            ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode",
            "VATEX-FR-NOPE",
        ),
        "FX-SCH-A-000589",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN), ids=list(BROKEN))
def test_check_catches_a_broken_copy_by_its_rule(
    run: Cli, files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    """A deliberately broken copy of the exported XML exits 1 and prints the rule it breaks as
    "[RULE] message"; --json lists it with its identifier, message and source."""
    change, rule = BROKEN[name]
    root = etree.fromstring(files["xml"].read_bytes())
    change(root)
    broken = tmp_path / "broken.xml"
    broken.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    result = run("invoice", "check", str(broken))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    printed = [line for line in lines if line.startswith(f"[{rule}] ")]
    assert printed, result.stdout
    assert len(printed[0]) > len(rule) + 10  # the rule's message follows its identifier
    assert lines[-1].startswith(f"{broken}: ")
    assert lines[-1].endswith("broken")
    report = json.loads(run("invoice", "check", str(broken), "--json").stdout)
    assert report["valid"] is False
    assert rule in [failure["rule"] for failure in report["failures"]]


def test_check_exits_1_for_a_pdf_without_xml_and_2_for_what_is_no_invoice(
    run: Cli, files: dict[str, Path], tmp_path: Path
) -> None:
    """A PDF without factur-x.xml breaks FACTURX-XML (exit 1); bytes that are neither PDF nor XML, a
    damaged PDF and a missing file exit 2 with a message, never an internal error."""
    plain = run("invoice", "check", str(files["plain"]))
    assert plain.exit_code == 1
    assert "[FACTURX-XML] the PDF has no embedded factur-x.xml" in plain.stdout
    text = tmp_path / "notes.txt"
    text.write_text("not an invoice", encoding="utf-8")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(files["pdf"].read_bytes()[:600])
    for path, says in (
        (text, "neither a PDF nor well-formed XML"),
        (damaged, "not a readable PDF"),
        (tmp_path / "nowhere.pdf", "does not exist"),
    ):
        result = run("invoice", "check", str(path))
        assert result.exit_code == 2, (path, result.output)
        assert says in result.stderr
        assert "internal error" not in result.output


def test_read_shows_seller_totals_and_due_date_of_a_received_invoice(
    run: Cli, files: dict[str, Path]
) -> None:
    """`invoice read` gives who sent a Factur-X PDF, to whom, its totals and due date from its XML,
    and that its rules pass; --json has the same facts; a PDF without XML exits 2."""
    said = run.ok("invoice", "read", str(files["pdf"]))
    assert said.splitlines() == [
        f"invoice {NUMBER} (type 380) of 2026-03-10",
        "from:     Camille Martin (SIREN 732829320)",
        "to:       Atelier Dupont",
        "net:      1,000.00 EUR",
        "VAT:      0.00 EUR",
        "total:    1,000.00 EUR",
        "due:      1,000.00 EUR by 2026-04-09",
        "rules: XSD, EN 16931 and BR-FR pass",
    ]
    facts = run.json("invoice", "read", str(files["pdf"]))
    assert isinstance(facts, dict)
    assert (facts["number"], facts["due_on"], facts["valid"]) == (NUMBER, "2026-04-09", True)
    assert facts["seller"]["siren"] == "732829320"  # type: ignore[index]
    assert facts["due"] == {"amount": "1000.00", "currency": "EUR"}
    refused = run("invoice", "read", str(files["plain"]))
    assert refused.exit_code == 2
    assert "carries no Factur-X XML" in refused.stderr


def test_an_invoice_the_rules_refuse_exits_8_and_takes_no_number(tmp_path: Path) -> None:
    """`invoice final` for a client whose address breaks BR-FR-25 exits 8 naming the rule, writes no
    invoice; once the address is fixed the invoice takes 2026-0001."""
    run = Cli(tmp_path / "missions.db")
    with open_store(run.db) as store:
        testing.identify(store)
        ref = testing.approved_mission(store, business=False)
        store.edit_client("C-1", email="jeanne.petit@" + "b" * 60 + "." + "c" * 60 + ".fr")
    refused = run("invoice", "final", ref, "--at", "2026-03-10T10:00+00:00")
    assert refused.exit_code == 8, refused.output
    assert "would break 1 rule of the e-invoice (EN 16931, BR-FR)" in refused.stderr
    assert "[BR-FR-25_BT-49]" in refused.stderr
    assert run.json("invoice", "list") == []
    run.ok("client", "edit", "C-1", "--email", "jeanne.petit@example.org")
    issued = run.json("invoice", "final", ref, "--at", "2026-03-10T10:00+00:00")
    assert isinstance(issued, dict)
    assert issued["number"] == NUMBER
