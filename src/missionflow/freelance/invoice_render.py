"""An issued invoice or credit note as a document: plain text, Markdown, or one self-contained HTML
page (inline CSS, nothing fetched from elsewhere) that prints cleanly."""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from missionflow.errors import InvalidValueError
from missionflow.freelance.balances import InvoiceBalance
from missionflow.freelance.invoice_terms import InvoiceTerms
from missionflow.money import Money

if TYPE_CHECKING:
    from missionflow.freelance.records import InvoiceRecord

INVOICE_FORMATS = ("text", "md", "html")

_TITLES = {
    "deposit": "Deposit invoice (facture d'acompte)",
    "final": "Invoice (facture)",
    "penalty": "Late-payment invoice (facture de pénalités de retard)",
    "credit": "Credit note (avoir)",
}


@dataclass(frozen=True)
class _Document:
    """What every format prints, worked out once."""

    title: str
    facts: list[tuple[str, str]]
    seller: list[str]
    client: list[str]
    lines: list[tuple[str, str]]
    total_label: str
    total: str
    terms: list[str]


def render_invoice(
    invoice: InvoiceRecord, fmt: str = "text", *, balance: InvoiceBalance | None = None
) -> str:
    """The invoice as ``text``, ``md`` or ``html``, with its identity, terms and penalties as issued;
    with ``balance``, also what it has received and its status."""
    if fmt not in INVOICE_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of {', '.join(INVOICE_FORMATS)}")
    document = _document(invoice, balance)
    if fmt == "md":
        return _markdown(document)
    if fmt == "html":
        return _html(document)
    return _text(document)


def _document(invoice: InvoiceRecord, balance: InvoiceBalance | None) -> _Document:
    terms = invoice.terms
    facts = [
        ("Number", invoice.number),
        ("Issued on", invoice.issued_on.isoformat()),
    ]
    if invoice.kind != "credit":
        facts.append(("Due on", invoice.due_on.isoformat()))
    else:
        facts.append(("Cancels invoice", invoice.references or ""))
    mission = invoice.mission + (
        f" - {terms.mission_title}" if terms is not None and terms.mission_title else ""
    )
    facts.append(("Mission", mission))
    facts.append(("Currency", invoice.total.currency))
    if balance is not None and invoice.kind != "credit":
        facts.append(("Paid", str(balance.paid)))
        facts.append(("Still due", str(balance.balance)))
        facts.append(("Status", balance.status.replace("_", " ")))
    return _Document(
        title=_TITLES.get(invoice.kind, invoice.kind),
        facts=facts,
        seller=_seller(terms),
        client=_client(terms),
        lines=[_line(line, invoice.total.currency) for line in invoice.lines],
        total_label="Total credited" if invoice.kind == "credit" else "Total due",
        total=str(invoice.total),
        terms=_terms(invoice, terms)
        + ([f"Ledger anchor: {invoice.ledger_anchor}"] if invoice.ledger_anchor else []),
    )


def _seller(terms: InvoiceTerms | None) -> list[str]:
    if terms is None:
        return ["(identity not recorded: invoice issued before missionflow kept it)"]
    lines = [terms.seller_name]
    if terms.seller_legal_name and terms.seller_legal_name != terms.seller_name:
        lines.append(terms.seller_legal_name)
    lines.extend(terms.seller_address.splitlines())
    if terms.seller_siret:
        lines.append(f"SIRET {terms.seller_siret}")
    return [line for line in lines if line.strip()]


def _client(terms: InvoiceTerms | None) -> list[str]:
    if terms is None:
        return []
    lines = [terms.client_name, terms.client_company, terms.client_email]
    return [line for line in lines if line.strip()]


def _line(line: dict[str, object], currency: str) -> tuple[str, str]:
    description = line.get("description") or line.get("label") or line.get("text") or ""
    raw = line.get("amount")
    amount = ""
    if isinstance(raw, dict):
        raw_currency = raw.get("currency")
        amount = _money_text(raw.get("amount"), raw_currency if isinstance(raw_currency, str) else currency)
    elif raw is not None:
        amount = _money_text(raw, currency)
    return str(description), amount


def _money_text(value: object, currency: str) -> str:
    try:
        return str(Money(Decimal(str(value)), currency))
    except (InvalidOperation, InvalidValueError):
        return str(value)


