"""The client-facing status report (R9), as a model: what is done, where the mission stands and
what it waits for, what remains, the deliverables, the revision rounds and the money, in English
or French. Its words come from the workflow file (``done``, ``next``, ``outcome``) and from the
guards (what each waits for); :mod:`missionflow.reports.status_render` writes it out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from missionflow.errors import GuardResult
from missionflow.freelance import InvoiceRecord, Mission, Settings, context_of
from missionflow.freelance.as_of import mission_as_of
from missionflow.freelance.vocabulary import REVISION
from missionflow.money import Money
from missionflow.reports.accounts import MissionAccount, compute_account
from missionflow.reports.progress import assess_progress
from missionflow.reports.text import check_lang
from missionflow.reports.words import TEXT
from missionflow.workflow import (
    GuardContext,
    StateKind,
    TriggerOption,
    WorkflowDefinition,
    get_guard,
    workflow_for,
)


@dataclass(frozen=True)
class StatusStep:
    """One step done, in the client's words, on its (local) day."""

    text: str
    on: date


@dataclass(frozen=True)
class DeliverableStatus:
    """A deliverable of the specification and the day it was last handed over (None: pending)."""

    name: str
    kind: str
    delivered_on: date | None


@dataclass(frozen=True)
class RevisionRounds:
    """The revision rounds of the contract (R8): included, agreed as extras, and used."""

    included: int
    extra: int
    used: int

    @property
    def allowed(self) -> int:
        """Every round the client may ask for."""
        return self.included + self.extra

    @property
    def left(self) -> int:
        """The rounds the client may still ask for."""
        return max(self.allowed - self.used, 0)


@dataclass(frozen=True)
class StatusReport:
    """Everything the status report says, already in the report's language.

    ``outcome`` is None while the mission is open, ``complete`` once it ended well and
    ``closed`` after an exit (declined, terminated), with ``closing`` saying so in words;
    ``waiting_for`` is empty when the next step can happen now.
    """

    lang: str
    mission: str
    title: str
    client: str
    freelancer: str
    on: date
    state: str
    state_label: str
    outcome: str | None
    closing: str | None
    next_step: str | None
    waiting_for: tuple[str, ...]
    waiting_on: str | None
    done: tuple[StatusStep, ...]
    remaining: tuple[str, ...]
    deliverables: tuple[DeliverableStatus, ...]
    revisions: RevisionRounds | None
    agreed: Money | None
    contract_signed: bool
    account: MissionAccount

    def text(self, key: str, **values: str) -> str:
        """A fixed sentence of the report in its language."""
        return TEXT[self.lang][key].format(**values)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _label(definition: WorkflowDefinition, state: str, lang: str) -> str:
    return definition.state(state).label.in_lang(lang)


def _trigger_label(definition: WorkflowDefinition, trigger: str, lang: str) -> str:
    for transition in definition.transitions:
        if transition.trigger == trigger and transition.label is not None:
            return transition.label.in_lang(lang)
    return trigger.replace("_", " ").capitalize()


def _explain(result: GuardResult, mission: Mission, ctx: GuardContext, lang: str) -> str:
    """What a blocking guard waits for, in words a client understands (the guard's own words,
    else what it checks, else its reason)."""
    spec = get_guard(result.guard)
    if spec is not None and spec.explain is not None:
        words = spec.explain(mission, ctx, lang)
        if words is not None:
            return words
    if lang != "en" and spec is not None:
        return spec.describe(lang)
    return result.reason or result.guard


def _waiting_for(
    forward: tuple[TriggerOption, ...], mission: Mission, ctx: GuardContext, lang: str
) -> tuple[str, ...]:
    if any(option.allowed for option in forward):
        return ()
    seen: dict[str, str] = {}
    for option in forward:
        for result in option.results:
            if not result.ok and result.guard not in seen:
                seen[result.guard] = _explain(result, mission, ctx, lang)
    return tuple(seen.values())


def _done(mission: Mission, definition: WorkflowDefinition, lang: str, zone: ZoneInfo) -> list[StatusStep]:
    """Every step of the history, as the workflow says it happened (``done:``), numbered per trigger."""
    steps = []
    counts: dict[str, int] = {}
    for record in mission.history:
        transition = definition.transition(record.source, record.trigger)
        if record.source == record.dest and (transition is None or transition.done is None):
            # An internal step with nothing to tell the client (no ``done:`` words): a reminder
            # fired by a timer, or an entry no workflow declares.
            continue
        counts[record.trigger] = counts.get(record.trigger, 0) + 1
        if transition is None or transition.done is None:
            text = _trigger_label(definition, record.trigger, lang)
        else:
            deliverable = record.delivery or record.data.get("deliverable", "")
            text = transition.done.in_lang(lang).format(
                deliverable=deliverable, number=str(counts[record.trigger])
            )
        steps.append(StatusStep(text, _local_day(record.at, zone)))
    return steps


