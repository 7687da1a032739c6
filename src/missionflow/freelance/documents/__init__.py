"""The documents a client receives: quotes, invoices, credit notes, reminders.

A :class:`Document` is built from checked values (parties, lines, terms); it is then written
as HTML, Markdown, text or PDF/A-3b in French or English, and an invoice or credit note carries
its Factur-X (EN 16931) XML, which :func:`check_xml` and :func:`check_pdf` validate offline.

This package imports nothing of the store, the CLI or the workflow engine.
"""

from __future__ import annotations

from missionflow.freelance.documents.facturx import build_cii_xml, embed_facturx
from missionflow.freelance.documents.facturx_check import RuleFailure, check_pdf, check_xml, extract_xml
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
)
from missionflow.freelance.documents.text import render_markdown, render_text
from missionflow.freelance.documents.totals import Totals, VatBreakdown

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
    "check_pdf",
    "check_xml",
    "embed_facturx",
    "extract_xml",
    "format_amount",
    "format_date",
    "late_payment_lines",
    "read_invoice",
    "read_invoice_xml",
    "render_html",
    "render_markdown",
    "render_pdf",
    "render_text",
]