def _terms(invoice: InvoiceRecord, terms: InvoiceTerms | None) -> list[str]:
    if invoice.kind == "credit":
        lines = [f"This credit note cancels invoice {invoice.references} in full."]
        if terms is not None and terms.note:
            lines.append(f"Reason: {terms.note}")
        if terms is not None and terms.vat_mention:
            lines.append(terms.vat_mention)
        return lines
    if terms is None:
        return [f"Payment due by {invoice.due_on.isoformat()}."]
    lines = [
        f"Payment due by {invoice.due_on.isoformat()} "
        f"({terms.payment_terms_days} days after the invoice date). No discount for early payment.",
    ]
    if terms.late_penalty_rate > 0:
        lines.append(
            f"Late payment penalties: {terms.late_penalty_rate} % a year of the amount due "
            "(balance x rate x days late / 365), from the day after the due date."
        )
    if terms.recovery_indemnity is not None:
        lines.append(
            f"Fixed recovery indemnity owed by a business client paying late: {terms.recovery_indemnity} "
            "(Code de commerce, art. L441-10 and D441-5)."
        )
    if terms.vat_mention:
        lines.append(terms.vat_mention)
    return lines


# --- the formats --------------------------------------------------------------------------------


def _text(doc: _Document) -> str:
    out = [doc.title.upper(), "=" * len(doc.title), ""]
    width = max(len(label) for label, _ in doc.facts)
    out.extend(f"{label.ljust(width)}  {value}" for label, value in doc.facts)
    out.extend(["", "From:", *(f"  {line}" for line in doc.seller)])
    if doc.client:
        out.extend(["", "To:", *(f"  {line}" for line in doc.client)])
    out.append("")
    rows = [*doc.lines, (doc.total_label, doc.total)]
    left = max(len(description) for description, _ in rows)
    right = max(len(amount) for _, amount in rows)
    for description, amount in doc.lines:
        out.append(f"{description.ljust(left)}  {amount.rjust(right)}")
    out.append("-" * (left + right + 2))
    out.append(f"{doc.total_label.ljust(left)}  {doc.total.rjust(right)}")
    out.append("")
    out.extend(doc.terms)
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(doc: _Document) -> str:
    out = [f"# {doc.title}", ""]
    out.extend(f"- **{label}:** {_md_cell(value)}" for label, value in doc.facts)
    out.extend(["", "## From", "", *(f"{_md_cell(line)}  " for line in doc.seller)])
    if doc.client:
        out.extend(["", "## To", "", *(f"{_md_cell(line)}  " for line in doc.client)])
    out.extend(["", "| Description | Amount |", "|---|---:|"])
    out.extend(f"| {_md_cell(d)} | {_md_cell(a)} |" for d, a in doc.lines)
    out.append(f"| **{doc.total_label}** | **{doc.total}** |")
    out.extend(["", *(f"{_md_cell(line)}  " for line in doc.terms)])
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 1rem; }
.parties { display: flex; gap: 2rem; margin: 1.5rem 0; }
.parties section { flex: 1; }
.parties h2 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: #666; margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; }
table { width: 100%; border-collapse: collapse; margin: 1.5rem 0; }
th, td { padding: 0.4rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; }
td.amount, th.amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #222; border-bottom: none; }
.terms { font-size: 0.85rem; color: #444; }
@media print {
  body { margin: 0; max-width: none; color: #000; }
  @page { size: A4; margin: 18mm; }
  table, .parties, .terms { page-break-inside: avoid; }
}
"""


def _html(doc: _Document) -> str:
    e = html.escape
    facts = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in doc.facts)
    seller = "<br>".join(e(line) for line in doc.seller)
    client = "<br>".join(e(line) for line in doc.client)
    rows = "".join(f'<tr><td>{e(d)}</td><td class="amount">{e(a)}</td></tr>' for d, a in doc.lines)
    terms = "".join(f"<p>{e(line)}</p>" for line in doc.terms)
    number = next((value for label, value in doc.facts if label == "Number"), "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(doc.title)} {e(number)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{e(doc.title)}</h1>\n"
        f'<dl class="facts">{facts}</dl>\n'
        '<div class="parties">'
        f"<section><h2>From</h2><p>{seller}</p></section>"
        + (f"<section><h2>To</h2><p>{client}</p></section>" if client else "")
        + "</div>\n"
        '<table><thead><tr><th>Description</th><th class="amount">Amount</th></tr></thead>'
        f"<tbody>{rows}"
        f'<tr class="total"><td>{e(doc.total_label)}</td><td class="amount">{e(doc.total)}</td></tr>'
        "</tbody></table>\n"
        f'<div class="terms">{terms}</div>\n'
        "</body>\n</html>\n"
    )
