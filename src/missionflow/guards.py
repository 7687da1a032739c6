"""Guards: named, parametrised predicates that say yes or give a human reason.

A guard never changes anything, so the engine can evaluate every guard of every
trigger to explain what is possible. Applications add their own with
:func:`register_guard` or through the entry-point group ``missionflow.guards``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from missionflow.definition import GuardParam
from missionflow.errors import InvalidValueError
from missionflow.mission import DELIVERY_GUARD, Mission
from missionflow.plugins import declared
from missionflow.settings import Settings

GuardFunc = Callable[[Mission, "GuardContext", Mapping[str, GuardParam]], str | None]
"""A guard: returns None to allow, or the reason it blocks."""

ENTRY_POINT_GROUP = "missionflow.guards"

FACTS = frozenset(
    {"client", "criteria_answers", "specification", "contract", "payments", "invoices", "history"}
)
"""The parts of a Mission a store reads from separate rows; a guard declares those it reads.

The mission's own fields (state, amount, deposit, deadline, revision counts...) are always there.
"""


@dataclass(frozen=True)
class GuardContext:
    """What a guard may read besides the mission: the time, the settings and the trigger's data."""

    now: datetime
    settings: Settings = field(default_factory=Settings)
    data: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class GuardSpec:
    """A registered guard: its function, the parameters it accepts, what it checks in words, and
    the facts of the mission it reads (``reads``, a subset of FACTS; all of them unless declared)."""

    name: str
    func: GuardFunc
    params: Mapping[str, type] = field(default_factory=dict)
    words: str = ""
    words_fr: str = ""
    reads: frozenset[str] = FACTS

    def describe(self, lang: str = "en") -> str:
        """What the guard checks, in a few words, for diagrams and reports."""
        text = self.words_fr if lang == "fr" and self.words_fr else self.words
        return text or self.name.replace("_", " ")


_REGISTRY: dict[str, GuardSpec] = {}
_entry_points_loaded = False


def register_guard(
    name: str,
    *,
    params: Mapping[str, type] | None = None,
    words: str = "",
    words_fr: str = "",
    reads: Iterable[str] | None = None,
) -> Callable[[GuardFunc], GuardFunc]:
    """Register ``func`` as the guard ``name`` (a decorator).

    ``reads`` names the facts of the mission the guard looks at, among FACTS (``client``,
    ``criteria_answers``, ``specification``, ``contract``, ``payments``, ``invoices``,
    ``history``): a store firing a transition loads only what its guards read, so a guard sees
    the defaults (no contract, an empty history...) for a fact it did not declare. Without
    ``reads``, the guard is given every fact.

    >>> @register_guard("has_title", words="the mission has a title", reads=())
    ... def has_title(mission, ctx, params):
    ...     return None if mission.title else "the mission has no title"
    """
    if isinstance(reads, str):
        raise InvalidValueError("reads", f"give a set of facts, like {{{reads!r}}}, not one text")
    declared = FACTS if reads is None else frozenset(reads)
    unknown = sorted(declared - FACTS)
    if unknown:
        raise InvalidValueError(
            "reads", f"{', '.join(unknown)}: not facts of a mission; facts: {', '.join(sorted(FACTS))}"
        )

    def decorator(func: GuardFunc) -> GuardFunc:
        _REGISTRY[name] = GuardSpec(name, func, dict(params or {}), words, words_fr, declared)
        return func

    return decorator