def _outcome(definition: WorkflowDefinition, state_id: str) -> str | None:
    state = definition.state(state_id)
    if not state.final:
        return None
    return "closed" if state.kind is StateKind.EXIT else "complete"


def _closing(mission: Mission, definition: WorkflowDefinition, lang: str, show_reason: bool) -> str:
    """How the mission ended, in the words of its final state (``outcome:``); the reason of a way
    out is the freelancer's note, shown only when ``show_reason`` says so."""
    state = definition.state(mission.state)
    words = TEXT[lang]
    label = state.label.in_lang(lang)
    if state.outcome is not None:
        sentence = state.outcome.in_lang(lang)
    else:
        sentence = words["closed_generic" if state.kind is StateKind.EXIT else "complete_generic"].format(
            state=label
        )
    if state.kind is StateKind.EXIT and show_reason:
        reason = next((r.note for r in reversed(mission.history) if r.dest == mission.state), "")
        return f"{sentence} {words['reason'].format(reason=reason)}" if reason.strip() else sentence
    return sentence


def _next_step(definition: WorkflowDefinition, option: TriggerOption, lang: str) -> str:
    transition = definition.transition(option.source, option.trigger)
    if transition is not None and transition.next is not None:
        return transition.next.in_lang(lang)
    return _trigger_label(definition, option.trigger, lang).lower()


def build_status_report(
    mission: Mission,
    *,
    invoices: Sequence[InvoiceRecord] = (),
    settings: Settings | None = None,
    lang: str = "en",
    at: datetime | None = None,
    overdue: Mapping[str, Money] | None = None,
    facts: Mapping[str, object] | None = None,
    show_reason: bool = False,
) -> StatusReport:
    """The status report of an in-memory ``mission`` as it stood at ``at`` (its invoices' dates
    from ``invoices``, as :meth:`Store.list_invoices` gives them): what happened later is left
    out, and the guards are evaluated at ``at`` (with the application's ``facts``, as a store's
    fire would). ``overdue`` maps missions to what the store's ``overdue`` found late (see
    :func:`overdue_by_mission`): with it, the report follows the payment plan.

    Internal entries of the history (reminders) are left out; the reason written when the
    mission was declined or terminated is shown only with ``show_reason``."""
    check_lang(lang)
    settings = settings or Settings()
    moment = at or datetime.now(UTC)
    zone = ZoneInfo(settings.timezone)
    today = _local_day(moment, zone)
    mission = mission_as_of(mission, moment, settings.timezone)
    definition = workflow_for(mission).definition
    progress = assess_progress(mission, at=moment, settings=settings, facts=facts)
    ctx = context_of(mission, settings, at=moment, facts=facts)
    option = progress.next_option
    next_step = _next_step(definition, option, lang) if option is not None else None
    delivered: dict[str, date] = {}
    for name, when in mission.deliveries():
        delivered[name] = _local_day(when, zone)
    spec = mission.specification
    deliverables = tuple(
        DeliverableStatus(d.name, d.kind, delivered.get(d.name)) for d in (spec.deliverables if spec else ())
    )
    revisions = None
    rounds = definition.triggers_tagged(REVISION)
    if rounds:
        revisions = RevisionRounds(
            mission.included_revisions, mission.extra_revisions, mission.count_fired(*rounds)
        )
    late = overdue.get(mission.ref, Money.zero(mission.currency)) if overdue is not None else None
    account = compute_account(mission.currency, invoices, mission.payments, on=today, overdue=late)
    return StatusReport(
        lang=lang,
        mission=mission.ref,
        title=mission.title,
        client=mission.client.name,
        freelancer=settings.legal_name.strip() or settings.name,
        on=today,
        state=mission.state,
        state_label=_label(definition, mission.state, lang),
        outcome=_outcome(definition, mission.state),
        closing=_closing(mission, definition, lang, show_reason) if progress.final else None,
        next_step=next_step,
        waiting_for=_waiting_for(progress.forward, mission, ctx, lang),
        waiting_on=progress.waiting_on,
        done=tuple(_done(mission, definition, lang, zone)),
        remaining=tuple(_label(definition, s, lang) for s in progress.remaining),
        deliverables=deliverables,
        revisions=revisions,
        agreed=mission.agreed_gross,
        contract_signed=mission.contract is not None,
        account=account,
    )
