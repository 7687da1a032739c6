"""Reports: the status report, the clients report (80/20) and the pipeline, checked to the cent
on a database scripted through the public Store API (tests/reports_scenario.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missionflow import (
    InvalidValueError,
    MissionNotFoundError,
    Money,
    Store,
    TransitionRecord,
    open_store,
    parse_workflow,
    register_workflow,
)
from missionflow.freelance import Client, Contract, InvoiceRecord, Mission, Payment
from missionflow.reports import (
    ClientsReport,
    EffortWeights,
    PipelineReport,
    build_clients_report,
    build_pipeline_report,
    build_status_report,
    clients_report,
    pipeline_report,
    render_clients_report,
    render_pipeline_report,
    render_status_report,
    status_report,
)
from missionflow.reports.accounts import compute_account
from missionflow.reports.charts import Bar, FunnelStage, funnel_chart, pareto_chart
from missionflow.reports.progress import CLIENT, FREELANCER, assess_progress
from missionflow.testing import add_client, identify
from tests.reports_scenario import AT, build, clock, eur, mission_in
from tests.reports_scenario import FREELANCER as CAMILLE

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def autumn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The scripted autumn, built once for the module on SQLite (the reports only read it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'autumn.db'}"
    with open_store(url, clock=clock) as store:
        build(store)
        yield store


def _clients(store: Store, since: date | None = None, weights: EffortWeights | None = None) -> ClientsReport:
    settings = store.get_settings()
    return build_clients_report(
        store.get_missions(),
        store.list_invoices(),
        currency="EUR",
        at=AT,
        timezone=settings.timezone,
        since=since,
        weights=weights,
    )


def _pipeline(store: Store) -> PipelineReport:
    created = {m.ref: m.created_at for m in store.list_missions() if m.created_at is not None}
    return build_pipeline_report(
        store.get_missions(),
        store.list_invoices(),
        currency="EUR",
        at=AT,
        settings=store.get_settings(),
        created=created,
    )


def _d(text: str) -> Decimal:
    return Decimal(text)


# --- the clients report ------------------------------------------------------------------------


def test_clients_report_ranks_by_revenue_with_exact_figures(autumn: Store) -> None:
    """Each client's revenue, effort, ratio and shares are exact, largest revenue first."""
    report = _clients(autumn)
    rows = {c.ref: c for c in report.clients}
    assert [c.ref for c in report.clients] == ["C-1", "C-2", "C-3", "C-5", "C-4"]
    expected = {
        # ref: (missions, paid, invoiced, transitions, rounds, days, late, out of hours, effort, per point)
        "C-1": (3, "10500.00", "10000.00", 14, 0, 22, 0, 0, 36, "291.67"),
        "C-2": (2, "2200.00", "4000.00", 9, 0, 17, 1, 0, 36, "61.11"),
        "C-3": (1, "2000.00", "2000.00", 13, 2, 32, 0, 2, 61, "32.79"),
        "C-4": (1, "0.00", "0.00", 5, 0, 21, 0, 0, 26, "0.00"),
        "C-5": (2, "0.00", "0.00", 5, 0, 0, 0, 0, 5, "0.00"),
    }
    for ref, (missions, paid, invoiced, moves, rounds, days, late, ooh, effort, rate) in expected.items():
        c = rows[ref]
        assert (c.missions, c.paid, c.invoiced) == (missions, eur(paid), eur(invoiced)), ref
        assert (c.transitions, c.revision_rounds, c.days_in_progress) == (moves, rounds, days), ref
        assert (c.late_payments, c.out_of_hours, c.effort) == (late, ooh, Decimal(effort)), ref
        assert c.paid_per_effort == eur(rate), ref
    assert report.paid == eur("14700")
    assert report.invoiced == eur("16000")
    assert report.effort == 164
    assert report.paid_per_effort == eur("89.63")
    assert [(c.share, c.cumulative_share) for c in report.clients] == [
        (_d("71.43"), _d("71.43")),
        (_d("14.97"), _d("86.39")),
        (_d("13.61"), _d("100.00")),
        (_d("0.00"), _d("100.00")),
        (_d("0.00"), _d("100.00")),
    ]


def test_the_few_clients_who_bring_80_percent_and_the_costly_ones_stand_out(autumn: Store) -> None:
    """Two of five clients bring 80 % of the revenue; those under half the average per point are costly."""
    report = _clients(autumn)
    assert [c.ref for c in report.top_clients] == ["C-1", "C-2"]
    assert [c.ref for c in report.clients if c.costly] == ["C-3", "C-5", "C-4"]
    assert report.headline() == "2 of 5 clients (40\u00a0%) bring 80\u00a0% of the revenue."
    assert report.clients[0].flags == ("top 80 %",)
    assert report.clients[2].flags == ("costly",)


