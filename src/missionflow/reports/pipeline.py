"""The pipeline report: how many missions are in each state, the money at each stage (signed,
invoiced, overdue, paid this month), who each mission waits on (the client or the freelancer,
see :mod:`missionflow.reports.progress`), the oldest mission of each open state, and a funnel
of how far the missions of a workflow went."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from missionflow.definition import StateKind, WorkflowDefinition
from missionflow.engine import workflow_for
from missionflow.errors import InvalidValueError
from missionflow.loading import DEFAULT_WORKFLOW, load_workflow
from missionflow.mission import Mission
from missionflow.money import Money
from missionflow.persistence import InvoiceRecord, Store
from missionflow.reports import html as page
from missionflow.reports.accounts import compute_account
from missionflow.reports.charts import FunnelStage, funnel_chart
from missionflow.reports.progress import CLIENT, FREELANCER, assess_progress
from missionflow.reports.text import format_money, format_number, plain_amount, report_moment, text_table
from missionflow.settings import Settings

PIPELINE_FORMATS = ("table", "json", "html")
"""The formats of :func:`pipeline_report`."""


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
) -> PipelineReport:
    """The pipeline on the day of ``at`` from missions and invoices (as the store gives them).

    ``created`` maps mission references to their creation time (the age of a mission that never
    moved); guards are evaluated at ``at`` under ``settings`` to tell who a mission waits on.
    """
    settings = settings or Settings()
    zone = ZoneInfo(settings.timezone)
    on = at.astimezone(zone).date()
    month_start = on.replace(day=1)
    created = created or {}
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
                stages[state.id] = _Stage(state.id, state.label.en, state.final, currency)
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
        whole = compute_account(currency, records, mission.payments, on=on)
        month = compute_account(currency, records, mission.payments, on=on, since=month_start)
        signed = mission.contract.amount if mission.contract is not None else Money.zero(currency)
        stage.add(signed, whole.invoiced, whole.overdue, month.paid)
    funnel: list[FunnelStep] = []
    if funnel_definition is not None:
        funnel = [
            FunnelStep(
                s.id, s.label.en, funnel_reached.get(s.id, 0), stages[s.id].missions if s.id in stages else 0
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


def _headers(currency: str) -> tuple[str, ...]:
    return (
        "State",
        "Missions",
        "On client",
        "On freelancer",
        f"Signed {currency}",
        f"Invoiced {currency}",
        f"Overdue {currency}",
        f"Paid this month {currency}",
        "Days in state",
        "Oldest mission",
    )


_NUMERIC = (1, 2, 3, 4, 5, 6, 7, 8)


def _cells(stage: PipelineStage) -> list[str]:
    oldest = stage.oldest
    return [
        stage.label,
        str(stage.missions),
        str(stage.waiting_on_client),
        str(stage.waiting_on_freelancer),
        format_number(stage.signed.amount),
        format_number(stage.invoiced.amount),
        format_number(stage.overdue.amount),
        format_number(stage.paid_this_month.amount),
        str(oldest.days) if oldest is not None else "",
        f"{oldest.ref} {oldest.title} (since {oldest.since.isoformat()})" if oldest is not None else "",
    ]


def _total_cells(report: PipelineReport) -> list[str]:
    return [
        "Total",
        str(report.missions),
        str(report.waiting_on_client),
        str(report.waiting_on_freelancer),
        format_number(report.signed.amount),
        format_number(report.invoiced.amount),
        format_number(report.overdue.amount),
        format_number(report.paid_this_month.amount),
        "",
        "",
    ]


def _notes(report: PipelineReport) -> list[str]:
    notes = [
        "On client / on freelancer: who must act for the mission to move forward (the client pays the "
        "deposit, signs, approves and pays invoices; the freelancer does the rest).",
        f"Paid this month: payments received from {report.on.replace(day=1).isoformat()} to {report.on.isoformat()}.",
    ]
    if report.excluded_missions:
        notes.append(
            f"{report.excluded_missions} mission(s) in another currency than {report.currency} "
            "are counted but their money is not."
        )
    return notes


def render_pipeline_table(report: PipelineReport) -> str:
    """The report as aligned text for a terminal."""
    rows = [_cells(s) for s in report.stages] + [_total_cells(report)]
    lines = [
        f"Pipeline on {report.on.isoformat()} ({report.currency}): {report.missions} missions, "
        f"{report.waiting_on_client} waiting on clients, {report.waiting_on_freelancer} on you",
        "",
        text_table(_headers(report.currency), rows, right=_NUMERIC),
        "",
        *_notes(report),
    ]
    return "\n".join(lines) + "\n"


def render_pipeline_json(report: PipelineReport) -> str:
    """The report as one JSON document; amounts are exact decimal strings, never floats."""

    def stage_json(s: PipelineStage) -> dict[str, object]:
        return {
            "state": s.state,
            "label": s.label,
            "final": s.final,
            "missions": s.missions,
            "waiting_on_client": s.waiting_on_client,
            "waiting_on_freelancer": s.waiting_on_freelancer,
            "signed": plain_amount(s.signed),
            "invoiced": plain_amount(s.invoiced),
            "overdue": plain_amount(s.overdue),
            "paid_this_month": plain_amount(s.paid_this_month),
            "oldest": None
            if s.oldest is None
            else {
                "ref": s.oldest.ref,
                "title": s.oldest.title,
                "client": s.oldest.client,
                "since": s.oldest.since.isoformat(),
                "days": s.oldest.days,
            },
        }

    document = {
        "on": report.on.isoformat(),
        "currency": report.currency,
        "states": [stage_json(s) for s in report.stages],
        "totals": {
            "missions": report.missions,
            "waiting_on_client": report.waiting_on_client,
            "waiting_on_freelancer": report.waiting_on_freelancer,
            "signed": plain_amount(report.signed),
            "invoiced": plain_amount(report.invoiced),
            "overdue": plain_amount(report.overdue),
            "paid_this_month": plain_amount(report.paid_this_month),
        },
        "funnel": {
            "workflow": report.funnel_workflow,
            "stages": [
                {"state": f.state, "label": f.label, "reached": f.reached, "current": f.current}
                for f in report.funnel
            ],
        },
        "excluded_missions": report.excluded_missions,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_pipeline_html(report: PipelineReport) -> str:
    """The report as one self-contained HTML page with a funnel chart."""
    esc = page.esc
    chart = funnel_chart(
        [FunnelStage(f.label, f.reached, f"{f.current} here now") for f in report.funnel],
        title=f"How far the {report.funnel_workflow} missions went",
    )
    rows = [[esc(c) for c in _cells(s)] for s in report.stages] + [[esc(c) for c in _total_cells(report)]]
    classes = ["" for _ in report.stages] + ["total"]
    summary = (
        f"{report.missions} missions: {report.waiting_on_client} waiting on clients, "
        f"{report.waiting_on_freelancer} waiting on you. Overdue: {format_money(report.overdue)}. "
        f"Paid this month: {format_money(report.paid_this_month)}."
    )
    body = [
        f'<p class="lead"><strong>{esc(summary)}</strong></p>',
        "<section><h2>Funnel</h2>",
        f"<figure>{chart}<figcaption>Each bar: the {esc(report.funnel_workflow)} missions that reached the "
        "stage; on the right, how many are in it now.</figcaption></figure>",
        "</section>",
        "<section><h2>States</h2>",
        page.table(
            _headers(report.currency), rows, numeric=_NUMERIC, row_classes=classes, raw=tuple(range(10))
        ),
        *(f'<p class="note">{esc(note)}</p>' for note in _notes(report)),
        "</section>",
    ]
    return page.page(
        title="Pipeline",
        lang="en",
        subtitle=f"On {report.on.isoformat()} · {report.currency}",
        body="\n".join(body),
        wide=True,
    )


def render_pipeline_report(report: PipelineReport, fmt: str) -> str:
    """The report in ``fmt``: ``table``, ``json`` or ``html``."""
    if fmt == "table":
        return render_pipeline_table(report)
    if fmt == "json":
        return render_pipeline_json(report)
    if fmt == "html":
        return render_pipeline_html(report)
    raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(PIPELINE_FORMATS)}")


def pipeline_report(
    store: Store, *, fmt: str = "table", at: datetime | date | None = None, currency: str | None = None
) -> str:
    """The pipeline report of everything in ``store``, in ``fmt``, as of ``at`` (now by default;
    a date means the end of that day).

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     print(pipeline_report(store).splitlines()[0])  # doctest: +ELLIPSIS
    Pipeline on ... (EUR): 0 missions, 0 waiting on clients, 0 on you
    """
    if fmt not in PIPELINE_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(PIPELINE_FORMATS)}")
    settings = store.get_settings()
    created = {m.ref: m.created_at for m in store.list_missions() if m.created_at is not None}
    report = build_pipeline_report(
        store.get_missions(),
        store.list_invoices(),
        currency=(currency or settings.currency).upper(),
        at=report_moment(at, settings.timezone),
        settings=settings,
        created=created,
    )
    return render_pipeline_report(report, fmt)
