"""The trade's guards: the rules of a freelance mission (R1-R12), each saying yes or why not.

Each guard declares what it reads (so a store loads only that), who must act to lift it, and
how it reads to the client (:mod:`missionflow.freelance.guard_words`). Counting rounds or sessions
goes by the tags the workflow declares, never by a trigger's name. Importing this module
registers them; the engine finds it through the ``missionflow.guards`` entry point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError
from missionflow.freelance import guard_words as words
from missionflow.freelance.mission import Mission
from missionflow.freelance.settings import Settings
from missionflow.freelance.tacit import tacit_approval_refused
from missionflow.freelance.vocabulary import CLIENT, FACTS, REVISION, SESSION, SETTINGS
from missionflow.money import Money
from missionflow.workflow import DELIVERY_GUARD, GuardContext, GuardFunc, GuardParam, register_guard
from missionflow.workflow.guards import Explain

Params = Mapping[str, GuardParam]
_DEFAULT_SETTINGS = Settings()


def settings_in(ctx: GuardContext) -> Settings:
    """The freelancer's settings the guards are evaluated under (the defaults when none are given)."""
    settings = ctx.facts.get(SETTINGS)
    return settings if isinstance(settings, Settings) else _DEFAULT_SETTINGS


def triggers_tagged(ctx: GuardContext, tag: str, override: GuardParam = None) -> tuple[str, ...]:
    """The triggers of the workflow that carry ``tag`` (or the one a guard parameter names)."""
    if isinstance(override, str) and override:
        return (override,)
    return tuple(ctx.definition.triggers_tagged(tag)) if ctx.definition is not None else ()


def trade_guard(
    name: str,
    *,
    words_en: str,
    words_fr: str,
    reads: Iterable[str],
    params: Mapping[str, type] | None = None,
    party: str | None = None,
    terms: bool = False,
    explain: Explain[Mission] | None = None,
) -> Callable[[GuardFunc[Mission]], GuardFunc[Mission]]:
    """Register a guard of the trade: its words in English and French, and the facts of a Mission
    it reads (among FACTS; InvalidValueError names any other)."""
    declared = frozenset(reads)
    unknown = sorted(declared - FACTS)
    if unknown:
        raise InvalidValueError(
            "reads", f"{', '.join(unknown)}: not facts of a mission; facts: {', '.join(sorted(FACTS))}"
        )
    return register_guard(
        name,
        params=params,
        words={"en": words_en, "fr": words_fr},
        reads=declared,
        party=party,
        terms=terms,
        explain=explain,
    )