def test_since_keeps_only_what_happened_in_the_period(autumn: Store) -> None:
    """With --since, payments, invoices, transitions, days in progress and due dates outside the period drop out."""
    report = _clients(autumn, since=date(2026, 12, 1))
    rows = {c.ref: c for c in report.clients}
    assert [c.ref for c in report.clients] == ["C-3", "C-2", "C-1", "C-5", "C-4"]
    assert {ref: c.paid for ref, c in rows.items()} == {
        "C-1": eur("500"),
        "C-2": eur("1000"),
        "C-3": eur("1400"),
        "C-4": eur("0"),
        "C-5": eur("0"),
    }
    # The credit note of 1 December cancels a deposit invoice of November: negative in the period.
    assert rows["C-5"].invoiced == Money(Decimal("-1500"), "EUR")
    assert rows["C-4"].days_in_progress == 14  # from 1 December 00:00 in Paris to the report
    assert rows["C-2"].late_payments == 1  # M-3's invoice fell due on 5 December, still unpaid
    assert (rows["C-1"].transitions, rows["C-1"].missions) == (5, 2)  # M-1 had nothing left to do
    assert report.paid == eur("2900")


def test_effort_weights_change_the_ratio_and_the_costly_flag(autumn: Store) -> None:
    """The effort unit is a setting: weighing late payments ten times more makes the late payer costly."""
    assert not {c.ref: c for c in _clients(autumn).clients}["C-2"].costly
    heavy = EffortWeights(late_payment=Decimal(100))
    report = _clients(autumn, weights=heavy)
    rows = {c.ref: c for c in report.clients}
    assert rows["C-2"].effort == 126  # 9 transitions + 17 days + 100 for the late payment
    assert rows["C-2"].paid_per_effort == eur("17.46")
    assert report.paid_per_effort == eur("57.87")  # 14,700 / 254
    assert rows["C-2"].costly
    assert not rows["C-3"].costly  # 32.79 is now over half of the average
    assert ", 10 per late payment" not in render_clients_report(report, "table")
    assert "100 per late payment" in render_clients_report(report, "table")


def test_clients_report_formats(autumn: Store) -> None:
    """Table, CSV, JSON and HTML say the same figures; amounts are exact decimal text, never floats."""
    report = _clients(autumn)
    table = render_clients_report(report, "table")
    lines = table.splitlines()
    assert (
        lines[0]
        == "Clients, all time to 2026-12-15 (EUR): 2 of 5 clients (40\u00a0%) bring 80\u00a0% of the revenue."
    )
    order = [
        next(i for i, line in enumerate(lines) if line.startswith(name))
        for name in ("Atelier", "Brasserie", "Cabinet")
    ]
    assert order == sorted(order)
    assert "14,700.00" in next(line for line in lines if line.startswith("Total"))

    rows = render_clients_report(report, "csv").splitlines()
    assert rows[0].startswith("rank,ref,name,missions,currency,paid,invoiced,share_percent")
    assert rows[1].split(",")[:7] == ["1", "C-1", "Atelier Dupont", "3", "EUR", "10500.00", "10000.00"]
    assert rows[1].endswith(",true,false")
    assert len(rows) == 6

    def no_float(text: str) -> Decimal:
        raise AssertionError(f"a float in the JSON: {text}")

    document = json.loads(render_clients_report(report, "json"), parse_float=no_float)
    assert document["totals"]["paid"] == "14700.00"
    assert document["effort_points"]["revision_round"] == "5"
    assert [c["ref"] for c in document["clients"] if c["top_80"]] == ["C-1", "C-2"]
    assert document["clients"][2]["paid_per_effort_point"] == "32.79"

    html = render_clients_report(report, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert 'class="chart pareto"' in html
    with pytest.raises(InvalidValueError, match="format"):
        render_clients_report(report, "xml")


def test_clients_in_another_currency_are_left_out_and_counted() -> None:
    """A mission in USD does not mix with euros: it is counted as excluded."""
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    usd = Mission("M-1", "freelance-mission", "lead", client=Client("Acme", "C-1"), currency="USD")
    usd.payments.append(Payment(Money.of("100", "USD"), date(2026, 11, 2)))
    report = build_clients_report([usd], [], currency="EUR", at=at)
    assert report.clients == ()
    assert report.excluded_missions == 1
    assert "1 mission(s) in another currency than EUR are not counted." in render_clients_report(
        report, "table"
    )


def _paying_client(number: int, cents: int, at: datetime) -> Mission:
    mission = Mission(
        f"M-{number}", "freelance-mission", "paid", client=Client(f"Client {number}", f"C-{number}")
    )
    if cents:
        mission.payments.append(Payment(Money(Decimal(cents) / 100, "EUR"), date(2026, 11, 2)))
    mission.history.append(TransitionRecord("settle", "invoiced", "paid", "me", at - timedelta(days=1)))
    return mission


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=12))
def test_top_clients_are_the_shortest_prefix_reaching_80_percent(cents: list[int]) -> None:
    """For any revenues, the flagged clients are the largest ones, just enough of them to reach 80 %."""
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    report = build_clients_report(
        [_paying_client(i, c, at) for i, c in enumerate(cents, 1)], [], currency="EUR", at=at
    )
    paid = [c.paid.amount for c in report.clients]
    assert paid == sorted(paid, reverse=True)
    assert report.paid.amount == sum(Decimal(c) / 100 for c in cents)
    top = [c.paid.amount for c in report.top_clients]
    assert [c.top for c in report.clients] == [True] * len(top) + [False] * (len(paid) - len(top))
    if report.paid.amount == 0:
        assert top == []
    else:
        assert sum(top) * 100 >= 80 * report.paid.amount
        assert sum(top[:-1]) * 100 < 80 * report.paid.amount
    assert report.clients[-1].cumulative_share == (
        Decimal("100.00") if report.paid.amount else Decimal("0.00")
    )


