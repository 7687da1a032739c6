"""The pipeline report: how many missions are in each state, the money at each stage (signed,
invoiced, overdue, paid this month), who each mission waits on (the client or the freelancer,
see :mod:`missionflow.reports.progress`), the oldest mission of each open state, and a funnel
of how far the missions of a workflow went."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from missionflow.freelance import DEFAULT_WORKFLOW, InvoiceRecord, Mission, Settings
from missionflow.freelance.as_of import mission_as_of
from missionflow.freelance.vocabulary import CLIENT, FREELANCER
from missionflow.money import Money
from missionflow.reports.accounts import compute_account
from missionflow.reports.progress import assess_progress
from missionflow.workflow import StateKind, WorkflowDefinition, load_workflow, workflow_for


@dataclass(frozen=True)
class OldestMission:
    """The mission that has been in a state the longest, and since when (its local day)."""

    ref: str
    title: str
    client: str
    since: date
    days: int


@dataclass(frozen=True)
class PipelineStage:
    """One state of the pipeline: its missions, who they wait on, and the money at that stage.

    ``signed`` sums the contracts of the missions in the state, ``invoiced`` and ``overdue`` their
    invoices (credit notes deducted) and unpaid invoices past due, ``paid_this_month`` the
    payments received since the first of the report's month. ``oldest`` is None for a final state.
    """

    state: str
    label: str
    final: bool
    missions: int
    waiting_on_client: int
    waiting_on_freelancer: int
    signed: Money
    invoiced: Money
    overdue: Money
    paid_this_month: Money
    oldest: OldestMission | None


@dataclass(frozen=True)
class FunnelStep:
    """A stage of the funnel: how many missions ever reached it, and how many are in it now."""

    state: str
    label: str
    reached: int
    current: int


@dataclass(frozen=True)
class PipelineReport:
    """Every state of the workflows in use (the default workflow's always), in lifecycle order.

    Money counts missions in ``currency`` only; the others are counted in ``excluded_missions``.
    """

    on: date
    currency: str
    stages: tuple[PipelineStage, ...]
    funnel_workflow: str
    funnel: tuple[FunnelStep, ...]
    excluded_missions: int = 0

    def stage(self, state: str) -> PipelineStage:
        """The stage of ``state`` (KeyError when the report has none)."""
        for stage in self.stages:
            if stage.state == state:
                return stage
        raise KeyError(state)

    def _sum(self, attribute: str) -> Money:
        total = Money.zero(self.currency)
        for stage in self.stages:
            total = total + getattr(stage, attribute)
        return total

    @property
    def missions(self) -> int:
        """Every mission."""
        return sum(s.missions for s in self.stages)

    @property
    def waiting_on_client(self) -> int:
        """Open missions that wait on the client."""
        return sum(s.waiting_on_client for s in self.stages)

    @property
    def waiting_on_freelancer(self) -> int:
        """Open missions that wait on the freelancer."""
        return sum(s.waiting_on_freelancer for s in self.stages)

    @property
    def signed(self) -> Money:
        """Contracts of every mission."""
        return self._sum("signed")

    @property
    def invoiced(self) -> Money:
        """Invoiced on every mission, credit notes deducted."""
        return self._sum("invoiced")

    @property
    def overdue(self) -> Money:
        """Unpaid invoices past their due date."""
        return self._sum("overdue")

    @property
    def paid_this_month(self) -> Money:
        """Payments received since the first of the month."""
        return self._sum("paid_this_month")


@dataclass
class _Stage:
    state: str
    label: str
    final: bool
    currency: str
    missions: int = 0
    on_client: int = 0
    on_freelancer: int = 0
    signed: Money | None = None
    invoiced: Money | None = None
    overdue: Money | None = None
    paid: Money | None = None
    oldest: OldestMission | None = None

    def add(self, signed: Money, invoiced: Money, overdue: Money, paid: Money) -> None:
        zero = Money.zero(self.currency)
        self.signed = (self.signed or zero) + signed
        self.invoiced = (self.invoiced or zero) + invoiced
        self.overdue = (self.overdue or zero) + overdue
        self.paid = (self.paid or zero) + paid

    def frozen(self) -> PipelineStage:
        zero = Money.zero(self.currency)
        return PipelineStage(
            state=self.state,
            label=self.label,
            final=self.final,
            missions=self.missions,
            waiting_on_client=self.on_client,
            waiting_on_freelancer=self.on_freelancer,
            signed=self.signed or zero,
            invoiced=self.invoiced or zero,
            overdue=self.overdue or zero,
            paid_this_month=self.paid or zero,
            oldest=self.oldest,
        )


def entered_state(mission: Mission, created: datetime | None) -> datetime | None:
    """When ``mission`` entered its current state: the last transition into it, else its creation."""
    for record in reversed(mission.history):
        if record.dest == mission.state and record.source != mission.state:
            return record.at
    return created if not mission.history else None


def build_pipeline_report(
    missions: Iterable[Mission],
    invoices: Iterable[InvoiceRecord],
    *,
    currency: str,
    at: datetime,
    settings: Settings | None = None,
    created: Mapping[str, datetime] | None = None,
    funnel_workflow: str = DEFAULT_WORKFLOW,
    overdue: Mapping[str, Money] | None = None,
) -> PipelineReport:
    """The pipeline on the day of ``at`` from missions and invoices (as the store gives them), each
    mission as it stood then (what happened later is left out).

    ``created`` maps mission references to their creation time (the age of a mission that never
    moved; a mission created after ``at`` is left out); guards are evaluated at ``at`` under
    ``settings`` to tell who a mission waits on. "Signed" is everything agreed on the signed
    missions (contract, rush surcharge, amendments, extra rounds); ``overdue`` maps missions to
    what the store's ``overdue`` found late, following payment plans.
    """
    settings = settings or Settings()
    zone = ZoneInfo(settings.timezone)
    on = at.astimezone(zone).date()
    month_start = on.replace(day=1)
    created = created or {}
    missions = [
        mission_as_of(m, at, settings.timezone)
        for m in missions
        if m.ref not in created or created[m.ref] <= at
    ]
    by_mission: dict[str, list[InvoiceRecord]] = {}
    for invoice in invoices:
        by_mission.setdefault(invoice.mission, []).append(invoice)
    chosen = list(missions)
    definitions: dict[str, WorkflowDefinition] = {}
    default = load_workflow(DEFAULT_WORKFLOW)
    definitions[default.key] = default
    for mission in sorted(
        chosen, key=lambda m: (m.workflow != DEFAULT_WORKFLOW, m.workflow, m.workflow_version)
    ):
        definition = workflow_for(mission).definition
        definitions.setdefault(definition.key, definition)
    stages: dict[str, _Stage] = {}
    for definition in definitions.values():
        for state in definition.states:
            if state.id not in stages:
                stages[state.id] = _Stage(state.id, state.label.in_lang("en"), state.final, currency)
    excluded = 0
    funnel_reached: dict[str, int] = {}
    funnel_definition = next((d for d in definitions.values() if d.name == funnel_workflow), None)
    for mission in chosen:
        stage = stages[mission.state]
        stage.missions += 1
        progress = assess_progress(mission, at=at, settings=settings)
        if progress.waiting_on == CLIENT:
            stage.on_client += 1
        elif progress.waiting_on == FREELANCER:
            stage.on_freelancer += 1
        if not stage.final:
            entered = entered_state(mission, created.get(mission.ref))
            if entered is not None:
                since = entered.astimezone(zone).date()
                if stage.oldest is None or since < stage.oldest.since:
                    stage.oldest = OldestMission(
                        mission.ref, mission.title, mission.client.name, since, (on - since).days
                    )
        if funnel_definition is not None and mission.workflow == funnel_workflow:
            visited = {
                funnel_definition.initial,
                mission.state,
                *(r.dest for r in mission.history if r.at <= at),
            }
            for state_id in visited:
                funnel_reached[state_id] = funnel_reached.get(state_id, 0) + 1
        if mission.currency != currency:
            excluded += 1
            continue
        records = by_mission.get(mission.ref, [])
        late = overdue.get(mission.ref, Money.zero(currency)) if overdue is not None else None
        whole = compute_account(currency, records, mission.payments, on=on, overdue=late)
        month = compute_account(currency, records, mission.payments, on=on, since=month_start)
        signed = mission.agreement.total if mission.contract is not None else Money.zero(currency)
        stage.add(signed, whole.invoiced, whole.overdue, month.paid)
    funnel: list[FunnelStep] = []
    if funnel_definition is not None:
        funnel = [
            FunnelStep(
                s.id,
                s.label.in_lang("en"),
                funnel_reached.get(s.id, 0),
                stages[s.id].missions if s.id in stages else 0,
            )
            for s in funnel_definition.states
            if s.kind is not StateKind.EXIT
        ]
    return PipelineReport(
        on=on,
        currency=currency,
        stages=tuple(s.frozen() for s in stages.values()),
        funnel_workflow=funnel_workflow,
        funnel=tuple(funnel),
        excluded_missions=excluded,
    )


# --- renderers ---------------------------------------------------------------------------------
