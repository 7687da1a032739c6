"""The documents a client receives: quotes, invoices, credit notes, reminders.

A :class:`Document` is built from checked values (parties, lines, terms); it is then written
as HTML, Markdown, text or PDF/A-3b in French or English, and an invoice or credit note carries
its Factur-X (EN 16931) XML, which :func:`check_xml` and :func:`check_pdf` validate offline.

This package imports nothing of the store, the CLI or the workflow engine. Its names are loaded
on first use (PEP 562): reading a line or a total does not import WeasyPrint, lxml or Babel,
which together take about a second to load.
"""

from __future__ import annotations

import importlib
import typing

_HOME = {
    "build_cii_xml": "facturx",
    "embed_facturx": "facturx",
    "RuleFailure": "facturx_check",
    "check_file": "facturx_check",
    "check_pdf": "facturx_check",
    "check_xml": "facturx_check",
    "extract_xml": "facturx_check",
    "xml_of_file": "facturx_check",
    "format_amount": "formatting",
    "format_date": "formatting",
    "render_html": "html",
    "late_payment_lines": "late",
    "Line": "lines",
    "Period": "lines",
    "Unit": "lines",
    "VatCategory": "lines",
    "VatRegime": "lines",
    "Claim": "model",
    "DepositDeduction": "model",
    "Document": "model",
    "DocumentKind": "model",
    "InvoiceReference": "model",
    "Logo": "model",
    "OverdueInvoice": "model",
    "PaymentTerms": "model",
    "QuoteTerms": "model",
    "Address": "parties",
    "BankDetails": "parties",
    "Language": "parties",
    "Party": "parties",
    "render_pdf": "pdf",
    "ReceivedInvoice": "reading",
    "ReceivedParty": "reading",
    "read_invoice": "reading",
    "read_invoice_xml": "reading",
    "read_received": "reading",
    "render_markdown": "text",
    "render_text": "text",
    "Totals": "totals",
    "VatBreakdown": "totals",
}
"""The module of this package that defines each public name."""

if typing.TYPE_CHECKING:
    from missionflow.freelance.documents.facturx import build_cii_xml, embed_facturx
    from missionflow.freelance.documents.facturx_check import (
        RuleFailure,
        check_file,
        check_pdf,
        check_xml,
        extract_xml,
        xml_of_file,
    )
    from missionflow.freelance.documents.formatting import format_amount, format_date
    from missionflow.freelance.documents.html import render_html
    from missionflow.freelance.documents.late import late_payment_lines
    from missionflow.freelance.documents.lines import Line, Period, Unit, VatCategory, VatRegime
    from missionflow.freelance.documents.model import (
        Claim,
        DepositDeduction,
        Document,
        DocumentKind,
        InvoiceReference,
        Logo,
        OverdueInvoice,
        PaymentTerms,
        QuoteTerms,
    )
    from missionflow.freelance.documents.parties import Address, BankDetails, Language, Party
    from missionflow.freelance.documents.pdf import render_pdf
    from missionflow.freelance.documents.reading import (
        ReceivedInvoice,
        ReceivedParty,
        read_invoice,
        read_invoice_xml,
        read_received,
    )
    from missionflow.freelance.documents.text import render_markdown, render_text
    from missionflow.freelance.documents.totals import Totals, VatBreakdown


def __getattr__(name: str) -> object:
    """Import a public name from its module on first access and keep it for the next one."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'missionflow.freelance.documents' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"missionflow.freelance.documents.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Address",
    "BankDetails",
    "Claim",
    "DepositDeduction",
    "Document",
    "DocumentKind",
    "InvoiceReference",
    "Language",
    "Line",
    "Logo",
    "OverdueInvoice",
    "Party",
    "PaymentTerms",
    "Period",
    "QuoteTerms",
    "ReceivedInvoice",
    "ReceivedParty",
    "RuleFailure",
    "Totals",
    "Unit",
    "VatBreakdown",
    "VatCategory",
    "VatRegime",
    "build_cii_xml",
    "check_file",
    "check_pdf",
    "check_xml",
    "embed_facturx",
    "extract_xml",
    "format_amount",
    "format_date",
    "late_payment_lines",
    "read_invoice",
    "read_invoice_xml",
    "read_received",
    "render_html",
    "render_markdown",
    "render_pdf",
    "render_text",
    "xml_of_file",
]