# --- the pipeline ------------------------------------------------------------------------------


def test_pipeline_counts_agree_with_the_store(autumn: Store) -> None:
    """Missions per state are those Store.count_by_state gives, every state of the workflow listed."""
    report = _pipeline(autumn)
    counts = {s.state: s.missions for s in report.stages if s.missions}
    assert counts == autumn.count_by_state()
    assert [s.state for s in report.stages] == [
        "lead",
        "criteria_check",
        "specification",
        "contract_signed",
        "deposit_received",
        "in_progress",
        "revisions",
        "approved",
        "invoiced",
        "paid",
        "declined",
        "terminated",
    ]
    assert report.missions == 10


def test_pipeline_money_at_each_stage(autumn: Store) -> None:
    """Signed, invoiced, overdue and paid-this-month sums are exact per state and in total."""
    report = _pipeline(autumn)
    money = {
        s.state: (s.signed, s.invoiced, s.overdue, s.paid_this_month)
        for s in report.stages
        if s.signed.amount or s.paid_this_month.amount
    }
    assert money == {
        "contract_signed": (eur("6000"), eur("0"), eur("0"), eur("500")),
        "in_progress": (eur("1000"), eur("0"), eur("0"), eur("0")),
        "invoiced": (eur("4000"), eur("4000"), eur("1800"), eur("1000")),
        "paid": (eur("12000"), eur("12000"), eur("0"), eur("1400")),
        "terminated": (eur("5000"), eur("0"), eur("0"), eur("0")),
    }
    assert (report.signed, report.invoiced, report.overdue, report.paid_this_month) == (
        eur("28000"),
        eur("16000"),
        eur("1800"),
        eur("2900"),
    )


def test_pipeline_says_who_each_mission_waits_on_and_the_oldest(autumn: Store) -> None:
    """Deposit and payment wait on the client, the rest on the freelancer; the oldest mission per state."""
    report = _pipeline(autumn)
    waiting = {
        s.state: (s.waiting_on_client, s.waiting_on_freelancer)
        for s in report.stages
        if s.waiting_on_client or s.waiting_on_freelancer
    }
    assert waiting == {
        "lead": (0, 1),
        "criteria_check": (0, 1),
        "specification": (0, 1),
        "contract_signed": (1, 0),
        "in_progress": (0, 1),
        "invoiced": (1, 0),
    }
    assert (report.waiting_on_client, report.waiting_on_freelancer) == (2, 4)
    oldest = {s.state: (s.oldest.ref, s.oldest.days) for s in report.stages if s.oldest is not None}
    assert oldest == {
        "lead": ("M-8", 5),
        "criteria_check": ("M-9", 4),
        "specification": ("M-2", 14),
        "contract_signed": ("M-10", 7),
        "in_progress": ("M-5", 21),
        "invoiced": ("M-3", 40),
    }
    assert report.stage("paid").oldest is None  # a final state is not waiting for anything


def test_pipeline_funnel_counts_missions_that_reached_each_stage(autumn: Store) -> None:
    """The funnel counts, per stage of the default workflow, the missions that ever reached it."""
    report = _pipeline(autumn)
    assert [(f.state, f.reached, f.current) for f in report.funnel] == [
        ("lead", 10, 1),
        ("criteria_check", 8, 1),
        ("specification", 7, 1),
        ("contract_signed", 6, 1),
        ("deposit_received", 3, 0),
        ("in_progress", 4, 1),
        ("revisions", 1, 0),
        ("approved", 3, 0),
        ("invoiced", 3, 1),
        ("paid", 2, 2),
    ]


