"""The clients report (R13, the 80/20 rule): per client, the revenue, the effort it took, the
revenue per unit of effort and the share of the total, sorted so that the few clients who bring
most of the revenue, and those who cost the most for the least, stand out.

The unit of effort is the *effort point*, roughly what one recorded step of a mission costs the
freelancer (an email, a call, a decision). With the default :class:`EffortWeights`:

- 1 point per recorded transition (every step fired on the client's missions),
- 5 more points per revision round (a round of corrections is hours of unplanned work),
- 1 point per day a mission spent in a working state (:data:`WORK_STATES`),
- 10 points per invoice paid late (reminders, chasing, penalties),
- 3 points per transition recorded out of the working hours (R12: an evening or weekend call).

Revenue is what the client *paid* (payments received); what was invoiced is shown beside it.
A client is in the *top 80 %* when, sorted by revenue, the clients before it bring less than
80 % of the total; a client is *costly* when its revenue per effort point is under half of the
average (all revenue divided by all effort).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError
from missionflow.mission import Mission
from missionflow.money import Money
from missionflow.persistence import InvoiceRecord, Store
from missionflow.reminders import REMIND_TRIGGER
from missionflow.reports import html as page
from missionflow.reports.accounts import compute_account
from missionflow.reports.charts import Bar, pareto_chart
from missionflow.reports.text import (
    format_money,
    format_number,
    format_percent,
    plain_amount,
    report_moment,
    text_table,
)

CLIENTS_FORMATS = ("table", "csv", "json", "html")
"""The formats of :func:`clients_report`."""

WORK_STATES = frozenset({"in_progress", "revisions", "in_session", "active"})
"""The states in which the freelancer works on a mission (the days in progress)."""

REVISION_TRIGGER = "request_revision"
TOP_SHARE = Decimal(80)
"""The share of revenue that the top clients bring together (the 80 of 80/20)."""
COSTLY_BELOW = Decimal("0.5")
"""A client is costly under this fraction of the average revenue per effort point."""
_CENT = Decimal("0.01")
_DAY = 86400


@dataclass(frozen=True)
class EffortWeights:
    """How many effort points each kind of effort is worth (see the module's documentation)."""

    transition: Decimal = Decimal(1)
    revision_round: Decimal = Decimal(5)
    day_in_progress: Decimal = Decimal(1)
    late_payment: Decimal = Decimal(10)
    out_of_hours: Decimal = Decimal(3)

    def points(
        self, transitions: int, revision_rounds: int, days: int, late: int, out_of_hours: int
    ) -> Decimal:
        """The effort points of these counts.

        >>> EffortWeights().points(transitions=10, revision_rounds=2, days=20, late=1, out_of_hours=1)
        Decimal('53')
        """
        return (
            self.transition * transitions
            + self.revision_round * revision_rounds
            + self.day_in_progress * days
            + self.late_payment * late
            + self.out_of_hours * out_of_hours
        )

    def describe(self) -> str:
        """The unit in one line, for the reports' footnotes."""
        return (
            f"1 effort point = {self.transition.normalize():f} per transition, "
            f"{self.revision_round.normalize():f} more per revision round, "
            f"{self.day_in_progress.normalize():f} per day in progress, "
            f"{self.late_payment.normalize():f} per late payment, "
            f"{self.out_of_hours.normalize():f} per out-of-hours request"
        )


@dataclass(frozen=True)
class ClientFigures:
    """One client's line: revenue, effort and where it stands among the clients.

    ``share`` and ``cumulative_share`` are percentages of the total revenue, to the hundredth;
    ``paid_per_effort`` is None when the client took no effort in the period.
    """

    ref: str
    name: str
    missions: int
    paid: Money
    invoiced: Money
    transitions: int
    revision_rounds: int
    days_in_progress: int
    late_payments: int
    out_of_hours: int
    effort: Decimal
    paid_per_effort: Money | None
    share: Decimal
    cumulative_share: Decimal
    top: bool
    costly: bool

    @property
    def flags(self) -> tuple[str, ...]:
        """``top 80 %`` and ``costly`` when they apply."""
        return tuple(
            flag
            for flag, on in ((f"top {TOP_SHARE.normalize():f} %", self.top), ("costly", self.costly))
            if on
        )


@dataclass(frozen=True)
class ClientsReport:
    """Every client with activity in the period, largest revenue first, and the totals.

    Missions in another currency than ``currency`` are left out and counted in ``excluded_missions``.
    """

    on: date
    since: date | None
    currency: str
    weights: EffortWeights
    clients: tuple[ClientFigures, ...]
    paid: Money
    invoiced: Money
    effort: Decimal
    paid_per_effort: Money | None
    excluded_missions: int = 0

    @property
    def top_clients(self) -> tuple[ClientFigures, ...]:
        """The few clients who bring 80 % of the revenue."""
        return tuple(c for c in self.clients if c.top)

    def headline(self) -> str:
        """The 80/20 in one sentence."""
        if not self.clients or self.paid.amount == 0:
            return "No revenue in this period."
        count = len(self.top_clients)
        ratio = Decimal(count) * 100 / len(self.clients)
        return (
            f"{count} of {len(self.clients)} clients ({format_percent(ratio, places=0)}) bring "
            f"{format_percent(TOP_SHARE, places=0)} of the revenue."
        )

    def period(self) -> str:
        """The period in words."""
        start = f"from {self.since.isoformat()} " if self.since else "all time "
        return f"{start}to {self.on.isoformat()}"


@dataclass
class _Tally:
    """A client's counts while the missions are read."""

    ref: str
    name: str
    currency: str
    missions: int = 0
    transitions: int = 0
    revision_rounds: int = 0
    work_seconds: int = 0
    late_payments: int = 0
    out_of_hours: int = 0
    paid: Money | None = None
    invoiced: Money | None = None

    def add_money(self, paid: Money, invoiced: Money) -> None:
        self.paid = paid if self.paid is None else self.paid + paid
        self.invoiced = invoiced if self.invoiced is None else self.invoiced + invoiced


def _seconds(start: datetime, end: datetime) -> int:
    delta = end - start
    return max(delta.days * _DAY + delta.seconds, 0)


def work_seconds(mission: Mission, start: datetime | None, end: datetime) -> int:
    """How long ``mission`` spent in :data:`WORK_STATES` between ``start`` and ``end``, in seconds."""
    total = 0
    entered: datetime | None = None
    for record in mission.history:
        if record.at > end:
            break
        working = record.dest in WORK_STATES
        if working and entered is None:
            entered = record.at
        elif not working and entered is not None:
            total += _seconds(max(entered, start) if start else entered, record.at)
            entered = None
    if entered is not None:
        total += _seconds(max(entered, start) if start else entered, end)
    return total


def _days(seconds: int) -> int:
    return int((Decimal(seconds) / _DAY).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def build_clients_report(
    missions: Iterable[Mission],
    invoices: Iterable[InvoiceRecord],
    *,
    currency: str,
    at: datetime,
    timezone: str = "Europe/Paris",
    since: date | None = None,
    weights: EffortWeights | None = None,
) -> ClientsReport:
    """The clients report from missions and invoices (as the store gives them), on the day of ``at``.

    ``since`` keeps what happened on or after that day: payments received, invoices issued,
    transitions recorded, days in progress and invoices falling due.
    """
    weights = weights or EffortWeights()
    zone = ZoneInfo(timezone)
    on = at.astimezone(zone).date()
    start = datetime.combine(since, time(0), zone) if since is not None else None
    if since is not None and since > on:
        raise InvalidValueError("since", f"{since.isoformat()} is after the report's day {on.isoformat()}")
    by_mission: dict[str, list[InvoiceRecord]] = {}
    for invoice in invoices:
        by_mission.setdefault(invoice.mission, []).append(invoice)
    tallies: dict[str, _Tally] = {}
    excluded = 0
    for mission in missions:
        if mission.currency != currency:
            excluded += 1
            continue
        # Reminders written by `tick` are the program's work, not the client's: no effort.
        records = [
            r
            for r in mission.history
            if r.trigger != REMIND_TRIGGER and r.at <= at and (start is None or r.at >= start)
        ]
        account = compute_account(
            currency, by_mission.get(mission.ref, []), mission.payments, on=on, since=since
        )
        seconds = work_seconds(mission, start, at)
        if not records and not seconds and account.paid.amount == 0 and account.invoiced.amount == 0:
            continue
        tally = tallies.setdefault(
            mission.client.ref, _Tally(mission.client.ref, mission.client.name, currency)
        )
        tally.missions += 1
        tally.transitions += len(records)
        tally.revision_rounds += sum(1 for r in records if r.trigger == REVISION_TRIGGER)
        tally.out_of_hours += sum(1 for r in records if r.out_of_hours)
        tally.work_seconds += seconds
        tally.late_payments += account.late_payments
        tally.add_money(account.paid, account.invoiced)
    return _rank(list(tallies.values()), currency, on, since, weights, excluded)


def _rank(
    tallies: list[_Tally],
    currency: str,
    on: date,
    since: date | None,
    weights: EffortWeights,
    excluded: int,
) -> ClientsReport:
    zero = Money.zero(currency)
    rows = []
    for t in tallies:
        days = _days(t.work_seconds)
        effort = weights.points(t.transitions, t.revision_rounds, days, t.late_payments, t.out_of_hours)
        rows.append((t, days, effort, t.paid or zero, t.invoiced or zero))
    total_paid = sum((paid for _, _, _, paid, _ in rows), zero)
    total_invoiced = sum((invoiced for _, _, _, _, invoiced in rows), zero)
    total_effort = sum((effort for _, _, effort, _, _ in rows), Decimal(0))
    average = total_paid.amount / total_effort if total_effort else None
    rows.sort(key=lambda r: (-r[3].amount, r[2], r[0].name.casefold(), r[0].ref))
    figures = []
    running = Decimal(0)
    for tally, days, effort, paid, invoiced in rows:
        before = running
        running += paid.amount
        rate = paid.amount / effort if effort else None
        figures.append(
            ClientFigures(
                ref=tally.ref,
                name=tally.name,
                missions=tally.missions,
                paid=paid,
                invoiced=invoiced,
                transitions=tally.transitions,
                revision_rounds=tally.revision_rounds,
                days_in_progress=days,
                late_payments=tally.late_payments,
                out_of_hours=tally.out_of_hours,
                effort=effort,
                paid_per_effort=Money(rate, currency) if rate is not None else None,
                share=_percent(paid.amount, total_paid.amount),
                cumulative_share=_percent(running, total_paid.amount),
                # Exact comparison (before / total < 80 %) without rounding the shares first.
                top=paid.amount > 0 and before * 100 < TOP_SHARE * total_paid.amount,
                costly=rate is not None and average is not None and rate < average * COSTLY_BELOW,
            )
        )
    return ClientsReport(
        on=on,
        since=since,
        currency=currency,
        weights=weights,
        clients=tuple(figures),
        paid=total_paid,
        invoiced=total_invoiced,
        effort=total_effort,
        paid_per_effort=Money(average, currency) if average is not None else None,
        excluded_missions=excluded,
    )


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return Decimal("0.00")
    return (part * 100 / whole).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- renderers ---------------------------------------------------------------------------------


def _headers(currency: str) -> tuple[str, ...]:
    return (
        "Client",
        "Missions",
        f"Paid {currency}",
        f"Invoiced {currency}",
        "Share",
        "Cumulative",
        "Effort points",
        f"{currency} per point",
        "Transitions",
        "Rounds",
        "Days in progress",
        "Late payments",
        "Out of hours",
        "Flags",
    )


_NUMERIC = tuple(range(1, 13))


def _cells(c: ClientFigures) -> list[str]:
    return [
        f"{c.name} ({c.ref})",
        str(c.missions),
        format_number(c.paid.amount),
        format_number(c.invoiced.amount),
        format_percent(c.share),
        format_percent(c.cumulative_share),
        format_number(c.effort, 0),
        format_number(c.paid_per_effort.amount) if c.paid_per_effort is not None else "-",
        str(c.transitions),
        str(c.revision_rounds),
        str(c.days_in_progress),
        str(c.late_payments),
        str(c.out_of_hours),
        ", ".join(c.flags),
    ]


def _total_cells(report: ClientsReport) -> list[str]:
    cells = [""] * 14
    cells[0] = "Total"
    cells[1] = str(sum(c.missions for c in report.clients))
    cells[2] = format_number(report.paid.amount)
    cells[3] = format_number(report.invoiced.amount)
    cells[4] = format_percent(Decimal(100)) if report.paid.amount else ""
    cells[6] = format_number(report.effort, 0)
    cells[7] = format_number(report.paid_per_effort.amount) if report.paid_per_effort is not None else "-"
    for index, attribute in (
        (8, "transitions"),
        (9, "revision_rounds"),
        (10, "days_in_progress"),
        (11, "late_payments"),
        (12, "out_of_hours"),
    ):
        cells[index] = str(sum(getattr(c, attribute) for c in report.clients))
    return cells


def _footnotes(report: ClientsReport) -> list[str]:
    notes = [
        report.weights.describe() + ".",
        "Revenue is what the client paid in the period; top 80 %: the largest clients who together "
        "bring 80 % of it; costly: under half of the average revenue per effort point"
        + (f" ({format_money(report.paid_per_effort)})." if report.paid_per_effort is not None else "."),
    ]
    if report.excluded_missions:
        notes.append(
            f"{report.excluded_missions} mission(s) in another currency than {report.currency} are not counted."
        )
    return notes


def render_clients_table(report: ClientsReport) -> str:
    """The report as aligned text for a terminal."""
    lines = [f"Clients, {report.period()} ({report.currency}): {report.headline()}", ""]
    if report.clients:
        rows = [_cells(c) for c in report.clients] + [_total_cells(report)]
        lines.append(text_table(_headers(report.currency), rows, right=_NUMERIC))
    else:
        lines.append("(no client with activity in this period)")
    lines += ["", *_footnotes(report)]
    return "\n".join(lines) + "\n"


_CSV_FIELDS = (
    "rank",
    "ref",
    "name",
    "missions",
    "currency",
    "paid",
    "invoiced",
    "share_percent",
    "cumulative_percent",
    "effort_points",
    "paid_per_effort_point",
    "transitions",
    "revision_rounds",
    "days_in_progress",
    "late_payments",
    "out_of_hours",
    "top_80",
    "costly",
)


def _record(rank: int, c: ClientFigures) -> dict[str, str | int | bool | None]:
    return {
        "rank": rank,
        "ref": c.ref,
        "name": c.name,
        "missions": c.missions,
        "currency": c.paid.currency,
        "paid": plain_amount(c.paid),
        "invoiced": plain_amount(c.invoiced),
        "share_percent": f"{c.share}",
        "cumulative_percent": f"{c.cumulative_share}",
        "effort_points": f"{c.effort.normalize():f}",
        "paid_per_effort_point": plain_amount(c.paid_per_effort) if c.paid_per_effort is not None else None,
        "transitions": c.transitions,
        "revision_rounds": c.revision_rounds,
        "days_in_progress": c.days_in_progress,
        "late_payments": c.late_payments,
        "out_of_hours": c.out_of_hours,
        "top_80": c.top,
        "costly": c.costly,
    }


def render_clients_csv(report: ClientsReport) -> str:
    """The report as CSV, one client per row, amounts as exact decimals (no totals row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rank, c in enumerate(report.clients, 1):
        record = _record(rank, c)
        writer.writerow(
            {k: "" if v is None else str(v).lower() if isinstance(v, bool) else v for k, v in record.items()}
        )
    return out.getvalue()


def _weights_json(weights: EffortWeights) -> Mapping[str, str]:
    return {
        "transition": f"{weights.transition.normalize():f}",
        "revision_round": f"{weights.revision_round.normalize():f}",
        "day_in_progress": f"{weights.day_in_progress.normalize():f}",
        "late_payment": f"{weights.late_payment.normalize():f}",
        "out_of_hours": f"{weights.out_of_hours.normalize():f}",
    }


def render_clients_json(report: ClientsReport) -> str:
    """The report as one JSON document; amounts are exact decimal strings, never floats."""
    document = {
        "on": report.on.isoformat(),
        "since": report.since.isoformat() if report.since else None,
        "currency": report.currency,
        "effort_points": _weights_json(report.weights),
        "headline": report.headline(),
        "clients": [_record(rank, c) for rank, c in enumerate(report.clients, 1)],
        "totals": {
            "clients": len(report.clients),
            "paid": plain_amount(report.paid),
            "invoiced": plain_amount(report.invoiced),
            "effort_points": f"{report.effort.normalize():f}",
            "paid_per_effort_point": plain_amount(report.paid_per_effort) if report.paid_per_effort else None,
            "top_80_clients": len(report.top_clients),
        },
        "excluded_missions": report.excluded_missions,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_clients_html(report: ClientsReport) -> str:
    """The report as one self-contained HTML page with a Pareto chart of the revenue."""
    esc = page.esc
    bars = [
        Bar(c.name, c.paid.amount, " ".join(css for css, on in (("top", c.top), ("costly", c.costly)) if on))
        for c in report.clients
    ]
    chart = pareto_chart(
        bars, title=f"Revenue by client ({report.currency}) and cumulative share", unit=report.currency
    )
    rows = []
    classes = []
    for c in report.clients:
        cells = [esc(cell) for cell in _cells(c)]
        cells[-1] = "".join(
            f'<span class="flag {"top" if flag.startswith("top") else "costly"}">{esc(flag)}</span>'
            for flag in c.flags
        )
        rows.append(cells)
        classes.append(" ".join(css for css, on in (("top", c.top), ("costly", c.costly)) if on))
    if report.clients:
        rows.append([esc(cell) for cell in _total_cells(report)])
        classes.append("total")
    body = [
        f'<p class="lead"><strong>{esc(report.headline())}</strong></p>',
        f"<figure>{chart}<figcaption>Bars: revenue paid per client, largest first. Line: cumulative share of the "
        f"total; dashed: {esc(format_percent(TOP_SHARE, places=0))}.</figcaption></figure>",
        "<section><h2>Clients</h2>",
        page.table(
            _headers(report.currency), rows, numeric=_NUMERIC, row_classes=classes, raw=tuple(range(14))
        )
        if report.clients
        else "<p>No client with activity in this period.</p>",
        "</section>",
        "<section><h2>How to read it</h2>",
        *(f'<p class="note">{esc(note)}</p>' for note in _footnotes(report)),
        "</section>",
    ]
    return page.page(
        title="Clients: revenue and effort",
        lang="en",
        subtitle=f"{report.period().capitalize()} · {report.currency}",
        body="\n".join(body),
        wide=True,
    )


def render_clients_report(report: ClientsReport, fmt: str) -> str:
    """The report in ``fmt``: ``table``, ``csv``, ``json`` or ``html``."""
    renderers = {
        "table": render_clients_table,
        "csv": render_clients_csv,
        "json": render_clients_json,
        "html": render_clients_html,
    }
    renderer = renderers.get(fmt)
    if renderer is None:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(CLIENTS_FORMATS)}")
    return renderer(report)


def clients_report(
    store: Store,
    *,
    since: date | None = None,
    fmt: str = "table",
    at: datetime | date | None = None,
    currency: str | None = None,
    weights: EffortWeights | None = None,
) -> str:
    """The clients report of everything in ``store`` (see the module's documentation), in ``fmt``,
    as of ``at`` (now by default; a date means the end of that day).

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     print(clients_report(store).splitlines()[0])  # doctest: +ELLIPSIS
    Clients, all time to ... (EUR): No revenue in this period.
    """
    if fmt not in CLIENTS_FORMATS:
        raise InvalidValueError("format", f"{fmt!r} is not one of: {', '.join(CLIENTS_FORMATS)}")
    settings = store.get_settings()
    report = build_clients_report(
        store.get_missions(),
        store.list_invoices(),
        currency=(currency or settings.currency).upper(),
        at=report_moment(at, settings.timezone),
        timezone=settings.timezone,
        since=since,
        weights=weights,
    )
    return render_clients_report(report, fmt)