def _load_entry_points() -> None:
    """Import guards that installed packages declare, once per process.

    An entry point may name a module (its ``@register_guard`` functions register on import), a
    function already registered that way (its parameters declared), a GuardSpec, or a plain
    guard function (registered under the entry point's name, without parameters). A package
    that fails to import is logged and skipped: workflows that use its guards then report them
    as unknown, the others keep working.
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in declared(ENTRY_POINT_GROUP):
        try:
            target = entry.load()
        except Exception:
            logging.getLogger(__name__).exception("cannot load the guard entry point %s", entry.value)
            continue
        if entry.name in _REGISTRY:
            continue
        if isinstance(target, GuardSpec):
            _REGISTRY[entry.name] = replace(target, name=entry.name)
        elif callable(target) and not isinstance(target, type):
            words = (getattr(target, "__doc__", "") or "").strip().split("\n")[0]
            register_guard(entry.name, words=words)(target)


def get_guard(name: str) -> GuardSpec | None:
    """The guard registered under ``name``, looking at entry points once when needed."""
    spec = _REGISTRY.get(name)
    if spec is None and not _entry_points_loaded:
        _load_entry_points()
        spec = _REGISTRY.get(name)
    return spec


def guard_names() -> list[str]:
    """Every known guard name, sorted."""
    _load_entry_points()
    return sorted(_REGISTRY)


# --- the built-in guards of the shipped workflows -------------------------------------------


@register_guard(
    "client_not_blocked", words="client not blocked", words_fr="client non bloqué", reads={"client"}
)
def client_not_blocked(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """R1/R11: a blocked client cannot start a new collaboration."""
    client = mission.client
    if not client.blocked:
        return None
    why = f": {client.blocked_reason}" if client.blocked_reason else ""
    return f"client {client.name} is blocked{why}"


@register_guard(
    "criteria_met",
    words="must-have criteria met",
    words_fr="critères indispensables remplis",
    reads={"criteria_answers"},
)
def criteria_met(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """R1: every must-have criterion of the settings is answered yes."""
    problems = []
    for criterion in ctx.settings.criteria:
        if not criterion.must_have:
            continue
        answer = mission.criteria_answers.get(criterion.name)
        if answer is None:
            problems.append(f"criterion {criterion.name!r} is not answered ({criterion.question})")
        elif not answer.met:
            problems.append(f"must-have criterion {criterion.name!r} is not met")
    return "; ".join(problems) or None


@register_guard(
    "lead_time_respected",
    params={"minimum_days": int},
    words="deadline leaves the minimum lead time",
    words_fr="délai minimal respecté",
    reads=(),
)
def lead_time_respected(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """R2: refuse ultra-tight deadlines unless a rush surcharge is agreed."""
    if mission.deadline is None or mission.rush_surcharge is not None:
        return None
    minimum = params.get("minimum_days")
    minimum_days = minimum if isinstance(minimum, int) else ctx.settings.minimum_lead_days
    days = (mission.deadline - ctx.now.date()).days
    if days >= minimum_days:
        return None
    return (
        f"deadline {mission.deadline.isoformat()} is {days} day{'s' if days != 1 else ''} away, "
        f"less than the minimum lead time of {minimum_days} days (record a rush surcharge to accept it)"
    )


@register_guard("reason_given", words="a reason is given", words_fr="une raison est donnée", reads=())
def reason_given(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """Exits are recorded with why they happened."""
    return None if ctx.note.strip() else "a reason is required (give it as the note)"


@register_guard(
    "specification_complete",
    words="specification complete",
    words_fr="cahier des charges complet",
    reads={"specification"},
)
def specification_complete(
    mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]
) -> str | None:
    """R3: objectives, deliverables, deadline, budget and acceptance criteria are written down."""
    spec = mission.specification
    if spec is None:
        return "no specification yet: objectives, deliverables, deadline, budget and acceptance criteria are required"
    missing = spec.missing_parts()
    return f"specification incomplete: missing {', '.join(missing)}" if missing else None


@register_guard("contract_signed", words="contract signed", words_fr="contrat signé", reads={"contract"})
def contract_signed(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
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


@register_guard(
    "deposit_satisfied", words="deposit received", words_fr="acompte reçu", reads={"contract", "payments"}
)
def deposit_satisfied(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """R5/R7: payments reach the agreed deposit."""
    due = mission.deposit_due
    paid = mission.paid_total
    if paid.amount >= due.amount:
        return None
    return (
        f"deposit not received: {paid.amount:,.2f} of {due} ({mission.deposit_percent.normalize():f} %), "
        f"{(due - paid).amount:,.2f} {due.currency} still due"
    )


@register_guard(
    "no_deposit_agreed",
    words="no deposit agreed (0 %)",
    words_fr="aucun acompte convenu (0 %)",
    reads={"contract"},
)
def no_deposit_agreed(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """R5: skipping the deposit step is only for missions agreed without a deposit."""
    if mission.deposit_percent == 0 or mission.deposit_due.amount == 0:
        return None
    return (
        f"a deposit of {mission.deposit_percent.normalize():f} % was agreed: "
        "confirm it (confirm_deposit) before starting work"
    )


@register_guard(
    DELIVERY_GUARD,
    words="a deliverable of the specification",
    words_fr="un livrable du cahier des charges",
    reads={"specification"},
)
def deliverable_in_specification(
    mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]
) -> str | None:
    """A delivery names something the specification promised."""
    name = ctx.data.get("deliverable", "")
    expected = [d.name for d in mission.specification.deliverables] if mission.specification else []
    if not name:
        return "name the deliverable that is handed over"
    if name in expected:
        return None
    listed = ", ".join(expected) if expected else "none in the specification"
    return f"{name!r} is not a deliverable of the specification (expected one of: {listed})"


@register_guard(
    "delivered_since_last_round",
    params={"trigger": str},
    words="a delivery since the last round",
    words_fr="une livraison depuis la dernière série",
    reads={"history"},
)
def delivered_since_last_round(
    mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]
) -> str | None:
    """R8: a revision round answers a delivery; no delivery, nothing to revise."""
    trigger = str(params.get("trigger") or "request_revision")
    # History order, not timestamps: two records may share a time (or be backdated), and
    # comparing times would then let a second round through without a new delivery.
    delivered = False
    since_last_round = False
    for record in mission.history:
        if record.trigger == trigger:
            since_last_round = False
        elif record.delivery is not None:
            delivered = since_last_round = True
    if not delivered:
        return "nothing has been delivered yet"
    if not since_last_round:
        return "nothing has been delivered since the last revision round"
    return None


@register_guard(
    "revision_round_left",
    params={"trigger": str},
    words="a revision round left",
    words_fr="une série de corrections restante",
    reads={"history"},
)
def revision_round_left(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """R8: included rounds, then only agreed extras."""
    trigger = str(params.get("trigger") or "request_revision")
    used = mission.count_fired(trigger)
    allowed = mission.included_revisions + mission.extra_revisions
    if used < allowed:
        return None
    used_up = f"all {allowed} revision rounds are used" if allowed != 1 else "the 1 revision round is used"
    return (
        f"{used_up} ({mission.included_revisions} included, {mission.extra_revisions} extra); "
        "agree an extra round first"
    )


@register_guard(
    "deliverables_complete",
    words="every deliverable delivered",
    words_fr="tous les livrables remis",
    reads={"specification", "history", "contract"},
)
def deliverables_complete(
    mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]
) -> str | None:
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
    return _tacit_approval_refused(mission, ctx)


def _tacit_approval_refused(mission: Mission, ctx: GuardContext) -> str | None:
    """Why the client's silence cannot count as approval yet, or None when it can."""
    days = mission.contract.acceptance_days if mission.contract is not None else None
    if not days:
        return "tacit approval needs an acceptance period in the contract; the client must approve"
    last_delivery: datetime | None = None
    for record in mission.history:
        if record.delivery is not None:
            last_delivery = record.at
        elif record.trigger == "request_revision":
            # The client answered this delivery with corrections: silence is counted again
            # from the next delivery only.
            last_delivery = None
    if last_delivery is None:
        return (
            "tacit approval counts from a delivery, and nothing was delivered since the last revision request"
        )
    from_when = last_delivery + timedelta(days=days)
    if ctx.now >= from_when:
        return None
    local = ZoneInfo(ctx.settings.timezone)
    return (
        f"tacit approval is possible from {from_when.astimezone(local):%Y-%m-%d %H:%M}, "
        f"{days} day{'s' if days != 1 else ''} after the last delivery "
        f"({last_delivery.astimezone(local):%Y-%m-%d %H:%M}) without an answer from the client"
    )