def test_pipeline_formats(autumn: Store) -> None:
    """The JSON holds exact decimal strings and the same totals; the table ends with them."""
    report = _pipeline(autumn)
    document = json.loads(render_pipeline_report(report, "json"))
    assert document["totals"] == {
        "missions": 10,
        "waiting_on_client": 2,
        "waiting_on_freelancer": 4,
        "signed": "28000.00",
        "invoiced": "16000.00",
        "overdue": "1800.00",
        "paid_this_month": "2900.00",
    }
    invoiced = next(s for s in document["states"] if s["state"] == "invoiced")
    assert invoiced["oldest"] == {
        "ref": "M-3",
        "title": "Menu design",
        "client": "Brasserie Lune",
        "since": "2026-11-05",
        "days": 40,
    }
    table = render_pipeline_report(report, "table")
    assert (
        table.splitlines()[0] == "Pipeline on 2026-12-15 (EUR): 10 missions, 2 waiting on clients, 4 on you"
    )
    total = next(line for line in table.splitlines() if line.startswith("Total")).split()
    assert total[1:8] == ["10", "2", "4", "28,000.00", "16,000.00", "1,800.00", "2,900.00"]
    assert 'class="chart funnel"' in render_pipeline_report(report, "html")
    with pytest.raises(InvalidValueError, match="format"):
        render_pipeline_report(report, "csv")


def test_store_facades_take_a_day(autumn: Store) -> None:
    """pipeline_report and clients_report read the store themselves; a date means the end of that day."""
    text = pipeline_report(autumn, at=date(2026, 12, 15))
    assert text.startswith("Pipeline on 2026-12-15 (EUR): 10 missions")
    document = json.loads(clients_report(autumn, at=date(2026, 12, 15), fmt="json"))
    assert document["on"] == "2026-12-15"
    assert document["totals"]["paid"] == "14700.00"
    with pytest.raises(InvalidValueError, match="no timezone"):
        pipeline_report(autumn, at=datetime(2026, 12, 15, 10))
    with pytest.raises(InvalidValueError, match="after the report's day"):
        clients_report(autumn, since=date(2027, 1, 1), at=date(2026, 12, 15))


def test_reports_read_the_same_on_postgresql_and_sqlite(store_url: str) -> None:
    """The scripted autumn gives the same pipeline and clients figures on both databases."""
    with open_store(store_url, clock=clock) as store:
        build(store)
        assert json.loads(pipeline_report(store, at=AT, fmt="json"))["totals"]["overdue"] == "1800.00"
        clients = json.loads(clients_report(store, at=AT, fmt="json"))
        assert [c["ref"] for c in clients["clients"]] == ["C-1", "C-2", "C-3", "C-5", "C-4"]
        assert [m.ref for m in store.get_missions(state="paid")] == ["M-1", "M-4"]
        assert [m.ref for m in store.get_missions(client="C-5")] == ["M-6", "M-7"]
        assert store.get_missions(client="C-5")[1] == store.get_mission("M-7")


# --- the status report -------------------------------------------------------------------------

STATES_AT = datetime(2026, 12, 2, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def every_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, str]]]:
    """One mission in each of the twelve states of the default workflow."""
    url = f"sqlite:///{tmp_path_factory.mktemp('states') / 'states.db'}"
    states = [
        "lead",
        "criteria_check",
        "specification",
        "contract_signed",
        "deposit_received",
        "in_progress",
        "revisions",
        "approved",
        "invoiced",
        "paid",
        "declined",
        "terminated",
    ]
    with open_store(url, clock=lambda: STATES_AT) as store:
        identify(store, name=CAMILLE)
        client = add_client(store, "Atelier Dupont", language="en").ref
        yield store, {state: mission_in(store, client, state, STATES_AT) for state in states}


