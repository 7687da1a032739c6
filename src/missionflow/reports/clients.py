"""The clients report (R13, the 80/20 rule): per client, the revenue, the effort it took, the
revenue per unit of effort and the share of the total, sorted so that the few clients who bring
most of the revenue, and those who cost the most for the least, stand out.

The unit of effort is the *effort point*, roughly what one recorded step of a mission costs the
freelancer (an email, a call, a decision). With the default :class:`EffortWeights`:

- 1 point per recorded transition (every step fired on the client's missions),
- 5 more points per revision round (a round of corrections is hours of unplanned work),
- 1 point per day a mission spent in a working state (a state the workflow tags ``work``),
- 10 points per invoice paid late (reminders, chasing, penalties),
- 3 points per step the client took out of the working hours (R12: an evening or weekend call;
  a step is the client's when the workflow declares it ``party: client``).

Revenue is what the client *paid* (payments received); what was invoiced is shown beside it.
A client is in the *top 80 %* when, sorted by revenue, the clients before it bring less than
80 % of the total; a client is *costly* when its revenue per effort point is under half of the
average (all revenue divided by all effort); a client whose missions are all pro bono (agreed for
0) is never costly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError
from missionflow.freelance import InvoiceRecord, Mission
from missionflow.freelance.vocabulary import CLIENT, REVISION, WORK
from missionflow.money import Money
from missionflow.reports.accounts import compute_account
from missionflow.reports.text import (
    format_percent,
)
from missionflow.workflow import (
    MIGRATE_TRIGGER,
    TIMER_ACTOR,
    TransitionRecord,
    WorkflowDefinition,
    workflow_for,
)

PROGRAM_ACTORS = frozenset({TIMER_ACTOR, "missionflow tick"})
"""Who records the program's own steps: timers, and the reminders tick wrote before timers
were declared in the workflow (databases from before migration 0008 keep them)."""
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
    pro_bono: int = 0
    """Missions agreed for 0 (pro bono): their effort is given, never a reason to call a client costly."""

    def add_money(self, paid: Money, invoiced: Money) -> None:
        self.paid = paid if self.paid is None else self.paid + paid
        self.invoiced = invoiced if self.invoiced is None else self.invoiced + invoiced


def _seconds(start: datetime, end: datetime) -> int:
    delta = end - start
    return max(delta.days * _DAY + delta.seconds, 0)


def work_seconds(mission: Mission, start: datetime | None, end: datetime) -> int:
    """How long ``mission`` spent in the states its workflow tags ``work`` between ``start`` and
    ``end``, in seconds."""
    work_states = workflow_for(mission).definition.states_tagged(WORK)
    total = 0
    entered: datetime | None = None
    for record in mission.history:
        if record.at > end:
            break
        working = record.dest in work_states
        if working and entered is None:
            entered = record.at
        elif not working and entered is not None:
            total += _seconds(max(entered, start) if start else entered, record.at)
            entered = None
    if entered is not None:
        total += _seconds(max(entered, start) if start else entered, end)
    return total


def _by_client(definition: WorkflowDefinition, record: TransitionRecord) -> bool:
    """True when the step of ``record`` is one the workflow declares the client takes (``party: client``)."""
    transition = definition.transition(record.source, record.trigger)
    return transition is not None and definition.party_of(transition) == CLIENT


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
        # Timers fired by `tick` and moves to another workflow version are the program's work,
        # not the client's: no effort.
        records = [
            r
            for r in mission.history
            if r.actor not in PROGRAM_ACTORS
            and r.trigger != MIGRATE_TRIGGER
            and r.at <= at
            and (start is None or r.at >= start)
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
        definition = workflow_for(mission).definition
        rounds = definition.triggers_tagged(REVISION)
        tally.revision_rounds += sum(1 for r in records if r.trigger in rounds)
        # Out of hours counts against the client only when the client acted: a step the freelancer
        # took on a Sunday (an invoice she sent) is her choice, not the client's demand.
        tally.out_of_hours += sum(1 for r in records if r.out_of_hours and _by_client(definition, r))
        agreed = mission.agreed_amount
        if agreed is not None and agreed.amount == 0:
            tally.pro_bono += 1
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
                # A client whose every mission is pro bono gives nothing by agreement: never costly.
                costly=(
                    rate is not None
                    and average is not None
                    and rate < average * COSTLY_BELOW
                    and tally.pro_bono < tally.missions
                ),
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
