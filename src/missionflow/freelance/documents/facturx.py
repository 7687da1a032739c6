"""The Cross Industry Invoice XML (Factur-X, EN 16931 profile) of an invoice or credit note.

What the French rules (BR-FR, checked by :mod:`.facturx_check`) add to EN 16931, and how:

- BT-23 "cadre de facturation": S1 (services), S4 for a final invoice that deducts deposits;
- BT-30 seller SIREN with scheme 0002; BT-47 buyer SIREN for a French business client;
- a BAR note (B2B, B2BINT, B2C) saying how the invoice is treated; with B2B, BT-49 (buyer's
  electronic address) must be the buyer's SIREN with scheme 0225 (BR-FR-21); a private or
  foreign client is addressed by e-mail (scheme EM); BT-34 (seller) is the seller's SIREN, 0225;
- notes PMT (recovery indemnity, "not applicable" for a private client), PMD (late penalties)
  and AAB (discount) are each required once (BR-FR-05/06); an invoice that asks for nothing says
  in both that none applies;
- franchise VAT is category E with reason code VATEX-FR-FRANCHISE and the mention; EN 16931's
  BR-E-02 then needs BT-31 (VAT number) or BT-32 (tax registration): without a VAT number
  the seller's SIREN is given as BT-32 (scheme FC);
- late-payment interest and indemnity are outside the scope of VAT: category O, code
  VATEX-EU-O, and then no VAT identifier at all (BR-O-02).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from facturx import generate_from_binary
from lxml import etree

from missionflow.errors import InvalidValueError
from missionflow.freelance.documents.formatting import format_amount, format_date, format_rate
from missionflow.freelance.documents.lines import Period, VatCategory
from missionflow.freelance.documents.messages import message
from missionflow.freelance.documents.model import Document, DocumentKind
from missionflow.freelance.documents.parties import Language, Party
from missionflow.money import Money

__all__ = ["NAMESPACES", "build_cii_xml", "embed_facturx", "treatment", "type_code"]

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"
_TYPE_CODES = {
    DocumentKind.DEPOSIT_INVOICE: "386",
    DocumentKind.INVOICE: "380",
    DocumentKind.CREDIT_NOTE: "381",
    DocumentKind.LATE_PAYMENT_INVOICE: "380",
}
_EXEMPTIONS = {
    VatCategory.EXEMPT: ("VATEX-FR-FRANCHISE", "vat.franchise"),
    VatCategory.NOT_SUBJECT: ("VATEX-EU-O", "vat.not_subject"),
}
_SEPA_CREDIT_TRANSFER = "58"

Element = etree._Element


def type_code(kind: DocumentKind) -> str:
    """The UNTDID 1001 code of an invoice kind (380, 381, 386)."""
    try:
        return _TYPE_CODES[kind]
    except KeyError:
        raise InvalidValueError("kind", f"a {kind.value} is not an invoice and has no Factur-X XML") from None


def _add(parent: Element, path: str, text: str | None = None, **attributes: str) -> Element:
    """Append ``prefix:Name`` (or a chain ``a:B/c:D``) to ``parent`` and return the last one."""
    node = parent
    for step in path.split("/"):
        prefix, name = step.split(":")
        node = etree.SubElement(node, f"{{{NAMESPACES[prefix]}}}{name}")
    if text is not None:
        node.text = text
    for key, value in attributes.items():
        node.set(key, value)
    return node


def _date(parent: Element, path: str, day: date, qualified: bool = False) -> None:
    prefix = "qdt" if qualified else "udt"
    _add(parent, f"{path}/{prefix}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _amount(money: Money) -> str:
    return f"{money.amount:.2f}"


def _number(value: Decimal) -> str:
    return format(value, "f")


def build_cii_xml(document: Document, language: Language | None = None) -> bytes:
    """The Factur-X XML of an invoice or credit note, as UTF-8 bytes with an XML declaration."""
    lang = Language(language) if language is not None else document.language
    code = type_code(document.kind)
    root = etree.Element(f"{{{NAMESPACES['rsm']}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _add(root, "rsm:ExchangedDocumentContext")
    process = "S4" if document.deposits else "S1"
    _add(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", process)
    _add(context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", EN16931_GUIDELINE)
    header = _add(root, "rsm:ExchangedDocument")
    _add(header, "ram:ID", document.number)
    _add(header, "ram:TypeCode", code)
    _date(header, "ram:IssueDateTime", document.issued_on)
    for subject, content in _notes(document, lang):
        note = _add(header, "ram:IncludedNote")
        _add(note, "ram:Content", content)
        _add(note, "ram:SubjectCode", subject)
    transaction = _add(root, "rsm:SupplyChainTradeTransaction")
    _lines(transaction, document)
    agreement = _add(transaction, "ram:ApplicableHeaderTradeAgreement")
    with_vat_ids = document.vat.category is not VatCategory.NOT_SUBJECT
    _party(_add(agreement, "ram:SellerTradeParty"), document.seller, seller=True, with_vat_ids=with_vat_ids)
    _party(_add(agreement, "ram:BuyerTradeParty"), document.buyer, seller=False, with_vat_ids=with_vat_ids)
    delivery = _add(transaction, "ram:ApplicableHeaderTradeDelivery")
    _date(delivery, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime", _delivered_on(document))
    _settlement(_add(transaction, "ram:ApplicableHeaderTradeSettlement"), document, lang)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _delivered_on(document: Document) -> date:
    """BT-72: the service date, the end of the service period, or, for late-payment interest,
    the day it is claimed (the interest runs up to the issue date)."""
    if document.service_date is not None:
        return document.service_date
    if document.service_period is not None:
        return document.service_period.end
    return document.issued_on


def treatment(buyer: Party) -> str:
    """The BAR note's value: B2B (French business), B2BINT (business abroad) or B2C."""
    if not buyer.business:
        return "B2C"
    return "B2B" if buyer.address.country == "FR" else "B2BINT"


