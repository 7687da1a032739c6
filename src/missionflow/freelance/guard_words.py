"""What a blocking guard of the trade waits for, in words a client understands, in English or
French: the status report says "it is waiting for: the deposit of 1 350,00 EUR (30 %)..." instead
of a rule's name. Each guard names its words when it is registered (``explain=``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from missionflow.freelance.formats import format_date, format_money
from missionflow.freelance.mission import Mission, Specification
from missionflow.money import Money
from missionflow.workflow import GuardContext

WAITS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "client_not_blocked": "the collaboration to be resumed (it is on hold)",
        "criteria_met": "a check that the project fits: budget, need and availability",
        "lead_time_respected": "a deadline later than {deadline}, or an agreed rush surcharge",
        "specification_complete": "the written specification, which still needs {missing}",
        "contract_signed": "your signature on the quote and the terms of sale",
        "deposit_satisfied": "the deposit of {deposit} ({percent} % of the contract): {remaining} still to be paid",
        "deliverables_complete": "the delivery of: {pending}",
        "fully_paid_none": "the final invoice",
        "fully_paid": "the payment of {remaining} still due",
    },
    "fr": {
        "client_not_blocked": "la reprise de la collaboration (elle est suspendue)",
        "criteria_met": "la vérification que le projet convient : budget, besoin et disponibilité",
        "lead_time_respected": "une échéance plus lointaine que le {deadline}, ou un supplément d'urgence convenu",
        "specification_complete": "le cahier des charges, où il manque encore {missing}",
        "contract_signed": "votre signature du devis et des conditions générales de vente",
        "deposit_satisfied": "l'acompte de {deposit} ({percent} % du contrat) : {remaining} restent à régler",
        "deliverables_complete": "la livraison de : {pending}",
        "fully_paid_none": "la facture finale",
        "fully_paid": "le règlement des {remaining} restant dus",
    },
}
"""What a blocking guard means for the client: what the step is waiting for."""

SPEC_PARTS: Mapping[str, Mapping[str, str]] = {
    "en": {},
    "fr": {
        "objectives": "les objectifs",
        "at least one deliverable": "au moins un livrable",
        "a deadline": "une échéance",
        "a budget": "un budget",
        "acceptance criteria": "les critères de recette",
    },
}
"""The missing parts of a specification (Specification.missing_parts) in each language."""

KINDS: Mapping[str, Mapping[str, str]] = {
    "en": {"deliverable": "", "access_code": "access code"},
    "fr": {"deliverable": "", "access_code": "code d'accès"},
}
"""How a deliverable's kind is shown after its name (nothing for a plain deliverable)."""


def _words(lang: str) -> Mapping[str, str]:
    return WAITS.get(lang, WAITS["en"])


def kind_suffix(kind: str, lang: str) -> str:
    """`` (access code)`` after a deliverable's name, nothing for a plain deliverable."""
    text = KINDS.get(lang, KINDS["en"]).get(kind, kind.replace("_", " "))
    return f" ({text})" if text else ""


def percent_text(mission: Mission, lang: str) -> str:
    """The mission's deposit percentage as a person writes it in ``lang`` (``30``, ``12,5``)."""
    text = f"{mission.deposit_percent.normalize():f}"
    return text.replace(".", ",") if lang == "fr" else text


def plain(key: str) -> Callable[[Mission, GuardContext, str], str]:
    """Words that need no figure of the mission."""

    def explain(mission: Mission, ctx: GuardContext, lang: str) -> str:
        return _words(lang)[key]

    return explain


def lead_time(mission: Mission, ctx: GuardContext, lang: str) -> str | None:
    """The deadline is too close: a later one, or a rush surcharge."""
    if mission.deadline is None:
        return None
    return _words(lang)["lead_time_respected"].format(deadline=format_date(mission.deadline, lang))


def specification(mission: Mission, ctx: GuardContext, lang: str) -> str:
    """The specification and the parts it still misses."""
    missing = (mission.specification or Specification()).missing_parts()
    parts = [SPEC_PARTS.get(lang, {}).get(part, part) for part in missing]
    return _words(lang)["specification_complete"].format(missing=", ".join(parts))


def deposit(mission: Mission, ctx: GuardContext, lang: str) -> str:
    """The deposit, its percentage and what is still to pay."""
    due = mission.deposit_due
    left = due - mission.paid_total if due > mission.paid_total else Money.zero(due.currency)
    return _words(lang)["deposit_satisfied"].format(
        deposit=format_money(due, lang),
        percent=percent_text(mission, lang),
        remaining=format_money(left, lang),
    )


def pending_deliverables(mission: Mission, ctx: GuardContext, lang: str) -> str | None:
    """The deliverables not handed over yet."""
    if mission.specification is None or not mission.specification.deliverables:
        return None
    delivered = {name for name, _ in mission.deliveries()}
    pending = [
        d.name + kind_suffix(d.kind, lang)
        for d in mission.specification.deliverables
        if d.name not in delivered
    ]
    return _words(lang)["deliverables_complete"].format(pending=", ".join(pending))


def payment(mission: Mission, ctx: GuardContext, lang: str) -> str:
    """The final invoice, or what is still due on it."""
    if not mission.live_invoices():
        return _words(lang)["fully_paid_none"]
    left = mission.balance
    return _words(lang)["fully_paid"].format(remaining=format_money(left, lang))
