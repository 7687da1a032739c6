"""Reading a received Factur-X invoice (a supplier's) back into plain values.

Only what the freelancer's books need is read: who, how much, when due and under which number.
The amounts come from the XML, never from the PDF's text, so they are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from missionflow.errors import InvalidValueError
from missionflow.freelance.documents.facturx import NAMESPACES
from missionflow.freelance.documents.facturx_check import RuleFailure, check_xml, extract_xml, xml_of_file
from missionflow.money import Money

__all__ = ["ReceivedInvoice", "ReceivedParty", "read_invoice", "read_invoice_xml", "read_received"]

_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_SUMS = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"


@dataclass(frozen=True)
class ReceivedParty:
    """A party of a received invoice, as the XML names it."""

    name: str
    siren: str | None
    vat_number: str | None
    country: str | None


@dataclass(frozen=True)
class ReceivedInvoice:
    """The facts of a received invoice that go into the books."""

    number: str
    type_code: str
    issued_on: date
    due_on: date | None
    seller: ReceivedParty
    buyer: ReceivedParty
    net: Money
    vat: Money
    gross: Money
    prepaid: Money
    due: Money


class _Reader:
    """XPath over one CII document, with the namespaces and the errors in one place."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root

    def text(self, path: str, node: etree._Element | None = None) -> str | None:
        found = (node if node is not None else self.root).find(path, NAMESPACES)
        return found.text.strip() if found is not None and found.text else None

    def required(self, path: str) -> str:
        value = self.text(path)
        if value is None:
            raise InvalidValueError("invoice", f"the XML has no {path.rsplit('/', 1)[-1]}")
        return value

    def day(self, path: str) -> date | None:
        value = self.text(path)
        if value is None:
            return None
        try:
            return datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            raise InvalidValueError("invoice", f"{value!r} is not a date in format 102 (YYYYMMDD)") from None

    def money(self, path: str, currency: str) -> Money:
        value = self.text(path) or "0"
        try:
            return Money(Decimal(value), currency)
        except InvalidOperation:
            raise InvalidValueError("invoice", f"{value!r} is not an amount") from None

    def party(self, path: str) -> ReceivedParty:
        node = self.root.find(path, NAMESPACES)
        if node is None:
            raise InvalidValueError("invoice", f"the XML has no {path.rsplit('/', 1)[-1]}")
        return ReceivedParty(
            name=self.text("ram:Name", node) or "",
            siren=self.text("ram:SpecifiedLegalOrganization/ram:ID", node),
            vat_number=self.text("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", node),
            country=self.text("ram:PostalTradeAddress/ram:CountryID", node),
        )


def read_invoice_xml(xml: bytes) -> ReceivedInvoice:
    """The facts of a CII (Factur-X) invoice XML."""
    try:
        reader = _Reader(etree.fromstring(xml))
    except etree.XMLSyntaxError as exc:
        raise InvalidValueError("invoice", f"the XML is not well-formed: {exc}") from exc
    currency = reader.required(f"{_SETTLEMENT}/ram:InvoiceCurrencyCode")
    issued_on = reader.day("rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
    if issued_on is None:
        raise InvalidValueError("invoice", "the XML has no issue date")
    return ReceivedInvoice(
        number=reader.required("rsm:ExchangedDocument/ram:ID"),
        type_code=reader.required("rsm:ExchangedDocument/ram:TypeCode"),
        issued_on=issued_on,
        due_on=reader.day(
            f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
        ),
        seller=reader.party(f"{_AGREEMENT}/ram:SellerTradeParty"),
        buyer=reader.party(f"{_AGREEMENT}/ram:BuyerTradeParty"),
        net=reader.money(f"{_SUMS}/ram:TaxBasisTotalAmount", currency),
        vat=reader.money(f"{_SUMS}/ram:TaxTotalAmount", currency),
        gross=reader.money(f"{_SUMS}/ram:GrandTotalAmount", currency),
        prepaid=reader.money(f"{_SUMS}/ram:TotalPrepaidAmount", currency),
        due=reader.money(f"{_SUMS}/ram:DuePayableAmount", currency),
    )


def read_invoice(pdf: bytes) -> ReceivedInvoice:
    """The facts of a received Factur-X PDF, read from its embedded XML."""
    xml = extract_xml(pdf)
    if xml is None:
        raise InvalidValueError("invoice", "the PDF carries no Factur-X XML")
    return read_invoice_xml(xml)


def read_received(data: bytes) -> tuple[ReceivedInvoice, list[RuleFailure]]:
    """A received invoice file (a Factur-X PDF, or its CII XML alone): its facts, and every rule
    its XML breaks (XSD, EN 16931, BR-FR; empty when it passes them all).

    InvalidValueError when the file carries no invoice XML (see ``xml_of_file``)."""
    xml = xml_of_file(data)
    return read_invoice_xml(xml), check_xml(xml)
