"""The client-facing status report (R9): what is done, where the mission stands and what it waits
for, what remains, the deliverables, the revision rounds and the money, in English or French,
as Markdown or as one self-contained HTML page with the mission's lifecycle diagram."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from missionflow.definition import StateKind, WorkflowDefinition
from missionflow.diagrams import mission_diagram, render_diagram
from missionflow.engine import TriggerOption, workflow_for
from missionflow.errors import DiagramRenderError, GuardResult, InvalidValueError
from missionflow.guards import get_guard
from missionflow.mission import Mission, Specification
from missionflow.money import Money
from missionflow.persistence import InvoiceRecord, Store
from missionflow.reports import html as page
from missionflow.reports.accounts import MissionAccount, compute_account
from missionflow.reports.progress import CLIENT, assess_progress
from missionflow.reports.text import check_lang, format_date, format_money, md_cell, report_moment
from missionflow.reports.words import DONE, KINDS, NEXT, SPEC_PARTS, TEXT, WAITS
from missionflow.settings import Settings

STATUS_FORMATS = ("md", "html")
"""The formats of :func:`status_report`."""

REVISION_TRIGGER = "request_revision"


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


def _kind_suffix(kind: str, lang: str) -> str:
    words = KINDS[lang].get(kind, kind.replace("_", " "))
    return f" ({words})" if words else ""


def _percent_text(mission: Mission, lang: str) -> str:
    text = f"{mission.deposit_percent.normalize():f}"
    return text.replace(".", ",") if lang == "fr" else text


_PLAIN_WAITS = ("client_not_blocked", "criteria_met", "contract_signed")


def _explain(result: GuardResult, mission: Mission, lang: str) -> str:
    """What a blocking guard waits for, in words a client understands."""
    words = WAITS[lang]
    name = result.guard
    if name == "deposit_satisfied":
        due = mission.deposit_due
        left = due - mission.paid_total if due > mission.paid_total else Money.zero(due.currency)
        return words[name].format(
            deposit=format_money(due, lang),
            percent=_percent_text(mission, lang),
            remaining=format_money(left, lang),
        )
    if name == "fully_paid":
        if not mission.invoices:
            return words["fully_paid_none"]
        left = mission.invoiced_total - mission.paid_total
        return words[name].format(remaining=format_money(left, lang))
    if name == "deliverables_complete" and mission.specification and mission.specification.deliverables:
        delivered = {n for n, _ in mission.deliveries()}
        pending = [
            d.name + _kind_suffix(d.kind, lang)
            for d in mission.specification.deliverables
            if d.name not in delivered
        ]
        return words[name].format(pending=", ".join(pending))
    if name == "specification_complete":
        missing = (mission.specification or Specification()).missing_parts()
        parts = [SPEC_PARTS[lang].get(part, part) for part in missing]
        return words[name].format(missing=", ".join(parts))
    if name == "lead_time_respected" and mission.deadline is not None:
        return words[name].format(deadline=format_date(mission.deadline, lang))
    if name in _PLAIN_WAITS:
        return words[name]
    spec = get_guard(name)
    if lang != "en" and spec is not None:
        return spec.describe(lang)
    return result.reason or name


def _waiting_for(forward: tuple[TriggerOption, ...], mission: Mission, lang: str) -> tuple[str, ...]:
    if any(option.allowed for option in forward):
        return ()
    seen: dict[str, str] = {}
    for option in forward:
        for result in option.results:
            if not result.ok and result.guard not in seen:
                seen[result.guard] = _explain(result, mission, lang)
    return tuple(seen.values())


def _done(mission: Mission, definition: WorkflowDefinition, lang: str, zone: ZoneInfo) -> list[StatusStep]:
    steps = []
    counts: dict[str, int] = {}
    for record in mission.history:
        counts[record.trigger] = counts.get(record.trigger, 0) + 1
        template = DONE[lang].get(record.trigger)
        if template is None:
            text = _trigger_label(definition, record.trigger, lang)
        else:
            deliverable = record.delivery or record.data.get("deliverable", "")
            text = template.format(deliverable=deliverable, number=str(counts[record.trigger]))
        steps.append(StatusStep(text, _local_day(record.at, zone)))
    return steps


def _outcome(definition: WorkflowDefinition, state_id: str) -> str | None:
    state = definition.state(state_id)
    if not state.final:
        return None
    return "closed" if state.kind is StateKind.EXIT else "complete"


def _closing(mission: Mission, definition: WorkflowDefinition, lang: str) -> str:
    state = definition.state(mission.state)
    words = TEXT[lang]
    label = state.label.in_lang(lang)
    if state.kind is StateKind.EXIT:
        key = mission.state if mission.state in ("declined", "terminated") else "closed_generic"
        sentence = words[key].format(state=label)
        reason = next((r.note for r in reversed(mission.history) if r.dest == mission.state), "")
        return f"{sentence} {words['reason'].format(reason=reason)}" if reason.strip() else sentence
    if mission.state == "paid":
        return words["complete"]
    return words["complete_generic"].format(state=label)


def build_status_report(
    mission: Mission,
    *,
    invoices: Sequence[InvoiceRecord] = (),
    settings: Settings | None = None,
    lang: str = "en",
    at: datetime | None = None,
) -> StatusReport:
    """The status report of an in-memory ``mission`` (its invoices' dates from ``invoices``,
    as :meth:`Store.list_invoices` gives them), with its guards evaluated at ``at``."""
    check_lang(lang)
    settings = settings or Settings()
    moment = at or datetime.now(UTC)
    zone = ZoneInfo(settings.timezone)
    today = _local_day(moment, zone)
    definition = workflow_for(mission).definition
    progress = assess_progress(mission, at=moment, settings=settings)
    option = progress.next_option
    next_step = None
    if option is not None:
        next_step = NEXT[lang].get(option.trigger) or _trigger_label(definition, option.trigger, lang).lower()
    delivered: dict[str, date] = {}
    for name, when in mission.deliveries():
        delivered[name] = _local_day(when, zone)
    spec = mission.specification
    deliverables = tuple(
        DeliverableStatus(d.name, d.kind, delivered.get(d.name)) for d in (spec.deliverables if spec else ())
    )
    revisions = None
    if REVISION_TRIGGER in definition.triggers:
        revisions = RevisionRounds(
            mission.included_revisions, mission.extra_revisions, mission.count_fired(REVISION_TRIGGER)
        )
    account = compute_account(mission.currency, invoices, mission.payments, on=today)
    return StatusReport(
        lang=lang,
        mission=mission.ref,
        title=mission.title,
        client=mission.client.name,
        freelancer=settings.name,
        on=today,
        state=mission.state,
        state_label=_label(definition, mission.state, lang),
        outcome=_outcome(definition, mission.state),
        closing=_closing(mission, definition, lang) if progress.final else None,
        next_step=next_step,
        waiting_for=_waiting_for(progress.forward, mission, lang),
        waiting_on=progress.waiting_on,
        done=tuple(_done(mission, definition, lang, zone)),
        remaining=tuple(_label(definition, s, lang) for s in progress.remaining),
        deliverables=deliverables,
        revisions=revisions,
        agreed=mission.agreed_amount,
        contract_signed=mission.contract is not None,
        account=account,
    )


def _acts(report: StatusReport) -> str:
    if report.waiting_on == CLIENT:
        return report.text("acts_client")
    # The settings' default name says nothing to a client: leave it out.
    name = report.freelancer.strip()
    shown = f" ({name})" if name and name != Settings().name else ""
    return report.text("acts_freelancer", name=shown)


def _money_rows(report: StatusReport) -> list[tuple[str, str]]:
    lang = report.lang
    rows = []
    if report.agreed is not None:
        key = "agreed" if report.contract_signed else "quoted"
        rows.append((report.text(key), format_money(report.agreed, lang)))
    account = report.account
    rows += [
        (report.text("invoiced"), format_money(account.invoiced, lang)),
        (report.text("paid"), format_money(account.paid, lang)),
        (report.text("due"), format_money(account.due, lang)),
    ]
    if account.advance.amount > 0:
        rows.append((report.text("advance"), format_money(account.advance, lang)))
    return rows


def _heading(report: StatusReport) -> str:
    return f"{report.text('title')}{report.text('colon')}{report.title}"


def _subtitle(report: StatusReport) -> str:
    return " · ".join(
        [
            report.text("for", client=report.client, freelancer=report.freelancer),
            report.text("as_of", date=format_date(report.on, report.lang)),
            report.mission,
        ]
    )


def render_status_markdown(report: StatusReport) -> str:
    """The report as Markdown, to paste in an email or a chat."""
    lang = report.lang
    lines = [f"# {_heading(report)}", "", _subtitle(report), ""]
    lines += [f"## {report.text('where')}", "", f"**{report.text('state', state=report.state_label)}**", ""]
    if report.closing is not None:
        lines += [report.closing, ""]
    else:
        if report.next_step is not None:
            lines.append(report.text("next", step=report.next_step))
            lines.append("")
        if report.waiting_for:
            lines.append(report.text("waiting_for"))
            lines += [f"- {item}" for item in report.waiting_for]
        else:
            lines.append(report.text("ready"))
        lines += ["", _acts(report), ""]
    lines += [f"## {report.text('done')}", ""]
    lines += [f"- {format_date(s.on, lang)}{report.text('colon')}{s.text}" for s in report.done] or [
        report.text("none_done")
    ]
    lines += ["", f"## {report.text('remaining')}", ""]
    lines += [f"{i}. {label}" for i, label in enumerate(report.remaining, 1)] or [
        report.text("none_remaining")
    ]
    lines += ["", f"## {report.text('deliverables')}", ""]
    if report.deliverables:
        done_count = sum(1 for d in report.deliverables if d.delivered_on is not None)
        lines += [
            report.text(
                "summary_deliverables", delivered=str(done_count), total=str(len(report.deliverables))
            ),
            "",
            f"| {report.text('deliverable')} | {report.text('status')} |",
            "|---|---|",
        ]
        for d in report.deliverables:
            lines.append(
                f"| {md_cell(d.name + _kind_suffix(d.kind, lang))} | {md_cell(_delivery_text(report, d))} |"
            )
    else:
        lines.append(report.text("no_deliverables"))
    if report.revisions is not None:
        lines += ["", f"## {report.text('revisions')}", "", _revisions_text(report, report.revisions)]
    lines += [
        "",
        f"## {report.text('money')}",
        "",
        f"| {report.text('item')} | {report.text('amount')} |",
        "|---|---:|",
    ]
    lines += [f"| {md_cell(item)} | {amount} |" for item, amount in _money_rows(report)]
    if report.account.overdue.amount > 0:
        lines += ["", report.text("overdue", amount=format_money(report.account.overdue, lang))]
    return "\n".join(lines) + "\n"


def _delivery_text(report: StatusReport, deliverable: DeliverableStatus) -> str:
    if deliverable.delivered_on is None:
        return report.text("pending")
    return report.text("delivered_on", date=format_date(deliverable.delivered_on, report.lang))


def _revisions_text(report: StatusReport, rounds: RevisionRounds) -> str:
    return report.text(
        "revisions_text",
        used=str(rounds.used),
        allowed=str(rounds.allowed),
        left=str(rounds.left),
        included=str(rounds.included),
        extra=str(rounds.extra),
    )


def render_status_html(
    report: StatusReport, *, diagram_svg: str | None = None, diagram_note: str = ""
) -> str:
    """The report as one self-contained HTML page; ``diagram_svg`` (an SVG document) is inlined,
    or ``diagram_note`` says why there is no diagram."""
    lang = report.lang
    esc = page.esc
    body = [f"<section><h2>{esc(report.text('where'))}</h2>"]
    if report.closing is not None:
        css = "callout done" if report.outcome == "complete" else "callout closed"
        body.append(
            f'<div class="{css}"><p class="lead"><strong>{esc(report.text("state", state=report.state_label))}</strong></p>'
        )
        body.append(f"<p>{esc(report.closing)}</p></div>")
    else:
        body.append(
            f'<div class="callout"><p class="lead"><strong>{esc(report.text("state", state=report.state_label))}</strong></p>'
        )
        if report.next_step is not None:
            body.append(f"<p>{esc(report.text('next', step=report.next_step))}</p>")
        if report.waiting_for:
            body.append(f"<p>{esc(report.text('waiting_for'))}</p><ul>")
            body += [f"<li>{esc(item)}</li>" for item in report.waiting_for]
            body.append("</ul>")
        else:
            body.append(f"<p>{esc(report.text('ready'))}</p>")
        body.append(f"<p><strong>{esc(_acts(report))}</strong></p></div>")
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('done'))}</h2>")
    if report.done:
        items = "".join(
            f"<li><strong>{esc(format_date(s.on, lang))}</strong>{esc(report.text('colon'))}{esc(s.text)}</li>"
            for s in report.done
        )
        body.append(f"<ul>{items}</ul>")
    else:
        body.append(f"<p>{esc(report.text('none_done'))}</p>")
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('remaining'))}</h2>")
    if report.remaining:
        body.append("<ol>" + "".join(f"<li>{esc(label)}</li>" for label in report.remaining) + "</ol>")
    else:
        body.append(f"<p>{esc(report.text('none_remaining'))}</p>")
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('deliverables'))}</h2>")
    if report.deliverables:
        done_count = sum(1 for d in report.deliverables if d.delivered_on is not None)
        body.append(
            f"<p>{esc(report.text('summary_deliverables', delivered=str(done_count), total=str(len(report.deliverables))))}</p>"
        )
        rows = []
        for d in report.deliverables:
            css = "delivered" if d.delivered_on is not None else "pending"
            rows.append(
                (
                    esc(d.name + _kind_suffix(d.kind, lang)),
                    f'<span class="{css}">{esc(_delivery_text(report, d))}</span>',
                )
            )
        body.append(page.table([report.text("deliverable"), report.text("status")], rows, raw=(0, 1)))
    else:
        body.append(f"<p>{esc(report.text('no_deliverables'))}</p>")
    body.append("</section>")

    if report.revisions is not None:
        body.append(
            f"<section><h2>{esc(report.text('revisions'))}</h2><p>{esc(_revisions_text(report, report.revisions))}</p></section>"
        )

    body.append(f"<section><h2>{esc(report.text('money'))}</h2>")
    body.append(page.table([report.text("item"), report.text("amount")], _money_rows(report), numeric=(1,)))
    if report.account.overdue.amount > 0:
        body.append(
            f"<p><strong>{esc(report.text('overdue', amount=format_money(report.account.overdue, lang)))}</strong></p>"
        )
    body.append("</section>")

    body.append(f"<section><h2>{esc(report.text('diagram'))}</h2>")
    if diagram_svg is not None:
        body.append(f'<figure class="diagram">{page.inline_svg(diagram_svg)}</figure>')
    else:
        body.append(f'<p class="note">{esc(report.text("diagram_missing", why=diagram_note))}</p>')
    body.append("</section>")
    return page.page(
        title=_heading(report),
        lang=lang,
        subtitle=_subtitle(report),
        body="\n".join(body),
    )


def render_status_report(
    report: StatusReport, fmt: str, *, diagram_svg: str | None = None, diagram_note: str = ""
) -> str:
    """The report in ``fmt``: ``md`` or ``html`` (see :func:`render_status_html` for the diagram)."""
    if fmt == "md":
        return render_status_markdown(report)
    if fmt == "html":
        return render_status_html(report, diagram_svg=diagram_svg, diagram_note=diagram_note)
    raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(STATUS_FORMATS)}")


def status_report(
    store: Store, ref: str, *, lang: str = "en", fmt: str = "md", at: datetime | date | None = None
) -> str:
    """The status report of mission ``ref`` for its client, as Markdown (``md``) or HTML (``html``),
    as of ``at`` (now by default; a date means the end of that day).

    The HTML page includes the mission's lifecycle diagram when Graphviz is installed, and a
    note saying so otherwise.

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     mission = store.create_mission(store.add_client("Acme").ref, "Logo")
    ...     print(status_report(store, mission.ref).splitlines()[0])
    # Status report: Logo
    """
    if fmt not in STATUS_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(STATUS_FORMATS)}")
    check_lang(lang)
    mission = store.get_mission(ref)
    invoices = store.list_invoices(ref)
    settings = store.get_settings()
    moment = report_moment(at, settings.timezone)
    report = build_status_report(mission, invoices=invoices, settings=settings, lang=lang, at=moment)
    if fmt == "md":
        return render_status_markdown(report)
    try:
        drawing = mission_diagram(mission, lang=lang, at=moment, settings=settings)
        svg: str | None = render_diagram(drawing, "svg").decode("utf-8")
        note = ""
    except DiagramRenderError as error:
        svg, note = None, str(error)
    return render_status_html(report, diagram_svg=svg, diagram_note=note)
