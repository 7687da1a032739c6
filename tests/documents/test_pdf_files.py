"""The PDF files themselves: pages that show something, a sound structure, PDF/A-3b and Factur-X
metadata, and the invoice XML carried inside byte for byte."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from missionflow.freelance.documents import (
    DocumentKind,
    build_cii_xml,
    check_pdf,
    extract_xml,
    read_invoice,
)
from missionflow.money import Money

ALL_KINDS = [
    DocumentKind.QUOTE,
    DocumentKind.DEPOSIT_INVOICE,
    DocumentKind.INVOICE,
    DocumentKind.CREDIT_NOTE,
    DocumentKind.LATE_PAYMENT_INVOICE,
    DocumentKind.FIRST_REMINDER,
    DocumentKind.SECOND_REMINDER,
    DocumentKind.FORMAL_NOTICE,
]
INVOICE_KINDS = [kind for kind in ALL_KINDS if kind.is_invoice]
XMP = {
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
}
Pdf = Callable[[object, DocumentKind], bytes]


def run(*command: str, data: bytes) -> subprocess.CompletedProcess[bytes]:
    """Run a program on ``data`` given as standard input."""
    return subprocess.run(command, input=data, capture_output=True, check=False)


def xmp_of(pdf: bytes) -> etree._Element:
    """The document's XMP metadata packet, parsed."""
    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object()
    return etree.fromstring(metadata.get_data())


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.value)
def test_the_first_page_is_not_blank(
    scenario: object, kind: DocumentKind, pdf: Pdf, program: Callable[[str], str]
) -> None:
    """pdftoppm draws the first page with a fair share of ink (text, the table header, the totals box)."""
    png = run(program("pdftoppm"), "-r", "30", "-f", "1", "-l", "1", "-png", "-", data=pdf(scenario, kind))
    assert png.returncode == 0, png.stderr.decode()
    image = Image.open(io.BytesIO(png.stdout)).convert("L")
    width, height = image.size
    assert (width, height) == (249, 351), (
        f"an A4 page (210 x 297 mm) at 30 dpi is 249 x 351 pixels, not {image.size}"
    )
    histogram = image.histogram()
    inked = sum(histogram[:200]) / (width * height)
    assert inked > 0.03, f"only {inked:.1%} of the page is inked: the page looks blank"


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.value)
def test_qpdf_finds_no_error(
    scenario: object, kind: DocumentKind, pdf: Pdf, program: Callable[[str], str], tmp_path: Path
) -> None:
    """qpdf --check reports no syntax or stream error in any document."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf(scenario, kind))
    checked = run(program("qpdf"), "--check", str(path), data=b"")
    output = checked.stdout.decode() + checked.stderr.decode()
    assert checked.returncode == 0, output
    assert "No syntax or stream encoding errors found" in output, output


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.value)
def test_every_pdf_says_pdfa_3b(scenario: object, kind: DocumentKind, pdf: Pdf) -> None:
    """The XMP metadata of every document declares PDF/A-3 conformance B."""
    xmp = xmp_of(pdf(scenario, kind))
    parts = xmp.xpath("//pdfaid:part/text() | //@pdfaid:part", namespaces=XMP)
    conformance = xmp.xpath("//pdfaid:conformance/text() | //@pdfaid:conformance", namespaces=XMP)
    assert parts == ["3"], parts
    assert conformance == ["B"], conformance


@pytest.mark.parametrize("kind", INVOICE_KINDS, ids=lambda k: k.value)
def test_invoices_carry_factur_x_en16931(
    scenario: object,
    kind: DocumentKind,
    pdf: Pdf,
    mission_documents: Callable[[object], dict[DocumentKind, object]],
) -> None:
    """An invoice's XMP names Factur-X level EN 16931 and its factur-x.xml is the generated XML, byte for byte."""
    document = mission_documents(scenario)[kind]
    rendered = pdf(scenario, kind)
    xmp = xmp_of(rendered)
    assert xmp.xpath("//fx:ConformanceLevel/text()", namespaces=XMP) == ["EN 16931"]
    assert xmp.xpath("//fx:DocumentFileName/text()", namespaces=XMP) == ["factur-x.xml"]
    assert extract_xml(rendered) == build_cii_xml(document)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", INVOICE_KINDS, ids=lambda k: k.value)
def test_embedded_xml_passes_every_rule(scenario: object, kind: DocumentKind, pdf: Pdf) -> None:
    """The XML inside each invoice PDF passes the XSD, EN 16931 and BR-FR with no failed rule at all."""
    failures = check_pdf(pdf(scenario, kind))
    assert [str(f) for f in failures] == []


def test_quotes_and_letters_carry_no_invoice_xml(all_scenarios: list[object], pdf: Pdf) -> None:
    """A quote or a reminder is not an invoice: no XML inside, and check_pdf says so by rule."""
    scenario = all_scenarios[0]
    for kind in (DocumentKind.QUOTE, DocumentKind.FORMAL_NOTICE):
        rendered = pdf(scenario, kind)
        assert extract_xml(rendered) is None
        assert [f.rule for f in check_pdf(rendered)] == ["FACTURX-XML"]


def test_read_invoice_gives_back_the_facts(all_scenarios: list[object], pdf: Pdf) -> None:
    """read_invoice finds number, parties, totals and due date of a Factur-X PDF, to the cent."""
    received = read_invoice(pdf(all_scenarios[0], DocumentKind.INVOICE))
    assert received.number == "F-2026-0042"
    assert received.type_code == "380"
    assert str(received.issued_on) == "2026-11-30"
    assert str(received.due_on) == "2026-12-30"
    assert received.seller.name == "Camille Martin"
    assert received.seller.siren == "732829320"
    assert received.seller.vat_number == "FR44732829320"
    assert received.buyer.siren == "552100554"
    eur = lambda text: Money.of(text, "EUR")  # noqa: E731 - a local shorthand
    assert (received.net, received.vat, received.gross) == (eur("6516.62"), eur("1188.83"), eur("7705.45"))
    assert (received.prepaid, received.due) == (eur("2606.65"), eur("5098.80"))
