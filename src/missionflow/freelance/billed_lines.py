"""The lines each document of a mission bills, built from what was agreed: the quote's lines from the
specification (and a rush surcharge), the contract's, the deposit invoice's, the final invoice's
(the contract, the rush surcharge when the contract left it out, each amendment and extra revision
round). The lines missionflow writes itself carry their designation in French and in English.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from missionflow.freelance.documents.lines import Period, Unit
from missionflow.freelance.mission import Amendment, Contract, Mission, Specification
from missionflow.freelance.pricing import (
    LineSource,
    Price,
    PricedLine,
    change_line,
    deposit_split,
    lump_sum,
    rush_line,
)
from missionflow.freelance.vocabulary import APPROVAL, WORK
from missionflow.money import Money

__all__ = [
    "amendment_line",
    "contract_lines",
    "deposit_lines",
    "final_lines",
    "quote_lines",
    "rush_line",
    "service_of",
]


def _percent(value: Decimal, lang: str) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if lang == "fr" else text


def amendment_line(amendment: Amendment) -> PricedLine:
    """An amendment or an extra revision round (R4, R8), as a line; a negative one lowers the total."""
    return change_line(amendment.kind, amendment.amount, amendment.reason)


def quote_lines(
    specification: Specification, title: str, rush_surcharge: Money | None
) -> tuple[PricedLine, ...]:
    """What a quote bills: each priced deliverable of the specification (or, when none is priced,
    one lump sum of the budget named after the mission), then the rush surcharge."""
    lines = [line for d in specification.deliverables if (line := d.line()) is not None]
    if not lines and specification.budget is not None:
        name = title.strip() or specification.objectives.strip().splitlines()[0]
        lines.append(PricedLine(name, lump_sum(specification.budget), LineSource.CONTRACT))
    if rush_surcharge is not None and rush_surcharge.amount > 0:
        lines.append(rush_line(rush_surcharge))
    return tuple(lines)


def contract_lines(title: str, amount: Money) -> tuple[PricedLine, ...]:
    """The one line of a contract signed for an amount without a quote: the mission, as a lump sum."""
    return (PricedLine(title.strip() or "-", lump_sum(amount), LineSource.CONTRACT),)


def deposit_lines(contract: Contract, percent: Decimal, currency: str) -> tuple[PricedLine, ...]:
    """The deposit invoice's lines: the percentage of the contract's lines, one line per VAT rate
    (``deposit_split``), named after the quote accepted, else after the terms signed."""
    split = deposit_split(contract.billed, contract.vat_rate, currency, percent)
    several = len(split) > 1
    lines = []
    for rate, amount in split:
        words = {}
        for lang in ("fr", "en"):
            if contract.quote:
                on = f"le devis {contract.quote}" if lang == "fr" else f"quote {contract.quote}"
            else:
                on = (
                    f"le contrat {contract.terms_version}"
                    if lang == "fr"
                    else f"contract {contract.terms_version}"
                )
            text = (
                f"Acompte de {_percent(percent, lang)} % sur {on}"
                if lang == "fr"
                else f"Deposit of {_percent(percent, lang)}% on {on}"
            )
            if several:
                text += (
                    f" (TVA {_percent(rate, lang)} %)" if lang == "fr" else f" (VAT {_percent(rate, lang)}%)"
                )
            words[lang] = text
        vat_rate = rate if contract.vat_rate is not None else None
        price = Price(Decimal(1), Unit.LUMP_SUM, amount, vat_rate)
        lines.append(PricedLine(words["fr"], price, LineSource.DEPOSIT, words))
    return tuple(lines)


def final_lines(
    contract: Contract, amendments: Sequence[Amendment], rush_surcharge: Money | None, title: str
) -> tuple[PricedLine, ...]:
    """The final invoice's lines: the contract's (one named ``title`` for a contract signed for an
    amount), the rush surcharge unless the contract (its quote) already bills it, then each
    amendment and extra revision round in the order agreed."""
    lines = list(contract.lines) or list(contract_lines(title, contract.amount))
    has_rush = any(line.source is LineSource.RUSH for line in lines)
    if rush_surcharge is not None and rush_surcharge.amount > 0 and not has_rush:
        lines.append(rush_line(rush_surcharge))
    lines.extend(amendment_line(a) for a in amendments)
    return tuple(lines)


def service_of(mission: Mission, issued_on: date, timezone: str, *, deposit: bool) -> Period:
    """The date or period of the service an invoice states (a one-day period is one date).

    A deposit invoice is for the service to come: from the signature to the specification's
    deadline. A final invoice covers the work done: from the day work started (the first step
    into a state tagged ``work``) to the approval (the last step tagged ``approval``), each day
    taken where the freelancer works; the signature and the issue day stand in for what is missing.
    """
    from missionflow.workflow import workflow_for

    zone = ZoneInfo(timezone)
    contract = mission.contract
    signed = contract.signed_on if contract is not None else issued_on
    if deposit:
        spec = mission.specification
        deadline = spec.deadline if spec is not None and spec.deadline is not None else mission.deadline
        end = deadline if deadline is not None and deadline >= signed else signed
        return Period(signed, end)
    definition = workflow_for(mission).definition
    work = set(definition.states_tagged(WORK))
    approvals = set(definition.triggers_tagged(APPROVAL))
    started = next((r.at for r in mission.history if r.dest in work and r.source not in work), None)
    approved = [r.at for r in mission.history if r.trigger in approvals]
    start = started.astimezone(zone).date() if started is not None else signed
    end = approved[-1].astimezone(zone).date() if approved else issued_on
    return Period(min(start, end), end)