NEXT_STEP = {
    # state: (next step, what it waits for, who acts)
    "lead": ("Next step: reviewing your request.", None, "Who acts next: your freelancer (Camille Martin)."),
    "criteria_check": (
        "Next step: accepting the mission.",
        "- a check that the project fits: budget, need and availability",
        "Who acts next: your freelancer (Camille Martin).",
    ),
    "specification": (
        "Next step: signing the contract.",
        "- the written specification, which still needs objectives, at least one deliverable, a deadline, "
        "a budget, acceptance criteria",
        "Who acts next: your freelancer (Camille Martin).",
    ),
    "contract_signed": (
        "Next step: receiving the deposit.",
        "- the deposit of 1,350.00 EUR (30 % of the contract): 1,350.00 EUR still to be paid",
        "Who acts next: you.",
    ),
    "deposit_received": (
        "Next step: starting the work.",
        None,
        "Who acts next: your freelancer (Camille Martin).",
    ),
    "in_progress": (
        "Next step: your approval of the work.",
        "- the delivery of: mockups, admin access (access code)",
        "Who acts next: your freelancer (Camille Martin).",
    ),
    "revisions": ("Next step: your approval of the work.", None, "Who acts next: you."),
    "approved": (
        "Next step: sending the final invoice.",
        None,
        "Who acts next: your freelancer (Camille Martin).",
    ),
    "invoiced": (
        "Next step: payment of the invoice.",
        "- the payment of 3,150.00 EUR still due",
        "Who acts next: you.",
    ),
}
CLOSED = {
    "paid": "The mission is complete: everything is delivered and paid. Thank you!",
    "declined": "The mission was declined.",
    "terminated": "The collaboration was ended.",
}


@pytest.mark.parametrize("state", [*NEXT_STEP, *CLOSED])
def test_status_report_says_the_next_step_in_words(
    every_state: tuple[Store, dict[str, str]], state: str
) -> None:
    """In each of the 12 states, the report names the current step, the next one, what it waits for and who acts."""
    store, refs = every_state
    text = status_report(store, refs[state], at=STATES_AT)
    assert f"**Current step: {store.get_mission(refs[state]).state.replace('_', ' ').capitalize()}**" in text
    if state in CLOSED:
        assert CLOSED[state] in text
        assert "Reason" not in text  # the freelancer's note, shown only when asked
        assert "Next step" not in text
        assert "Who acts next" not in text
        return
    step, waits, who = NEXT_STEP[state]
    assert step in text
    assert who in text
    if waits is None:
        assert "Nothing is missing: it can happen now." in text
    else:
        assert f"It is waiting for:\n{waits}\n" in text


def test_the_reason_of_a_way_out_is_shown_only_when_the_freelancer_says_so(
    every_state: tuple[Store, dict[str, str]],
) -> None:
    """The note written when a mission was declined or terminated is the freelancer's: the client's
    report shows it with show_reason only."""
    store, refs = every_state
    for state, reason in (("declined", "Budget too small"), ("terminated", "The client stopped answering")):
        assert reason not in status_report(store, refs[state], at=STATES_AT, fmt="html")
        shown = status_report(store, refs[state], at=STATES_AT, show_reason=True)
        assert f"{CLOSED[state]} Reason: {reason}" in shown


def test_status_report_lists_steps_deliverables_rounds_and_money(
    every_state: tuple[Store, dict[str, str]],
) -> None:
    """A mission in revisions: dated steps, both deliverables delivered, one round used, the deposit paid."""
    store, refs = every_state
    report = build_status_report(
        store.get_mission(refs["revisions"]), settings=store.get_settings(), at=STATES_AT
    )
    assert [s.text for s in report.done] == [
        "Your request was reviewed",
        "The mission was accepted",
        "The contract was signed",
        "The deposit was received",
        "Work started",
        "Delivered: mockups",
        "Delivered: admin access",
        "You asked for revision round 1",
    ]
    assert {s.on for s in report.done} == {date(2026, 12, 2)}
    assert [(d.name, d.delivered_on) for d in report.deliverables] == [
        ("mockups", date(2026, 12, 2)),
        ("admin access", date(2026, 12, 2)),
    ]
    assert report.revisions is not None
    assert (report.revisions.used, report.revisions.left, report.revisions.allowed) == (1, 1, 2)
    assert report.remaining == ("Approved", "Invoiced", "Paid")
    assert (report.account.paid, report.account.due, report.account.advance) == (
        eur("1350"),
        eur("0"),
        eur("1350"),
    )


def test_status_report_money_of_a_late_payer(autumn: Store) -> None:
    """M-3: 4,000 invoiced, 2,200 paid, 1,800 due and overdue since 5 December."""
    text = status_report(autumn, "M-3", at=AT)
    for line in (
        "| Agreed (contract) | 4,000.00 EUR |",
        "| Invoiced | 4,000.00 EUR |",
        "| Paid | 2,200.00 EUR |",
        "| Due | 1,800.00 EUR |",
        "Overdue (past the due date): 1,800.00 EUR",
        "- 5 November 2026: The final invoice was sent",
    ):
        assert line in text
    assert "Next step: payment of the invoice." in text


