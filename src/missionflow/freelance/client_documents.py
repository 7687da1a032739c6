"""The documents a client receives, rebuilt from what was issued: an issued quote or invoice becomes a
:class:`~missionflow.freelance.documents.Document` (from its own copy, never from today's settings)
and is written as PDF/A-3b (Factur-X XML embedded in an invoice), HTML, Markdown or text, in the
client's language or another.

Internal fields (the mission reference, the invoice's status, what was paid) never reach the
client's copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from missionflow.errors import ConflictError, InvalidValueError
from missionflow.freelance.documents.lines import Line, VatRegime
from missionflow.freelance.documents.messages import message
from missionflow.freelance.documents.model import Document, DocumentKind, Logo, PaymentTerms, QuoteTerms
from missionflow.freelance.documents.parties import Language, Party
from missionflow.freelance.issued import DocumentCopy
from missionflow.freelance.pricing import PricedLine, vat_regime
from missionflow.freelance.records import InvoiceRecord, LetterRecord, QuoteRecord

__all__ = ["DOCUMENT_FORMATS", "invoice_document", "letter_document", "quote_document", "render_document"]

DOCUMENT_FORMATS = ("pdf", "html", "md", "text")
"""What ``invoice show`` and ``quote show`` write: a PDF/A-3b file, one HTML page, Markdown, text."""
_KINDS = {
    "deposit": DocumentKind.DEPOSIT_INVOICE,
    "final": DocumentKind.INVOICE,
    "penalty": DocumentKind.LATE_PAYMENT_INVOICE,
    "credit": DocumentKind.CREDIT_NOTE,
}


def _language(language: str | None, copy: DocumentCopy) -> tuple[Language, Party]:
    """The language to write in (the client's by default) and the client reading it: a document
    written in another language than the client's says so in its Factur-X metadata too."""
    if language is None:
        return copy.buyer.language, copy.buyer
    try:
        lang = Language(language)
    except ValueError:
        raise InvalidValueError("lang", f"{language!r} is not one of fr, en") from None
    return lang, replace(copy.buyer, language=lang)


def _lines(lines: Sequence[PricedLine], lang: Language) -> tuple[Line, ...]:
    return tuple(line.document_line(lang.value) for line in lines)


def _logo(copy: DocumentCopy, logo: bytes | None) -> Logo | None:
    return Logo(logo) if copy.logo is not None and logo is not None else None


def invoice_document(
    invoice: InvoiceRecord, *, logo: bytes | None = None, language: str | None = None
) -> Document:
    """The invoice or credit note as the client received it, its lines in ``language`` (the
    client's when None); ``logo`` is the image its copy names, as the store keeps it.

    ConflictError for an invoice issued before missionflow kept the whole copy (migration 0006).
    """
    terms = invoice.terms
    if terms is None or terms.document is None:
        raise ConflictError(
            "invoice",
            f"{invoice.number} was issued before missionflow kept everything a PDF states; "
            "show it as text, md or html",
        )
    copy = DocumentCopy.from_json(terms.document)
    lang, buyer = _language(language, copy)
    kind = _KINDS[invoice.kind]
    credit = kind is DocumentKind.CREDIT_NOTE
    return Document(
        kind,
        invoice.number,
        invoice.issued_on,
        seller=copy.seller,
        buyer=buyer,
        payment=PaymentTerms(
            copy.payment_days,
            copy.late_penalty_rate,
            due_on=None if credit else invoice.due_on,
            recovery_indemnity=copy.recovery_indemnity,
        ),
        lines=_lines([PricedLine.from_json(line) for line in invoice.lines], lang),
        currency=invoice.total.currency,
        # Late-payment interest and the indemnity pay for no service: outside the scope of VAT, and
        # so is the credit note that cancels them.
        vat=VatRegime.not_subject()
        if kind is DocumentKind.LATE_PAYMENT_INVOICE or copy.outside_vat
        else vat_regime(copy.vat_rate),
        service_date=copy.service_date,
        service_period=copy.service_period,
        deposits=copy.deposits,
        cancels=copy.cancels,
        overdue=copy.overdue,
        bank=copy.bank,
        logo=_logo(copy, logo),
        note=message(lang, "note.reason", reason=terms.note) if credit and terms.note else terms.note or None,
        mission_ref=invoice.mission,
    )


def quote_document(quote: QuoteRecord, *, logo: bytes | None = None, language: str | None = None) -> Document:
    """The quote as the client received it, with its "bon pour accord" block, in ``language``."""
    copy = DocumentCopy.from_json(quote.copy)
    lang, buyer = _language(language, copy)
    return Document(
        DocumentKind.QUOTE,
        quote.number,
        quote.issued_on,
        seller=copy.seller,
        buyer=buyer,
        payment=PaymentTerms(
            copy.payment_days, copy.late_penalty_rate, recovery_indemnity=copy.recovery_indemnity
        ),
        lines=_lines(quote.lines, lang),
        currency=quote.total.currency,
        vat=vat_regime(copy.vat_rate),
        quote=QuoteTerms(quote.valid_until, quote.deposit_percent, quote.revision_rounds),
        bank=copy.bank,
        logo=_logo(copy, logo),
        mission_ref=quote.mission,
    )


def letter_document(
    letter: LetterRecord, *, logo: bytes | None = None, language: str | None = None
) -> Document:
    """A reminder letter (first reminder, second reminder, formal notice) as the client received it,
    in ``language`` (the client's when None): the overdue invoices it lists, the parties and terms
    the newest of them stated."""
    copy = DocumentCopy.from_json(letter.copy)
    _lang, buyer = _language(language, copy)
    if not copy.overdue:
        raise InvalidValueError("letter", f"{letter.number} lists no overdue invoice")
    return Document(
        DocumentKind(letter.kind),
        letter.number,
        letter.issued_on,
        seller=copy.seller,
        buyer=buyer,
        payment=PaymentTerms(
            copy.payment_days, copy.late_penalty_rate, recovery_indemnity=copy.recovery_indemnity
        ),
        currency=copy.overdue[0].amount_due.currency,
        overdue=copy.overdue,
        bank=copy.bank,
        logo=_logo(copy, logo),
        mission_ref=letter.mission,
    )


def render_document(
    document: Document, fmt: str, language: str | None = None, *, facturx: bool = True
) -> bytes:
    """``document`` as ``fmt`` (see DOCUMENT_FORMATS) in ``language`` (the client's when None):
    PDF bytes, or UTF-8 text. The PDF of an invoice carries its Factur-X XML unless ``facturx``
    is False; it needs WeasyPrint's system libraries (pango)."""
    lang = Language(language) if language is not None else None
    if fmt == "pdf":
        from missionflow.freelance.documents.pdf import render_pdf

        return render_pdf(document, lang, facturx=facturx)
    if fmt == "html":
        from missionflow.freelance.documents.html import render_html

        return render_html(document, lang).encode("utf-8")
    if fmt in ("md", "text"):
        from missionflow.freelance.documents.text import render_markdown, render_text

        return (render_markdown if fmt == "md" else render_text)(document, lang).encode("utf-8")
    raise InvalidValueError("format", f"{fmt!r} is not one of {', '.join(DOCUMENT_FORMATS)}")