@trade_guard(
    "client_not_blocked",
    words_en="client not blocked",
    words_fr="client non bloqué",
    reads={"client"},
    explain=words.plain("client_not_blocked"),
)
def client_not_blocked(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R1/R11: a blocked client cannot start a new collaboration."""
    client = mission.client
    if not client.blocked:
        return None
    why = f": {client.blocked_reason}" if client.blocked_reason else ""
    return f"client {client.name} is blocked{why}"


@trade_guard(
    "criteria_met",
    words_en="must-have criteria met",
    words_fr="critères indispensables remplis",
    reads={"criteria_answers"},
    explain=words.plain("criteria_met"),
)
def criteria_met(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R1: every must-have criterion of the settings is answered yes."""
    problems = []
    for criterion in settings_in(ctx).criteria:
        if not criterion.must_have:
            continue
        answer = mission.criteria_answers.get(criterion.name)
        if answer is None:
            problems.append(f"criterion {criterion.name!r} is not answered ({criterion.question})")
        elif not answer.met:
            problems.append(f"must-have criterion {criterion.name!r} is not met")
    return "; ".join(problems) or None


@trade_guard(
    "lead_time_respected",
    params={"minimum_days": int},
    words_en="deadline leaves the minimum lead time",
    words_fr="délai minimal respecté",
    reads=(),
    party=CLIENT,
    explain=words.lead_time,
)
def lead_time_respected(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R2: refuse ultra-tight deadlines unless a rush surcharge (more than 0) is agreed; a deadline
    already past is refused whatever the surcharge."""
    if mission.deadline is None:
        return None
    settings = settings_in(ctx)
    days = (mission.deadline - ctx.now.astimezone(ZoneInfo(settings.timezone)).date()).days
    if days < 0:
        return f"deadline {mission.deadline.isoformat()} has passed: agree a new deadline first"
    surcharge = mission.rush_surcharge
    if surcharge is not None and surcharge.amount > 0:
        return None
    minimum = params.get("minimum_days")
    minimum_days = minimum if isinstance(minimum, int) else settings.minimum_lead_days
    if days >= minimum_days:
        return None
    return (
        f"deadline {mission.deadline.isoformat()} is {days} day{'s' if days != 1 else ''} away, "
        f"less than the minimum lead time of {minimum_days} days (record a rush surcharge to accept it)"
    )


@trade_guard("reason_given", words_en="a reason is given", words_fr="une raison est donnée", reads=())
def reason_given(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """Exits are recorded with why they happened."""
    return None if ctx.note.strip() else "a reason is required (give it as the note)"


@trade_guard(
    "specification_complete",
    words_en="specification complete",
    words_fr="cahier des charges complet",
    reads={"specification"},
    explain=words.specification,
)
def specification_complete(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R3: objectives, deliverables, deadline, budget and acceptance criteria are written down."""
    spec = mission.specification
    if spec is None:
        return "no specification yet: objectives, deliverables, deadline, budget and acceptance criteria are required"
    missing = spec.missing_parts()
    return f"specification incomplete: missing {', '.join(missing)}" if missing else None


@trade_guard(
    "contract_signed",
    words_en="contract signed",
    words_fr="contrat signé",
    reads={"contract"},
    party=CLIENT,
    explain=words.plain("contract_signed"),
)
def contract_signed(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R4/R7: a signed quote with its amount and terms version (pro bono is an explicit 0)."""
    contract = mission.contract
    if contract is None:
        return "no signed contract: record the quote amount and the terms version"
    missing = []
    # Typed callers cannot leave the amount out, but untyped ones (a JSON import) can.
    if contract.amount is None:
        missing.append("the quote amount (0 for pro bono, never left out)")
    if not contract.terms_version.strip():
        missing.append("the terms version")
    return f"the contract is missing {' and '.join(missing)}" if missing else None


@trade_guard(
    "deposit_satisfied",
    words_en="deposit received",
    words_fr="acompte reçu",
    reads={"contract", "payments"},
    party=CLIENT,
    explain=words.deposit,
)
def deposit_satisfied(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R5/R7: payments reach the agreed deposit."""
    due = mission.deposit_due
    paid = mission.paid_total
    if paid.amount >= due.amount:
        return None
    return (
        f"deposit not received: {paid.amount:,.2f} of {due} ({mission.deposit_percent.normalize():f} %), "
        f"{(due - paid).amount:,.2f} {due.currency} still due"
    )


@trade_guard(
    "no_deposit_agreed",
    words_en="no deposit agreed (0 %)",
    words_fr="aucun acompte convenu (0 %)",
    reads={"contract"},
    terms=True,
)
def no_deposit_agreed(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R5: skipping the deposit step is only for missions agreed without a deposit."""
    if mission.deposit_percent == 0 or mission.deposit_due.amount == 0:
        return None
    return (
        f"a deposit of {mission.deposit_percent.normalize():f} % was agreed: "
        "confirm it (confirm_deposit) before starting work"
    )


@trade_guard(
    DELIVERY_GUARD,
    words_en="a deliverable of the specification",
    words_fr="un livrable du cahier des charges",
    reads={"specification"},
)
def deliverable_in_specification(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """A delivery names something the specification promised."""
    name = ctx.data.get("deliverable", "")
    expected = [d.name for d in mission.specification.deliverables] if mission.specification else []
    if not name:
        return "name the deliverable that is handed over"
    if name in expected:
        return None
    listed = ", ".join(expected) if expected else "none in the specification"
    return f"{name!r} is not a deliverable of the specification (expected one of: {listed})"


@trade_guard(
    "delivered_since_last_round",
    params={"trigger": str},
    words_en="a delivery since the last round",
    words_fr="une livraison depuis la dernière série",
    reads={"history"},
)
def delivered_since_last_round(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R8: a revision round answers a delivery; no delivery, nothing to revise."""
    rounds = triggers_tagged(ctx, REVISION, params.get("trigger"))
    # History order, not timestamps: two records may share a time (or be backdated), and
    # comparing times would then let a second round through without a new delivery.
    delivered = False
    since_last_round = False
    for record in mission.history:
        if record.trigger in rounds:
            since_last_round = False
        elif record.delivery is not None:
            delivered = since_last_round = True
    if not delivered:
        return "nothing has been delivered yet"
    if not since_last_round:
        return "nothing has been delivered since the last revision round"
    return None


@trade_guard(
    "revision_round_left",
    params={"trigger": str},
    words_en="a revision round left",
    words_fr="une série de corrections restante",
    reads={"history"},
)
def revision_round_left(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R8: included rounds, then only agreed extras."""
    used = mission.count_fired(*triggers_tagged(ctx, REVISION, params.get("trigger")))
    allowed = mission.included_revisions + mission.extra_revisions
    if used < allowed:
        return None
    used_up = f"all {allowed} revision rounds are used" if allowed != 1 else "the 1 revision round is used"
    return (
        f"{used_up} ({mission.included_revisions} included, {mission.extra_revisions} extra); "
        "agree an extra round first"
    )


@trade_guard(
    "deliverables_complete",
    words_en="every deliverable delivered",
    words_fr="tous les livrables remis",
    reads={"specification", "history", "contract"},
    explain=words.pending_deliverables,
)
def deliverables_complete(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """R10: approval (and so the invoice) waits for every deliverable, access codes included.

    With ``tacit=yes`` in the data, the client's silence stands for their answer: allowed only when
    the contract sets an acceptance period and that many days have passed since the last delivery
    without a revision request. Tacit or not, every deliverable must have been handed over.
    """
    spec = mission.specification
    if spec is None or not spec.deliverables:
        return "the specification lists no deliverable to approve"
    delivered = {name for name, _ in mission.deliveries()}
    pending = [
        f"{d.name} ({d.kind.replace('_', ' ')})" if d.kind != "deliverable" else d.name
        for d in spec.deliverables
        if d.name not in delivered
    ]
    if pending:
        return f"not delivered yet: {', '.join(pending)}"
    if ctx.data.get("tacit") != "yes":
        return None
    return tacit_approval_refused(mission, ctx, triggers_tagged(ctx, REVISION), settings_in(ctx).timezone)


@trade_guard(
    "fully_paid",
    words_en="everything invoiced is paid",
    words_fr="tout ce qui est facturé est payé",
    reads={"invoices", "payments"},
    party=CLIENT,
    explain=words.payment,
)
def fully_paid(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """Settle only when a final invoice stands (not cancelled by a credit note) and every invoice
    that stands is paid, to the cent: cancelled invoices never make "everything is paid" true."""
    if not mission.invoices:
        return "nothing has been invoiced yet"
    live = mission.live_invoices()
    if not any(invoice.kind == "final" for invoice in live):
        cancelled = [i.number for i in mission.invoices if i.kind == "final"]
        if cancelled:
            return (
                f"no final invoice stands: {', '.join(cancelled)} cancelled by a credit note; "
                "issue the final invoice again"
            )
        return "no final invoice has been issued yet"
    invoiced = Money.total((invoice.total for invoice in live), mission.currency)
    paid = mission.paid_total
    if paid.amount >= invoiced.amount:
        return None
    return f"still due: {(invoiced - paid)} of {invoiced} invoiced"


@trade_guard(
    "sessions_left",
    params={"trigger": str},
    words_en="a session left",
    words_fr="une séance restante",
    reads={"history"},
)
def sessions_left(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """Coaching: sessions are framed by the number agreed in the contract."""
    held = mission.count_fired(*triggers_tagged(ctx, SESSION, params.get("trigger")))
    if held < mission.sessions_planned:
        return None
    return f"all {mission.sessions_planned} agreed sessions are held; agree more sessions first"


@trade_guard(
    "all_sessions_held",
    params={"trigger": str},
    words_en="every agreed session held",
    words_fr="toutes les séances tenues",
    reads={"history"},
)
def all_sessions_held(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """Coaching: the programme is complete once every session is held."""
    held = mission.count_fired(*triggers_tagged(ctx, SESSION, params.get("trigger")))
    if mission.sessions_planned and held >= mission.sessions_planned:
        return None
    return f"{held} of {mission.sessions_planned} agreed sessions held"


@trade_guard(
    "has_invoice",
    words_en="an invoice for the period",
    words_fr="une facture pour la période",
    reads={"invoices"},
)
def has_invoice(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """Retainer: a period closes with its invoice (one that stands: a cancelled one does not count)."""
    return None if mission.live_invoices() else "no invoice has been issued yet"