def test_status_report_of_a_partial_deposit(autumn: Store) -> None:
    """M-10: the deposit of 1,800 (30 %) with 500 paid leaves 1,300 to pay, and the client acts."""
    text = status_report(autumn, "M-10", at=AT)
    assert "- the deposit of 1,800.00 EUR (30 % of the contract): 1,300.00 EUR still to be paid" in text
    assert "Who acts next: you." in text


def test_status_report_in_french(every_state: tuple[Store, dict[str, str]]) -> None:
    """The French report writes amounts, dates and punctuation the French way."""
    store, refs = every_state
    text = status_report(store, refs["contract_signed"], lang="fr", at=STATES_AT)
    assert text.startswith("# Point d'avancement\u00a0: Mission to contract_signed\n")
    assert "Prochaine étape : la réception de l'acompte." in text
    assert "- l'acompte de 1\u00a0350,00 EUR (30 % du contrat) : 1\u00a0350,00 EUR restent à régler" in text
    assert "- 2 décembre 2026\u00a0: Le contrat a été signé" in text
    assert "Qui agit maintenant : vous." in text
    html = status_report(store, refs["paid"], lang="fr", fmt="html", at=STATES_AT)
    assert '<html lang="fr">' in html
    assert "La mission est terminée" in html


def test_status_report_refuses_what_it_does_not_know(autumn: Store) -> None:
    """An unknown mission, format or language is refused with the library's errors."""
    with pytest.raises(MissionNotFoundError):
        status_report(autumn, "M-99")
    with pytest.raises(InvalidValueError, match="format"):
        status_report(autumn, "M-1", fmt="docx")
    with pytest.raises(InvalidValueError, match="lang"):
        status_report(autumn, "M-1", lang="de")


def test_status_html_includes_the_lifecycle_diagram(autumn: Store, require_binary: object) -> None:
    """With Graphviz, the page inlines the mission's diagram as SVG (no XML prolog inside HTML)."""
    assert callable(require_binary)
    require_binary("dot", "graphviz")
    html = status_report(autumn, "M-5", fmt="html", at=AT)
    figure = html.split('<figure class="diagram">', 1)[1]
    assert figure.lstrip().startswith("<svg")
    assert "<?xml" not in html
    assert "<!DOCTYPE svg" not in html
    assert "In progress" in figure


