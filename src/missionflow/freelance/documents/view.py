"""What a document prints, worked out once in the reader's language: the one input of every format.

The HTML, Markdown and text templates only lay out a :class:`DocumentView`; every wording,
every formatted amount and every legal mention is decided here, so the formats cannot disagree.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from missionflow.freelance.documents.formatting import format_amount, format_date, format_number, format_rate
from missionflow.freelance.documents.lines import Period, VatCategory
from missionflow.freelance.documents.messages import message
from missionflow.freelance.documents.model import Document, DocumentKind
from missionflow.freelance.documents.parties import Language, Party
from missionflow.freelance.documents.totals import days_late
from missionflow.freelance.identifiers import format_iban

__all__ = ["DocumentView", "TotalRow", "build_view"]


@dataclass(frozen=True)
class TotalRow:
    """One line of the totals box; ``strong`` marks the amount the reader acts on."""

    label: str
    value: str
    strong: bool = False


@dataclass(frozen=True)
class DocumentView:
    """Everything a document shows, as text in one language."""

    language: str
    colon: str
    kind: str
    title: str
    facts: tuple[tuple[str, str], ...]
    seller_heading: str
    seller: tuple[str, ...]
    buyer_heading: str
    buyer: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[TotalRow, ...]
    letter: tuple[str, ...]
    terms: tuple[str, ...]
    bank_heading: str
    bank: tuple[tuple[str, str], ...]
    signature: tuple[str, ...]
    closing: str | None
    note: str | None
    footer: tuple[str, ...]
    logo_uri: str | None


def build_view(document: Document, language: Language | None = None) -> DocumentView:
    """The view of ``document`` in ``language`` (the client's language by default)."""
    lang = Language(language) if language is not None else document.language
    letter = document.kind.is_letter
    columns, rows = _overdue_table(document, lang) if letter else _lines_table(document, lang)
    totals = _claim_rows(document, lang) if letter else _total_rows(document, lang)
    return DocumentView(
        language=lang.value,
        colon=message(lang, "colon"),
        kind=document.kind.value,
        title=message(lang, f"title.{document.kind.value}"),
        facts=_facts(document, lang),
        seller_heading=message(lang, "party.seller"),
        seller=_party_lines(document.seller, lang, with_siren=False),
        buyer_heading=message(lang, "party.addressee" if letter else "party.buyer"),
        buyer=_party_lines(document.buyer, lang, with_siren=document.buyer.business),
        columns=columns,
        rows=rows,
        totals=totals,
        letter=_letter(document, lang) if letter else (),
        terms=_terms(document, lang),
        bank_heading=message(lang, "bank.title"),
        bank=_bank(document, lang),
        signature=_signature(lang) if document.kind is DocumentKind.QUOTE else (),
        closing=message(lang, "letter.closing") if letter else None,
        note=document.note,
        footer=_footer(document, lang),
        logo_uri=_logo_uri(document),
    )


def _period(period: Period, lang: Language) -> str:
    return message(lang, "period", start=format_date(period.start, lang), end=format_date(period.end, lang))


def _facts(document: Document, lang: Language) -> tuple[tuple[str, str], ...]:
    facts = [
        (message(lang, "fact.number"), document.number),
        (message(lang, "fact.issued_on"), format_date(document.issued_on, lang)),
    ]
    if document.service_date is not None:
        facts.append((message(lang, "fact.service_date"), format_date(document.service_date, lang)))
    if document.service_period is not None:
        facts.append((message(lang, "fact.service_period"), _period(document.service_period, lang)))
    if document.quote is not None:
        facts.append((message(lang, "fact.valid_until"), format_date(document.quote.valid_until, lang)))
    if document.cancels is not None:
        cancelled = document.cancels
        facts.append(
            (message(lang, "fact.cancels"), f"{cancelled.number} ({format_date(cancelled.issued_on, lang)})")
        )
    if document.payment.due_on is not None and document.kind.is_invoice:
        facts.append((message(lang, "fact.due_on"), format_date(document.payment.due_on, lang)))
    return tuple(facts)


def _party_lines(party: Party, lang: Language, *, with_siren: bool) -> tuple[str, ...]:
    name = f"{party.name} ({party.legal_form})" if party.legal_form else party.name
    lines = [name, *party.address.lines, f"{party.address.postcode} {party.address.city}".strip()]
    if party.address.country != "FR":
        lines.append(party.address.country)
    if party.contact:
        lines.append(message(lang, "party.contact", value=party.contact))
    if party.siret is not None and not with_siren:
        lines.append(message(lang, "party.siret", value=party.siret))
    elif party.siren is not None and with_siren:
        lines.append(message(lang, "party.siren", value=party.siren))
    if party.vat_number:
        lines.append(message(lang, "party.vat_number", value=party.vat_number))
    if party.email:
        lines.append(message(lang, "party.email", value=party.email))
    if party.phone:
        lines.append(message(lang, "party.phone", value=party.phone))
    return tuple(lines)


def _lines_table(document: Document, lang: Language) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    charged = document.vat.category is VatCategory.STANDARD
    names = ["designation", "quantity", "unit", "unit_price", *(["vat_rate"] if charged else []), "net"]
    rows = []
    for line in document.lines:
        designation = line.designation
        if line.service_date is not None:
            designation += f" ({format_date(line.service_date, lang)})"
        if line.service_period is not None:
            designation += f" ({_period(line.service_period, lang)})"
        cells = [
            designation,
            format_number(line.quantity, lang),
            message(lang, f"unit.{line.unit.value}"),
            format_amount(line.unit_price, lang),
        ]
        if charged:
            cells.append(message(lang, "rate", rate=format_rate(document.vat.rate_of(line), lang)))
        cells.append(format_amount(line.net, lang))
        rows.append(tuple(cells))
    return tuple(message(lang, f"column.{name}") for name in names), tuple(rows)


def _total_rows(document: Document, lang: Language) -> tuple[TotalRow, ...]:
    totals = document.totals
    rows = [TotalRow(message(lang, "total.net"), format_amount(totals.net, lang))]
    if document.vat.category is VatCategory.STANDARD:
        rows.extend(
            TotalRow(
                message(lang, "total.vat", rate=format_rate(b.rate, lang), base=format_amount(b.base, lang)),
                format_amount(b.amount, lang),
            )
            for b in totals.vat
        )
    else:
        rows.append(TotalRow(message(lang, "total.no_vat"), format_amount(totals.vat_total, lang)))
    rows.append(
        TotalRow(message(lang, "total.gross"), format_amount(totals.gross, lang), not document.deposits)
    )
    for deposit in document.deposits:
        label = message(
            lang,
            "total.deposit",
            number=deposit.invoice.number,
            date=format_date(deposit.invoice.issued_on, lang),
        )
        rows.append(TotalRow(label, f"− {format_amount(deposit.amount, lang)}"))
    if document.kind is DocumentKind.CREDIT_NOTE:
        rows[-1] = TotalRow(rows[-1].label, rows[-1].value)
        rows.append(TotalRow(message(lang, "total.credit"), format_amount(totals.due, lang), True))
    elif document.deposits:
        rows.append(TotalRow(message(lang, "total.due"), format_amount(totals.due, lang), True))
    asked = document.deposit_asked
    if asked is not None and document.quote is not None:
        percent = format_rate(document.quote.deposit_percent, lang)
        rows.append(
            TotalRow(message(lang, "total.deposit_asked", percent=percent), format_amount(asked, lang))
        )
    return tuple(rows)


def _overdue_table(document: Document, lang: Language) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    names = ("invoice", "issued_on", "due_on", "days_late", "amount")
    rows = tuple(
        (
            o.invoice.number,
            format_date(o.invoice.issued_on, lang),
            format_date(o.due_on, lang),
            str(days_late(o.due_on, document.issued_on)),
            format_amount(o.amount_due, lang),
        )
        for o in document.overdue
    )
    return tuple(message(lang, f"overdue.{name}") for name in names), rows


def _claim_rows(document: Document, lang: Language) -> tuple[TotalRow, ...]:
    claim = document.claim()
    if document.kind is not DocumentKind.FORMAL_NOTICE:
        return (TotalRow(message(lang, "claim.total"), format_amount(claim.total, lang), True),)
    rows = [
        TotalRow(message(lang, "claim.principal"), format_amount(claim.principal, lang)),
        TotalRow(message(lang, "claim.interest"), format_amount(claim.interest, lang)),
    ]
    if document.indemnity_applies:
        rows.append(TotalRow(message(lang, "claim.indemnity"), format_amount(claim.indemnity, lang)))
    rows.append(TotalRow(message(lang, "claim.total"), format_amount(claim.total, lang), True))
    return tuple(rows)


def _letter(document: Document, lang: Language) -> tuple[str, ...]:
    kind = document.kind
    days = document.reply_within_days
    if kind is DocumentKind.FIRST_REMINDER:
        return (message(lang, "letter.first_reminder"),)
    if kind is DocumentKind.SECOND_REMINDER:
        return (message(lang, "letter.second_reminder", days=days),)
    rate = format_rate(document.payment.late_penalty_rate, lang)
    total = format_amount(document.claim().total, lang)
    paragraphs = [message(lang, "letter.formal_notice", days=days, total=total, rate=rate)]
    if document.indemnity_applies:
        amount = format_amount(document.payment.recovery_indemnity, lang)
        paragraphs.append(message(lang, "letter.formal_notice_indemnity", amount=amount))
    paragraphs.append(message(lang, "letter.formal_notice_end"))
    return tuple(paragraphs)


def _terms(document: Document, lang: Language) -> tuple[str, ...]:
    terms: list[str] = []
    if document.kind.is_letter:
        pass  # a letter bills nothing: the invoices it lists stated their VAT
    elif document.vat.category is VatCategory.EXEMPT:
        terms.append(message(lang, "vat.franchise"))
    elif document.vat.category is VatCategory.NOT_SUBJECT:
        terms.append(message(lang, "vat.not_subject"))
    payment = document.payment
    if document.kind is DocumentKind.LATE_PAYMENT_INVOICE:
        terms.extend(
            message(
                lang,
                "late.reference",
                number=o.invoice.number,
                date=format_date(o.invoice.issued_on, lang),
                due=format_date(o.due_on, lang),
            )
            for o in document.overdue
        )
    quote = document.quote
    if quote is not None:
        terms.append(message(lang, "quote.validity", date=format_date(quote.valid_until, lang)))
        asked = document.deposit_asked
        if asked is None:
            terms.append(message(lang, "quote.no_deposit"))
        else:
            percent = format_rate(quote.deposit_percent, lang)
            terms.append(message(lang, "quote.deposit", percent=percent, amount=format_amount(asked, lang)))
        terms.append(message(lang, "quote.revisions", count=quote.revision_rounds))
    if document.cancels is not None:
        cancelled = document.cancels
        terms.append(
            message(
                lang, "terms.credit", number=cancelled.number, date=format_date(cancelled.issued_on, lang)
            )
        )
    elif payment.due_on is not None and not document.kind.is_letter:
        terms.append(message(lang, "terms.payment", days=payment.days, due=format_date(payment.due_on, lang)))
    elif not document.kind.is_letter:
        terms.append(message(lang, "terms.payment_days", days=payment.days))
    if document.nothing_due:
        terms.append(message(lang, "terms.nothing_due"))
    else:
        terms.append(message(lang, "terms.penalties", rate=format_rate(payment.late_penalty_rate, lang)))
    if document.indemnity_applies:
        terms.append(message(lang, "terms.indemnity", amount=format_amount(payment.recovery_indemnity, lang)))
    terms.append(payment.discount or message(lang, "terms.no_discount"))
    return tuple(terms)


def _bank(document: Document, lang: Language) -> tuple[tuple[str, str], ...]:
    bank = document.bank
    if bank is None or not document.kind.asks_payment:
        return ()
    rows = [(message(lang, "bank.iban"), format_iban(bank.iban)), (message(lang, "bank.bic"), bank.bic)]
    if bank.holder:
        rows.insert(0, (message(lang, "bank.holder"), bank.holder))
    return tuple(rows)


def _signature(lang: Language) -> tuple[str, ...]:
    keys = ("quote.agreement", "quote.agreement_help", "quote.date", "quote.signature")
    return tuple(message(lang, key) for key in keys)


def _footer(document: Document, lang: Language) -> tuple[str, ...]:
    seller = document.seller
    legal = f"{seller.name} ({seller.legal_form}) · {message(lang, 'party.siret', value=seller.siret)}"
    footer = [legal]
    if document.ledger_anchor:
        footer.append(message(lang, "footer.anchor", anchor=document.ledger_anchor))
    return tuple(footer)


def _logo_uri(document: Document) -> str | None:
    if document.logo is None:
        return None
    encoded = base64.b64encode(document.logo.data).decode("ascii")
    return f"data:{document.logo.media_type};base64,{encoded}"
