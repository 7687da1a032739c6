"""The lines of a late-payment invoice: interest on each overdue invoice and, for a business
client, the 40 EUR fixed recovery indemnity per invoice (art. L441-10 of the Code de commerce)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from missionflow.freelance.documents.formatting import format_rate
from missionflow.freelance.documents.lines import Line, Unit
from missionflow.freelance.documents.messages import message
from missionflow.freelance.documents.model import OverdueInvoice
from missionflow.freelance.documents.parties import Language
from missionflow.freelance.documents.totals import days_late, late_interest
from missionflow.money import Money

__all__ = ["late_payment_lines"]


def late_payment_lines(
    overdue: Iterable[OverdueInvoice],
    annual_rate: Decimal,
    on: date,
    language: Language,
    indemnity: Money | None,
) -> tuple[Line, ...]:
    """Interest lines (and indemnity lines when ``indemnity`` is given) for every invoice late on ``on``."""
    lines: list[Line] = []
    for invoice in overdue:
        late = days_late(invoice.due_on, on)
        if late == 0:
            continue
        interest = late_interest(invoice.amount_due, annual_rate, invoice.due_on, on)
        number = invoice.invoice.number
        rate = format_rate(annual_rate, language)
        designation = message(language, "late.interest", number=number, days=late, rate=rate)
        lines.append(Line(designation, Decimal(1), Unit.LUMP_SUM, interest))
        if indemnity is not None:
            lines.append(
                Line(message(language, "late.indemnity", number=number), Decimal(1), Unit.LUMP_SUM, indemnity)
            )
    return tuple(lines)
