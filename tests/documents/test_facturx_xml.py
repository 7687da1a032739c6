"""The Factur-X XML: what the French and European rules want in it, and the validator catching
each kind of mistake by the identifier of the rule it breaks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from missionflow.freelance.documents import DocumentKind, build_cii_xml, check_xml
from missionflow.freelance.documents.facturx import NAMESPACES as NS
from missionflow.freelance.documents.facturx_check import _saxon

Documents = Callable[[object], dict[DocumentKind, object]]


def xml_of(documents: Documents, scenario: object, kind: DocumentKind) -> etree._Element:
    """The parsed XML of one document."""
    return etree.fromstring(build_cii_xml(documents(scenario)[kind]))  # type: ignore[arg-type]


def texts(root: etree._Element, path: str) -> list[str]:
    """The texts of every node at ``path``."""
    return [node.text or "" for node in root.findall(path, NS)]


def notes(root: etree._Element) -> dict[str, list[str]]:
    """The document notes by subject code."""
    found: dict[str, list[str]] = {}
    for note in root.findall("rsm:ExchangedDocument/ram:IncludedNote", NS):
        found.setdefault(note.findtext("ram:SubjectCode", namespaces=NS) or "", []).append(
            note.findtext("ram:Content", namespaces=NS) or ""
        )
    return found


def test_type_codes_and_billing_frames(scenario: object, mission_documents: Documents) -> None:
    """BT-3 is 386, 380, 381, 380; BT-23 is S4 for the final invoice after a deposit and S1 otherwise."""
    expected = {
        DocumentKind.DEPOSIT_INVOICE: ("386", "S1"),
        DocumentKind.INVOICE: ("380", "S4"),
        DocumentKind.CREDIT_NOTE: ("381", "S1"),
        DocumentKind.LATE_PAYMENT_INVOICE: ("380", "S1"),
    }
    for kind, (code, frame) in expected.items():
        root = xml_of(mission_documents, scenario, kind)
        assert texts(root, "rsm:ExchangedDocument/ram:TypeCode") == [code], kind
        assert texts(root, ".//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == [frame], kind


def test_preceding_invoices_and_prepaid_amount(scenario: object, mission_documents: Documents) -> None:
    """The final invoice deducts the deposit as BT-113 and names it in BG-3; a credit note names the invoice it cancels."""
    final = xml_of(mission_documents, scenario, DocumentKind.INVOICE)
    references = ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    assert texts(final, references) == ["F-2026-0040"]
    assert texts(final, ".//ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString") == [
        "20260915"
    ]
    prepaid = "2606.65" if scenario.vat else "2172.21"  # type: ignore[attr-defined]
    assert texts(final, ".//ram:TotalPrepaidAmount") == [prepaid]
    credit = xml_of(mission_documents, scenario, DocumentKind.CREDIT_NOTE)
    assert texts(credit, references) == ["F-2026-0042"]


def test_vat_categories(scenario: object, mission_documents: Documents) -> None:
    """Franchise is category E with VATEX-FR-FRANCHISE and the CGI mention; VAT charged is S with its rates."""
    root = xml_of(mission_documents, scenario, DocumentKind.INVOICE)
    breakdown = ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    if scenario.vat:  # type: ignore[attr-defined]
        assert texts(root, f"{breakdown}/ram:CategoryCode") == ["S", "S", "S"]
        assert texts(root, f"{breakdown}/ram:RateApplicablePercent") == ["20", "10", "5.5"]
        assert texts(root, f"{breakdown}/ram:CalculatedAmount") == ["1083.33", "100.00", "5.50"]
        assert texts(root, ".//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == [
            "FR44732829320"
        ]
    else:
        assert texts(root, f"{breakdown}/ram:CategoryCode") == ["E"]
        assert texts(root, f"{breakdown}/ram:ExemptionReasonCode") == ["VATEX-FR-FRANCHISE"]
        assert "293 B" in texts(root, f"{breakdown}/ram:ExemptionReason")[0]
        # BR-E-02: without a VAT number, the seller's tax registration (BT-32) is given
        assert texts(root, ".//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == [
            "732829320"
        ]


def test_french_identifiers_addresses_and_notes(scenario: object, mission_documents: Documents) -> None:
    """SIRENs with scheme 0002, electronic addresses (0225 for a French company, EM for a private
    client), and the PMT, PMD and AAB notes once each."""
    root = xml_of(mission_documents, scenario, DocumentKind.INVOICE)
    seller = ".//ram:SellerTradeParty"
    buyer = ".//ram:BuyerTradeParty"
    assert texts(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == ["732829320"]
    assert texts(root, f"{seller}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == ["732829320"]
    by_subject = notes(root)
    assert sorted(by_subject) == ["AAB", "BAR", "PMD", "PMT"]
    assert all(len(contents) == 1 for contents in by_subject.values())
    if scenario.business:  # type: ignore[attr-defined]
        assert texts(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == [
            "552100554"
        ]
        assert texts(root, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == [
            "552100554"
        ]
        assert by_subject["BAR"] == ["B2B"]
        assert "40" in by_subject["PMT"][0]
    else:
        assert texts(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID") == []
        assert texts(root, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']") == [
            "jeanne.petit@example.org"
        ]
        assert by_subject["BAR"] == ["B2C"]
        assert "40" not in by_subject["PMT"][0]


def test_outside_vat_scope_has_no_vat_identifier(
    all_scenarios: list[object], mission_documents: Documents
) -> None:
    """A late-payment invoice is category O with VATEX-EU-O and no VAT number (BR-O-02)."""
    root = xml_of(mission_documents, all_scenarios[0], DocumentKind.LATE_PAYMENT_INVOICE)
    assert set(texts(root, ".//ram:CategoryCode")) == {"O"}
    assert texts(
        root, ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode"
    ) == ["VATEX-EU-O"]
    assert texts(root, ".//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == []


def _broken(root: etree._Element, change: Callable[[etree._Element], None]) -> bytes:
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _set(path: str, value: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        node = root.find(path, NS)
        assert node is not None, path
        node.text = value

    return change


def _drop_note(subject: str) -> Callable[[etree._Element], None]:
    def change(root: etree._Element) -> None:
        for note in root.findall("rsm:ExchangedDocument/ram:IncludedNote", NS):
            if note.findtext("ram:SubjectCode", namespaces=NS) == subject:
                root.find("rsm:ExchangedDocument", NS).remove(note)  # type: ignore[union-attr]

    return change


def _add_unknown(root: etree._Element) -> None:
    settlement = root.find(".//ram:ApplicableHeaderTradeSettlement", NS)
    etree.SubElement(settlement, f"{{{NS['ram']}}}Bogus").text = "1"  # type: ignore[arg-type]


BROKEN = {
    "wrong amount due": (_set(".//ram:DuePayableAmount", "4344.42"), "BR-CO-16"),
    "missing PMT note": (_drop_note("PMT"), "BR-FR-05_BT-22_PMT"),
    "missing AAB note": (_drop_note("AAB"), "BR-FR-05_BT-22_AAB"),
    "bad BT-23": (
        _set(".//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", "S0"),
        "BR-FR-08_BT-23",
    ),
    # the Factur-X schematron checks code lists with generated rule ids; this one is the exemption code list
    "bad exemption code": (
        _set(
            ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode",
            "VATEX-FR-NOPE",
        ),
        "FX-SCH-A-000589",
    ),
    "number with a space": (_set("rsm:ExchangedDocument/ram:ID", "F 2026 0042"), "BR-FR-02_BT-1"),
    "element the schema does not know": (_add_unknown, "XSD"),
}


@pytest.mark.parametrize("name", list(BROKEN), ids=list(BROKEN))
def test_a_broken_copy_is_caught_by_its_rule(
    name: str, all_scenarios: list[object], mission_documents: Documents
) -> None:
    """Each deliberate mistake in a valid franchise invoice is reported under the rule that forbids it."""
    franchise_b2b = next(s for s in all_scenarios if s.business and not s.vat)  # type: ignore[attr-defined]
    change, rule = BROKEN[name]
    failures = check_xml(_broken(xml_of(mission_documents, franchise_b2b, DocumentKind.INVOICE), change))
    assert rule in {f.rule for f in failures}, [str(f) for f in failures]


def test_not_xml_is_one_failure() -> None:
    """Bytes that are not XML give one XML failure instead of an exception."""
    assert [f.rule for f in check_xml(b"<not-closed")] == ["XML"]


def test_the_compiled_stylesheets_are_reused_by_every_check(
    all_scenarios: list[object], mission_documents: Documents
) -> None:
    """The Schematron stylesheets compile once per process: later checks reuse the same executables
    (how long a check takes is measured in bench/, never here)."""
    xml = build_cii_xml(mission_documents(all_scenarios[0])[DocumentKind.INVOICE])  # type: ignore[arg-type]
    assert check_xml(xml) == []
    compiled = _saxon()
    misses = _saxon.cache_info().misses
    assert check_xml(xml) == []
    assert _saxon() is compiled
    assert _saxon.cache_info().misses == misses