def _notes(document: Document, lang: Language) -> list[tuple[str, str]]:
    payment = document.payment
    if document.indemnity_applies:
        indemnity = message(lang, "terms.indemnity", amount=format_amount(payment.recovery_indemnity, lang))
    elif document.nothing_due:
        indemnity = message(lang, "terms.indemnity_nothing_due")
    else:
        indemnity = message(lang, "terms.indemnity_private")
    if document.nothing_due:
        penalties = message(lang, "terms.nothing_due")
    else:
        penalties = message(lang, "terms.penalties", rate=format_rate(payment.late_penalty_rate, lang))
    notes = [
        ("BAR", treatment(document.buyer)),
        ("PMT", indemnity),
        ("PMD", penalties),
        ("AAB", payment.discount or message(lang, "terms.no_discount")),
    ]
    if document.note:
        notes.append(("AAI", document.note))
    return notes


def _lines(transaction: Element, document: Document) -> None:
    category = document.vat.category.value
    for index, line in enumerate(document.lines, start=1):
        item = _add(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _add(item, "ram:AssociatedDocumentLineDocument/ram:LineID", str(index))
        _add(item, "ram:SpecifiedTradeProduct/ram:Name", line.designation)
        price = _add(item, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice")
        _add(price, "ram:ChargeAmount", _amount(line.unit_price))
        _add(
            item,
            "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
            _number(line.quantity),
            unitCode=line.unit.value,
        )
        settlement = _add(item, "ram:SpecifiedLineTradeSettlement")
        tax = _add(settlement, "ram:ApplicableTradeTax")
        _add(tax, "ram:TypeCode", "VAT")
        _add(tax, "ram:CategoryCode", category)
        if document.vat.category is not VatCategory.NOT_SUBJECT:  # BR-O-05: no rate outside VAT's scope
            _add(tax, "ram:RateApplicablePercent", _number(document.vat.rate_of(line)))
        period = line.service_period
        if period is None and line.service_date is not None:
            period = Period(line.service_date, line.service_date)
        if period is not None:
            billing = _add(settlement, "ram:BillingSpecifiedPeriod")
            _date(billing, "ram:StartDateTime", period.start)
            _date(billing, "ram:EndDateTime", period.end)
        _add(
            settlement,
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            _amount(line.net),
        )


def _party(node: Element, party: Party, *, seller: bool, with_vat_ids: bool) -> None:
    _add(node, "ram:Name", party.name)
    if party.siren is not None:
        _add(node, "ram:SpecifiedLegalOrganization/ram:ID", party.siren, schemeID="0002")
    address = _add(node, "ram:PostalTradeAddress")
    if party.address.postcode:
        _add(address, "ram:PostcodeCode", party.address.postcode)
    for tag, text in zip(("LineOne", "LineTwo", "LineThree"), party.address.lines, strict=False):
        _add(address, f"ram:{tag}", text)
    _add(address, "ram:CityName", party.address.city)
    _add(address, "ram:CountryID", party.address.country)
    address_id, scheme = _electronic_address(party, seller=seller)
    _add(node, "ram:URIUniversalCommunication/ram:URIID", address_id, schemeID=scheme)
    if with_vat_ids and party.vat_number:
        _add(node, "ram:SpecifiedTaxRegistration/ram:ID", party.vat_number, schemeID="VA")
    elif seller and party.siren is not None:
        _add(node, "ram:SpecifiedTaxRegistration/ram:ID", party.siren, schemeID="FC")


def _electronic_address(party: Party, *, seller: bool) -> tuple[str, str]:
    """BT-34 / BT-49: the SIREN in the French directory (0225) for a French business, else e-mail."""
    if party.siren is not None and (seller or treatment(party) == "B2B"):
        return party.siren, "0225"
    if party.email:
        return party.email, "EM"
    raise InvalidValueError("email", f"{party.name!r} needs an e-mail address to receive an e-invoice")


def _settlement(node: Element, document: Document, lang: Language) -> None:
    totals = document.totals
    _add(node, "ram:PaymentReference", document.number)
    _add(node, "ram:InvoiceCurrencyCode", document.currency)
    bank = document.bank
    if bank is not None:
        means = _add(node, "ram:SpecifiedTradeSettlementPaymentMeans")
        _add(means, "ram:TypeCode", _SEPA_CREDIT_TRANSFER)
        account = _add(means, "ram:PayeePartyCreditorFinancialAccount")
        _add(account, "ram:IBANID", bank.iban)
        if bank.holder:
            _add(account, "ram:AccountName", bank.holder)
        _add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID", bank.bic)
    for breakdown in totals.vat:
        tax = _add(node, "ram:ApplicableTradeTax")
        _add(tax, "ram:CalculatedAmount", _amount(breakdown.amount))
        _add(tax, "ram:TypeCode", "VAT")
        exemption = _EXEMPTIONS.get(breakdown.category)
        if exemption is not None:
            _add(tax, "ram:ExemptionReason", message(lang, exemption[1]))
        _add(tax, "ram:BasisAmount", _amount(breakdown.base))
        _add(tax, "ram:CategoryCode", breakdown.category.value)
        if exemption is not None:
            _add(tax, "ram:ExemptionReasonCode", exemption[0])
        if breakdown.category is not VatCategory.NOT_SUBJECT:
            _add(tax, "ram:RateApplicablePercent", _number(breakdown.rate))
    if document.service_period is not None:
        billing = _add(node, "ram:BillingSpecifiedPeriod")
        _date(billing, "ram:StartDateTime", document.service_period.start)
        _date(billing, "ram:EndDateTime", document.service_period.end)
    terms = _add(node, "ram:SpecifiedTradePaymentTerms")
    payment = document.payment
    if payment.due_on is not None:
        due = format_date(payment.due_on, lang)
        _add(terms, "ram:Description", message(lang, "terms.payment", days=payment.days, due=due))
        _date(terms, "ram:DueDateDateTime", payment.due_on)
    else:
        _add(terms, "ram:Description", message(lang, "terms.payment_days", days=payment.days))
    sums = _add(node, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _add(sums, "ram:LineTotalAmount", _amount(totals.net))
    _add(sums, "ram:TaxBasisTotalAmount", _amount(totals.net))
    _add(sums, "ram:TaxTotalAmount", _amount(totals.vat_total), currencyID=document.currency)
    _add(sums, "ram:GrandTotalAmount", _amount(totals.gross))
    if document.deposits:
        _add(sums, "ram:TotalPrepaidAmount", _amount(totals.prepaid))
    _add(sums, "ram:DuePayableAmount", _amount(totals.due))
    references = [d.invoice for d in document.deposits] + [o.invoice for o in document.overdue]
    if document.cancels is not None:
        references.append(document.cancels)
    for reference in references:
        referenced = _add(node, "ram:InvoiceReferencedDocument")
        _add(referenced, "ram:IssuerAssignedID", reference.number)
        _date(referenced, "ram:FormattedIssueDateTime", reference.issued_on, qualified=True)


_LANGUAGE_TAGS = {Language.FR: "fr-FR", Language.EN: "en-GB"}


def embed_facturx(pdf: bytes, xml: bytes, document: Document, language: Language | None = None) -> bytes:
    """``pdf`` (a PDF/A-3b) with ``xml`` attached as factur-x.xml and Factur-X XMP metadata.

    The metadata is given here rather than left to the library, which would parse the XML again
    to write an English title.
    """
    lang = Language(language) if language is not None else document.language
    title = f"{message(lang, f'title.{document.kind.value}')} {document.number}"
    metadata = {
        "author": document.seller.name,
        "keywords": "Factur-X, EN 16931",
        "title": title,
        "subject": f"{title} - {document.buyer.name}",
    }
    result = generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=False,
        pdf_metadata=metadata,
        lang=_LANGUAGE_TAGS[lang],
    )
    return bytes(result)