@register_guard(
    "fully_paid",
    words="everything invoiced is paid",
    words_fr="tout ce qui est facturé est payé",
    reads={"invoices", "payments"},
)
def fully_paid(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """Settle only when the balance is zero, to the cent."""
    invoiced = mission.invoiced_total
    paid = mission.paid_total
    if not mission.invoices:
        return "nothing has been invoiced yet"
    if paid.amount >= invoiced.amount:
        return None
    return f"still due: {(invoiced - paid)} of {invoiced} invoiced"


@register_guard(
    "sessions_left",
    params={"trigger": str},
    words="a session left",
    words_fr="une séance restante",
    reads={"history"},
)
def sessions_left(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """Coaching: sessions are framed by the number agreed in the contract."""
    held = mission.count_fired(str(params.get("trigger") or "hold_session"))
    if held < mission.sessions_planned:
        return None
    return f"all {mission.sessions_planned} agreed sessions are held; agree more sessions first"


@register_guard(
    "all_sessions_held",
    params={"trigger": str},
    words="every agreed session held",
    words_fr="toutes les séances tenues",
    reads={"history"},
)
def all_sessions_held(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """Coaching: the programme is complete once every session is held."""
    held = mission.count_fired(str(params.get("trigger") or "hold_session"))
    if mission.sessions_planned and held >= mission.sessions_planned:
        return None
    return f"{held} of {mission.sessions_planned} agreed sessions held"


@register_guard(
    "has_invoice",
    words="an invoice for the period",
    words_fr="une facture pour la période",
    reads={"invoices"},
)
def has_invoice(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """Retainer: a period closes with its invoice."""
    return None if mission.invoices else "no invoice has been issued yet"
