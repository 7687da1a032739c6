"""Documents as PDF/A-3b through WeasyPrint (no browser), with the Factur-X XML of an invoice.

The HTML is rendered once; an invoice or credit note then gets its EN 16931 CII XML embedded
by the factur-x library, which rewrites the file's XMP metadata to say PDF/A-3 conformance B and
Factur-X conformance level EN 16931. Nothing is parsed or rendered twice.
"""

from __future__ import annotations

from weasyprint import HTML

from missionflow.freelance.documents.facturx import build_cii_xml, embed_facturx
from missionflow.freelance.documents.html import render_html
from missionflow.freelance.documents.model import Document
from missionflow.freelance.documents.parties import Language

__all__ = ["render_pdf", "render_pdf_from_html"]

PDF_VARIANT = "pdf/a-3b"


def render_pdf_from_html(html: str) -> bytes:
    """An A4 PDF/A-3b of a self-contained HTML page, fonts embedded."""
    pdf = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return bytes(pdf)


def render_pdf(document: Document, language: Language | None = None, *, facturx: bool = True) -> bytes:
    """The document as PDF/A-3b; an invoice or credit note carries its Factur-X XML (EN 16931)
    unless ``facturx`` is False (a plain PDF/A-3b, for a reader who asked for no attachment)."""
    pdf = render_pdf_from_html(render_html(document, language))
    if not document.kind.is_invoice or not facturx:
        return pdf
    return embed_facturx(pdf, build_cii_xml(document), document, language)