def test_status_html_without_graphviz_says_so(autumn: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Graphviz's dot on the PATH, the page still renders, with a note instead of the diagram."""
    monkeypatch.setenv("PATH", "")
    html = status_report(autumn, "M-5", fmt="html", at=AT)
    assert "The lifecycle diagram could not be drawn here" in html
    assert "apt-get install graphviz" in html
    assert "<svg" not in html


def test_html_pages_are_self_contained_and_print_ready(
    autumn: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No script, stylesheet link or remote resource; a print style sheet in every page."""
    monkeypatch.setenv("PATH", "")  # the diagram is checked elsewhere; this looks at the page
    pages = [
        status_report(autumn, "M-1", fmt="html", at=AT),
        clients_report(autumn, fmt="html", at=AT),
        pipeline_report(autumn, fmt="html", at=AT),
    ]
    for html in pages:
        lowered = html.lower()
        for forbidden in ("<script", "<link", " src=", "url(", "@import", "https://", "<iframe"):
            assert forbidden not in lowered, forbidden
        assert "@media print" in html
        assert "@page" in html
        assert "http://" not in lowered.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_client_names_are_escaped_everywhere() -> None:
    """A name with markup characters stays text in the HTML, the SVG and the Markdown table."""
    with open_store("sqlite://", clock=lambda: STATES_AT) as store:
        identify(store)
        client = add_client(store, "Bob & <Sons> | Co", language="en").ref
        ref = mission_in(store, client, "paid", STATES_AT)
        html = clients_report(store, fmt="html", at=STATES_AT)
        assert "Bob &amp; &lt;Sons&gt; | Co" in html
        assert "<Sons>" not in html
        chart = html.split("<svg", 1)[1].split("</svg>", 1)[0]
        ET.fromstring("<svg" + chart + "</svg>")  # still well-formed XML
        status = status_report(store, ref, at=STATES_AT, fmt="html")
        assert "Bob &amp; &lt;Sons&gt; | Co" in status


# --- accounts, progress and charts ------------------------------------------------------------


def _invoice(
    number: str, kind: str, total: str, issued: date, due: date, references: str | None = None
) -> InvoiceRecord:
    return InvoiceRecord(
        number, kind, "M-1", issued, due, eur(total), references, (), datetime(2026, 1, 1, tzinfo=UTC)
    )


def test_account_allocates_payments_oldest_first_and_finds_late_ones() -> None:
    """Payments settle the oldest invoice first; an invoice completed after its due date was paid late."""
    deposit = _invoice("2026-0001", "deposit", "300", date(2026, 3, 2), date(2026, 3, 16))
    final = _invoice("2026-0002", "final", "700", date(2026, 5, 4), date(2026, 6, 3))
    payments = [
        Payment(eur("200"), date(2026, 3, 10)),
        Payment(eur("100"), date(2026, 3, 20)),  # completes the deposit four days late
        Payment(eur("500"), date(2026, 6, 1)),
    ]
    account = compute_account("EUR", [deposit, final], payments, on=date(2026, 6, 10))
    assert (account.invoiced, account.paid, account.due) == (eur("1000"), eur("800"), eur("200"))
    assert (account.overdue, account.overdue_invoices, account.late_payments) == (
        eur("200"),
        ("2026-0002",),
        2,
    )
    before = compute_account("EUR", [deposit, final], payments, on=date(2026, 6, 3))
    assert (before.overdue, before.late_payments) == (eur("0"), 1)  # due today is not late yet


def test_account_credit_notes_cancel_and_payments_can_come_first() -> None:
    """A credit note takes its invoice off what is owed; money paid before any invoice is an advance."""
    deposit = _invoice("2026-0001", "deposit", "300", date(2026, 3, 2), date(2026, 3, 16))
    credit = _invoice(
        "2026-0002", "credit", "300", date(2026, 4, 1), date(2026, 4, 1), references="2026-0001"
    )
    account = compute_account("EUR", [deposit, credit], [], on=date(2026, 6, 1))
    assert (account.invoiced, account.due, account.overdue, account.late_payments) == (
        eur("0"),
        eur("0"),
        eur("0"),
        0,
    )
    early = compute_account("EUR", [], [Payment(eur("450"), date(2026, 2, 1))], on=date(2026, 6, 1))
    assert (early.paid, early.advance, early.due) == (eur("450"), eur("450"), eur("0"))


def test_waiting_party_follows_the_guards() -> None:
    """contract_signed waits on the client while the deposit is short, then on the freelancer to confirm it."""
    at = datetime(2026, 12, 2, 10, tzinfo=UTC)
    mission = Mission(
        "M-1", "freelance-mission", "contract_signed", client=Client("Acme"), amount=eur("1000")
    )
    mission.contract = Contract(eur("1000"), "CGV", date(2026, 12, 1))
    progress = assess_progress(mission, at=at)
    assert progress.waiting_on == CLIENT
    assert [o.trigger for o in progress.forward] == ["confirm_deposit"]
    assert progress.remaining == ("deposit_received", "in_progress", "approved", "invoiced", "paid")
    mission.payments.append(Payment(eur("300"), date(2026, 12, 2)))
    progress = assess_progress(mission, at=at)
    assert progress.waiting_on == FREELANCER
    assert progress.next_option is not None
    assert progress.next_option.trigger == "confirm_deposit"


def test_without_a_deposit_work_starts_right_after_the_signature() -> None:
    """With a 0 % deposit, the next step after the signature is starting the work, the freelancer's."""
    at = datetime(2026, 12, 2, 10, tzinfo=UTC)
    mission = Mission(
        "M-1", "freelance-mission", "contract_signed", client=Client("Acme"), deposit_percent=Decimal(0)
    )
    mission.contract = Contract(eur("1000"), "CGV", date(2026, 12, 1))
    progress = assess_progress(mission, at=at)
    assert [o.trigger for o in progress.forward] == ["start_work"]
    assert progress.waiting_on == FREELANCER
    assert progress.remaining == ("in_progress", "approved", "invoiced", "paid")


def _rects(svg: str, css: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [e for e in root.iter(f"{SVG}rect") if css in (e.get("class") or "").split()]


def test_pareto_chart_bars_and_cumulative_line_are_to_scale() -> None:
    """Bar heights are proportional to the values; the cumulative line ends at 100 %, the 80 % line is dashed."""
    svg = pareto_chart(
        [Bar("A", Decimal(600), "top"), Bar("B", Decimal(300)), Bar("C", Decimal(100), "costly")],
        title="Revenue",
        unit="EUR",
    )
    heights = [Decimal(e.get("height", "0")) for e in _rects(svg, "bar")]
    assert heights == [Decimal(224), Decimal(112), Decimal("37.3")]
    root = ET.fromstring(svg)
    line = next(root.iter(f"{SVG}polyline"))
    points = [tuple(Decimal(v) for v in p.split(",")) for p in (line.get("points") or "").split()]
    assert [y for _, y in points] == [Decimal("145.6"), Decimal("78.4"), Decimal(56)]  # 60 %, 90 %, 100 %
    threshold = next(e for e in root.iter(f"{SVG}line") if e.get("class") == "threshold")
    assert Decimal(threshold.get("y1", "0")) == Decimal("100.8")
    assert threshold.get("stroke-dasharray")
    assert "No revenue" in pareto_chart([], title="Revenue", unit="EUR")


def test_funnel_chart_widths_follow_the_counts() -> None:
    """Each funnel bar is as wide as its count relative to the largest, centred."""
    svg = funnel_chart(
        [FunnelStage("Lead", 8), FunnelStage("Paid", 2), FunnelStage("Lost", 0)], title="Funnel"
    )
    root = ET.fromstring(svg)
    bars = [e for g in root.iter(f"{SVG}g") if g.get("class") == "stage" for e in g.iter(f"{SVG}rect")]
    widths = [Decimal(e.get("width", "0")) for e in bars]
    assert widths == [Decimal(480), Decimal(120), Decimal(3)]
    centres = {Decimal(e.get("x", "0")) + w / 2 for e, w in zip(bars, widths, strict=True)}
    assert centres == {Decimal(440)}


def test_mission_summaries_carry_their_creation_time(autumn: Store) -> None:
    """list_missions gives each mission's creation time, which ages a mission that never moved."""
    summary = next(m for m in autumn.list_missions() if m.ref == "M-8")
    assert summary.created_at == datetime(2026, 12, 10, 9, tzinfo=UTC)


CUSTOM = """
name: review-loop
version: 1
title: Review loop
description: A tiny workflow the report has no special words for.
initial: draft
states:
  - id: draft
    label: {en: Draft, fr: Brouillon}
  - id: reviewed
    label: {en: Reviewed, fr: Relu}
  - id: done
    label: {en: Done, fr: Fini}
    final: true
transitions:
  - trigger: review
    source: draft
    dest: reviewed
    label: {en: Review the draft, fr: Relire le brouillon}
  - trigger: wrap_up
    source: reviewed
    dest: done
    guards: [has_invoice]
    label: {en: Wrap up, fr: Conclure}
"""


def test_any_workflow_gets_a_readable_status_report() -> None:
    """Triggers and guards without special words fall back to the workflow's labels and the guard's reason."""
    register_workflow(parse_workflow(CUSTOM, "<test>"))
    at = datetime(2026, 12, 2, 10, tzinfo=UTC)
    mission = Mission("M-1", "review-loop", "draft", client=Client("Acme"))
    mission.history.append(TransitionRecord("review", "draft", "reviewed", "me", at))
    mission.state = "reviewed"
    english = build_status_report(mission, at=at)
    assert [s.text for s in english.done] == ["Review the draft"]
    assert english.next_step == "wrap up"
    assert english.waiting_for == ("no invoice has been issued yet",)
    assert english.revisions is None
    french = build_status_report(mission, lang="fr", at=at)
    assert french.waiting_for == ("une facture pour la période",)
    assert "## Séries de corrections" not in render_status_report(french, "md")
    mission.history.append(TransitionRecord("wrap_up", "reviewed", "done", "me", at))
    mission.state = "done"
    closed = build_status_report(mission, at=at)
    assert closed.closing == "The mission is complete (Done)."
    assert closed.outcome == "complete"
    assert "The mission is complete (Done)." in render_status_report(closed, "html")
    with pytest.raises(InvalidValueError, match="format"):
        render_status_report(closed, "pdf")


def test_timers_fired_by_tick_and_moves_between_versions_are_not_client_effort() -> None:
    """Entries a timer fired (actor `timer`) and `migrate` entries count neither as transitions nor
    as effort of the client."""
    from datetime import UTC, datetime

    from missionflow import TransitionRecord
    from missionflow.freelance import Client, Mission
    from missionflow.reports import build_clients_report

    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

    def mission(ref: str, client: str, reminders: int) -> Mission:
        history = [TransitionRecord("qualify", "lead", "criteria_check", "me", at)]
        history += [
            TransitionRecord("remind_deposit", "criteria_check", "criteria_check", "timer", at)
            for _ in range(reminders)
        ]
        history += [TransitionRecord("migrate", "criteria_check", "criteria_check", "me", at)] * reminders
        return Mission(
            ref=ref,
            workflow="freelance-mission",
            state="criteria_check",
            client=Client(client, ref=client),
            history=history,
        )

    report = build_clients_report(
        [mission("M-1", "C-1", 0), mission("M-2", "C-2", 3)], [], currency="EUR", at=at
    )
    figures = {c.ref: c for c in report.clients}
    assert figures["C-1"].transitions == figures["C-2"].transitions == 1
    assert figures["C-1"].effort == figures["C-2"].effort
