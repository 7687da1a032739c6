"""The e-invoice of an invoice about to be issued, checked against the official rules first.

An invoice goes out as Factur-X EN 16931: its CII XML must pass the Factur-X XSD, the EN 16931
Schematron and the French BR-FR rules. A store calls :func:`check_before_issue` in the issuing
transaction, with the number the invoice is about to take, before the series' counter moves: an
invoice that would break a rule is refused with each rule it breaks, and no number is used up.

An invoice whose lines come to another amount than its total is refused first: the client would
receive a document that asks for one amount while the books record another. An invoice given as a
bare total without lines (``Store.issue_invoice`` with no lines: an application's own bookkeeping)
has no document and so no e-invoice; nothing is checked then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from missionflow.errors import InvalidValueError, InvoiceRulesError
from missionflow.freelance.records import InvoiceRecord

if TYPE_CHECKING:
    from missionflow.freelance.documents import Document

__all__ = ["WARNING", "check_before_issue", "e_invoice_failures", "refusing"]

WARNING = "warning"
"""The flag of a Schematron rule that only warns: reported, never a refusal."""


def refusing(failures: list[object]) -> list[object]:
    """The failures that refuse an invoice: every one but the warnings."""
    return [f for f in failures if getattr(f, "flag", "fatal") != WARNING]


def e_invoice_failures(invoice: InvoiceRecord) -> list[object]:
    """Every rule the invoice's Factur-X XML breaks (empty when it passes them all, or when the
    invoice has no document: no lines, or issued before missionflow kept its whole copy)."""
    document = _document_of(invoice)
    return [] if document is None else _failures_of(document)


def check_before_issue(invoice: InvoiceRecord) -> None:
    """Refuse an invoice whose lines do not come to its total (InvalidValueError), or whose
    e-invoice breaks a rule (InvoiceRulesError, listing each rule)."""
    document = _document_of(invoice)
    if document is None:
        return
    due = document.totals.due
    if due != invoice.total:
        raise InvalidValueError(
            "total",
            f"the lines come to {due} due (deposits deducted, VAT included), not {invoice.total}: "
            "give the total they make, or lines that make it",
        )
    failures = refusing(_failures_of(document))
    if failures:
        raise InvoiceRulesError(f"{_kind_words(invoice.kind)} {invoice.number}", failures)


def _document_of(invoice: InvoiceRecord) -> Document | None:
    """The document the client receives, or None for an invoice without one."""
    terms = invoice.terms
    if not invoice.lines or terms is None or terms.document is None:
        return None
    from missionflow.freelance.client_documents import invoice_document

    return invoice_document(invoice)


def _failures_of(document: Document) -> list[object]:
    from missionflow.freelance.documents.facturx import build_cii_xml
    from missionflow.freelance.documents.facturx_check import check_xml

    return list(check_xml(build_cii_xml(document)))


def _kind_words(kind: str) -> str:
    return {
        "deposit": "deposit invoice",
        "final": "invoice",
        "credit": "credit note",
        "penalty": "late-payment invoice",
    }.get(kind, "invoice")
