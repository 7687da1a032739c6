"""The twelve holes of issue 16, each told as the freelancer's story and played on SQLite and
PostgreSQL: every euro agreed is billed, nothing is "paid" that was not, amounts are read exactly
or refused, time only moves forward, and what the client caused is what counts against them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from missionflow import (
    ConflictError,
    InvalidValueError,
    Store,
    TransitionBlockedError,
    open_store,
    register_workflow,
    testing,
)
from missionflow.freelance import Contract, Payment
from missionflow.reports import build_clients_report, pipeline_report, status_report
from missionflow.testing import MONDAY, SATURDAY, eur
from missionflow.workflow import parse_workflow
from tests.cli_helpers import Cli

APPROVED_AT = MONDAY + timedelta(days=1)
INVOICED_AT = MONDAY + timedelta(days=2)


def approved(store: Store, amount: str = "1000", **options: object) -> str:
    """A mission of ``amount`` signed, its 30 % deposit paid, delivered and approved."""
    ref = testing.lead(store, amount=amount, **options)  # type: ignore[arg-type]
    testing.sign(store, ref)
    testing.start(store, ref)
    testing.approve(store, ref, at=APPROVED_AT)
    return ref


# --- 1. paid means paid ------------------------------------------------------------------------


def test_01_a_mission_is_paid_only_when_a_final_invoice_stands_and_is_paid(store: Store) -> None:
    """Camille invoices, then cancels the invoice with a credit note: settling is refused (before,
    "everything invoiced is paid" was vacuously true); the invoice is issued again and paid, the
    mission is paid, and a paid mission's invoices can no longer be cancelled."""
    ref = approved(store)
    _, final = store.issue_final_invoice(ref, at=INVOICED_AT)
    store.issue_credit_note(final.number, "wrong address", issued_on=INVOICED_AT.date())
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "settle", at=INVOICED_AT)
    assert refused.value.reasons == (
        f"no final invoice stands: {final.number} cancelled by a credit note; issue the final invoice again",
    )
    again = store.reissue_final_invoice(ref, issued_on=INVOICED_AT.date())
    with pytest.raises(TransitionBlockedError, match=r"still due: 700\.00 EUR"):
        store.fire(ref, "settle", at=INVOICED_AT)
    store.record_payment(ref, Payment(again.total, INVOICED_AT.date(), "transfer"))
    assert store.fire(ref, "settle", at=INVOICED_AT).dest == "paid"
    with pytest.raises(ConflictError, match="is paid: its invoices are settled"):
        store.issue_credit_note(again.number, "changed my mind", issued_on=INVOICED_AT.date())


# --- 2. the rush surcharge is billed -----------------------------------------------------------


def test_02_an_agreed_rush_surcharge_is_part_of_the_contract_and_billed_on_its_own_line(
    store: Store, store_url: str
) -> None:
    """A client wants the logo in three days: a surcharge of 0 is refused (it would lift the lead
    time for free); 200 is agreed, the quote of 1,200 is signed, and the final invoice bills 1,200 +
    200 less the deposit, on two lines; `contract show` and `mission show --json` say 1,400."""
    ref = testing.lead(store, amount="1200", deadline=MONDAY.date() + timedelta(days=3))
    store.fire(ref, "qualify", at=MONDAY)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    with pytest.raises(InvalidValueError, match="is no surcharge"):
        store.set_rush_surcharge(ref, eur("0"))
    with pytest.raises(TransitionBlockedError, match="minimum lead time"):
        store.fire(ref, "accept", at=MONDAY)
    store.set_rush_surcharge(ref, eur("200"))
    store.fire(ref, "accept", at=MONDAY)
    store.set_specification(ref, testing.specification(budget=eur("1200")))
    store.sign_contract(ref, Contract(eur("1200"), "CGV-2026-1", MONDAY.date()), at=MONDAY)
    with pytest.raises(ConflictError, match="is signed: agree the surcharge as an amendment"):
        store.set_rush_surcharge(ref, eur("300"))
    assert store.get_mission(ref).deposit_due == eur("420")  # 30 % of 1,400
    testing.start(store, ref)
    testing.approve(store, ref, at=APPROVED_AT)
    _, final = store.issue_final_invoice(ref, at=INVOICED_AT)
    assert [(line["description"], line["amount"]) for line in final.lines] == [
        ("Logo", {"amount": "1200.00", "currency": "EUR"}),
        ("Majoration pour délai court", {"amount": "200.00", "currency": "EUR"}),
    ]
    assert final.total == eur("1400")
    run = Cli(store_url)
    shown = run.json("contract", "show", ref)
    assert shown["total"] == {"amount": "1400.00", "currency": "EUR"}  # type: ignore[index]
    assert run.json("mission", "show", ref)["agreed"]["total"] == {"amount": "1400.00", "currency": "EUR"}  # type: ignore[index]


# --- 3. amounts are read exactly or refused ----------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("12.345", "has 3 decimals"),
        ("2,275", "without thousands separators"),
        ("1,000", "without thousands separators"),
        ("0.005", "has 3 decimals"),
        ("\uff11\uff10\uff10", "ASCII digits"),
        ("\u0661\u0660\u0660", "ASCII digits"),
        ("1_000", "without thousands separators"),
        ("1e-999999999", "ASCII digits"),
        ("92233720368547758.08", "over the maximum of 1,000,000,000,000"),
    ],
)
def test_03_an_amount_is_read_exactly_or_refused_naming_it(
    store: Store, store_url: str, amount: str, says: str
) -> None:
    """Camille types a payment the way a bank statement shows it: nothing is rounded or misread,
    every doubtful amount exits 2 with a message naming it, and nothing is recorded."""
    ref = testing.lead(store)
    run = Cli(store_url)
    refused = run("payment", "add", ref, amount, "--on", MONDAY.date().isoformat())
    assert refused.exit_code == 2, refused.output
    assert says in refused.stderr
    assert repr(amount) in refused.stderr or amount in refused.stderr
    assert store.get_mission(ref).payments == []


@pytest.mark.parametrize(
    ("deposit", "says"), [("0.3", "ambiguous"), ("30%%", "not a percentage"), ("101", "over 100")]
)
def test_03_a_percentage_is_30_or_30_percent_never_a_fraction(
    store_url: str, deposit: str, says: str
) -> None:
    """`--deposit 0.3` meant 0.3 %: it is refused as ambiguous, like a doubled sign or over 100."""
    run = Cli(store_url)
    run.ok("client", "add", "Acme")
    refused = run("mission", "new", "C-1", "Logo", "--amount", "1000", "--deposit", deposit)
    assert refused.exit_code == 2
    assert says in refused.stderr
    assert "M-1" in run.ok("mission", "new", "C-1", "Logo", "--amount", "1000", "--deposit", "30%")


# --- 4. settings that break later --------------------------------------------------------------


def test_04_settings_are_validated_and_overdue_keeps_working(store: Store, store_url: str) -> None:
    """A rate of 1e999 and a currency XYZ are refused (exit 2); a rate under three times the legal
    rate is accepted with a warning; `overdue` still answers."""
    run = Cli(store_url)
    assert run("settings", "set", "late_penalty_rate", "1e999").exit_code == 2
    assert run("settings", "set", "currency", "XYZ").exit_code == 2
    low = run("settings", "set", "late_penalty_rate", "5")
    assert low.exit_code == 0
    assert "below the legal minimum for business clients" in low.stderr
    assert store.get_settings().currency == "EUR"
    assert run("overdue", "--on", "2026-06-01").exit_code == 0


# --- 5. one agreed total everywhere ------------------------------------------------------------


def test_05_the_reports_agree_with_the_invoice_on_what_was_agreed(store: Store) -> None:
    """A 6,000 contract, an amendment of 200 and an extra round of 150: the status report's
    "agreed", the pipeline's "signed" and the final invoice all say 6,350."""
    ref = testing.lead(store, amount="6000")
    testing.sign(store, ref)
    testing.start(store, ref)
    store.amend_contract(ref, eur("200"), "a blog section", at=MONDAY)
    store.agree_extra_revision(ref, eur("150"), "a third round", at=MONDAY)
    testing.approve(store, ref, at=APPROVED_AT)
    _, final = store.issue_final_invoice(ref, at=INVOICED_AT)
    assert final.total == eur("6350")
    status = status_report(store, ref, at=INVOICED_AT, lang="en")
    assert "| Agreed (contract) | 6,350.00 EUR |" in status
    assert "| Invoiced | 6,350.00 EUR |" in status
    pipeline = json.loads(pipeline_report(store, at=INVOICED_AT, fmt="json"))
    assert pipeline["totals"]["signed"] == "6350.00"


# --- 6. the status report as of its date, following the plan ----------------------------------


def test_06_the_status_report_follows_the_plan_and_its_date(store: Store) -> None:
    """The client pays the deposit, the final invoice of 700 falls due on 3 April and a plan splits
    it over April and May: on 10 April nothing is overdue (``overdue`` agrees); as of 5 March, before
    the last payment, the report shows what was true then and never "Paid, thank you!"."""
    ref = approved(store)
    store.issue_final_invoice(ref, at=INVOICED_AT)
    store.set_payment_plan(
        ref,
        [installment(date(2026, 4, 15), "350"), installment(date(2026, 5, 2), "350")],
        on=INVOICED_AT.date(),
    )
    april = datetime(2026, 4, 10, 10, tzinfo=UTC)
    assert store.overdue(april.date()) == []
    assert "Overdue" not in status_report(store, ref, at=april, lang="en")
    store.record_payment(ref, Payment(eur("700"), date(2026, 4, 20), "transfer"))
    store.fire(ref, "settle", at=datetime(2026, 4, 20, 10, tzinfo=UTC))
    now = status_report(store, ref, at=datetime(2026, 4, 21, 10, tzinfo=UTC), lang="en")
    assert "The mission is complete" in now
    before = status_report(store, ref, at=datetime(2026, 3, 5, 10, tzinfo=UTC), lang="en")
    assert "The mission is complete" not in before
    assert "| Paid | 300.00 EUR |" in before
    assert "| Due | 700.00 EUR |" in before


def installment(due_on: date, amount: str) -> object:
    """One installment of a plan."""
    from missionflow.freelance import Installment

    return Installment(due_on, eur(amount))


# --- 7. identity before money ------------------------------------------------------------------


def test_07_no_invoice_is_issued_without_the_freelancers_identity(store_url: str) -> None:
    """On a fresh database the deposit invoice is refused, listing the missing settings, and no
    number is taken; once name, address and SIRET are set, it is the first of the series."""
    with open_store(store_url) as fresh:
        ref = testing.lead(fresh)
        testing.sign(fresh, ref)
        with pytest.raises(ConflictError, match="set your name, address and siret first"):
            fresh.issue_deposit_invoice(ref, issued_on=MONDAY.date())
        assert fresh.list_invoices() == []
        testing.identify(fresh)
        assert fresh.issue_deposit_invoice(ref, issued_on=MONDAY.date()).number == "2026-0001"


# --- 8. time only moves forward ----------------------------------------------------------------


def test_08_history_only_moves_forward_and_dates_mean_what_they_say(store: Store, store_url: str) -> None:
    """A step dated in 2030 is refused; a step before the last one or before the mission was
    created is refused; the signature is recorded on its date; a deadline already past is refused
    at creation and at accept, and no rush surcharge lifts it."""
    ref = testing.lead(store)
    with pytest.raises(InvalidValueError, match="in the future"):
        store.fire(ref, "qualify", at=datetime(2030, 1, 7, 10, tzinfo=UTC))
    with pytest.raises(InvalidValueError, match="before mission M-1 was created"):
        store.fire(ref, "qualify", at=MONDAY - timedelta(days=30))
    store.fire(ref, "qualify", at=MONDAY + timedelta(days=2))
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    with pytest.raises(InvalidValueError, match="history only moves forward"):
        store.fire(ref, "accept", at=MONDAY + timedelta(days=1))
    store.fire(ref, "accept", at=MONDAY + timedelta(days=2))
    store.set_specification(ref, testing.specification())
    run = Cli(store_url)
    run.ok(
        "contract", "sign", ref, "--amount", "1000", "--terms-version", "CGV-1", "--signed-on", "2026-03-10"
    )
    signed = store.history(ref)[-1].record
    assert signed.at.astimezone(UTC).date() == date(2026, 3, 10)
    late = run("mission", "new", "C-1", "Old", "--deadline", "2020-01-01")
    assert late.exit_code == 2
    assert "2020-01-01 has already passed" in late.stderr
    client = store.add_client("Bea").ref
    past = store.create_mission(client, "Poster", deadline=date(2026, 3, 20), at=MONDAY).ref
    store.fire(past, "qualify", at=MONDAY)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(past, criterion.name, True)
    store.set_rush_surcharge(past, eur("300"))
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(past, "accept")
    assert refused.value.reasons == ("deadline 2026-03-20 has passed: agree a new deadline first",)


def test_08_a_workflow_may_allow_back_dating_explicitly(store: Store) -> None:
    """A workflow that says `backdating: true` records a step dated before the last one."""
    text = (backdated_workflow_text()).replace("initial: lead", "backdating: true\ninitial: lead", 1)
    register_workflow(parse_workflow(text, "backdated.yaml"))
    ref = testing.lead(store, workflow="freelance-backdated")
    store.fire(ref, "qualify", at=MONDAY + timedelta(days=2))
    store.fire(ref, "decline", note="no budget", at=MONDAY + timedelta(days=1))
    assert [e.record.at for e in store.history(ref)] == [
        MONDAY + timedelta(days=2),
        MONDAY + timedelta(days=1),
    ]


def backdated_workflow_text() -> str:
    """The default workflow's file, renamed freelance-backdated."""
    from missionflow.workflow import load_workflow

    source = load_workflow("freelance-mission").source
    with open(source, encoding="utf-8") as file:
        return file.read().replace("name: freelance-mission", "name: freelance-backdated", 1)


# --- 9. payments that pay nothing -------------------------------------------------------------


def test_09_payments_on_ended_missions_or_far_ahead_are_refused_and_overpayments_warned(
    store: Store, store_url: str
) -> None:
    """A payment on a declined mission is refused (exit 8), one dated years ahead too (exit 2); a
    payment beyond what the invoices ask is kept as a credit, with a warning that says how much."""
    declined = testing.lead(store)
    store.fire(declined, "decline", note="no budget", at=MONDAY)
    run = Cli(store_url)
    refused = run("payment", "add", declined, "100", "--on", MONDAY.date().isoformat())
    assert refused.exit_code == 8
    assert "declined and nothing is due" in refused.stderr
    assert "invoice deposit" not in refused.output
    ahead = run("payment", "add", declined, "100", "--on", "2031-01-01")
    assert ahead.exit_code == 2
    assert "in the future" in ahead.stderr
    ref = approved(store, client="Bea")
    store.issue_final_invoice(ref, at=INVOICED_AT)
    over = run("payment", "add", ref, "1000", "--on", INVOICED_AT.date().isoformat())
    assert over.exit_code == 0
    assert "300.00 EUR more than the invoices ask for is held as a credit" in over.stderr
    assert store.get_mission(ref).balance.amount == Decimal("-300")


# --- 10. effort is what the client caused ------------------------------------------------------


def test_10_effort_counts_what_the_client_caused_and_pro_bono_is_never_costly(store: Store) -> None:
    """The client's Saturday revision request counts as out of hours, the invoice Camille sent on a
    Sunday does not; the association helped for free is not "costly"; its 0 invoice carries no
    late penalty and no indemnity."""
    ref = testing.lead(store, client="Studio Nord")
    testing.sign(store, ref)
    testing.start(store, ref)
    testing.deliver(store, ref, "mockups")
    store.fire(ref, "request_revision", actor="client", at=SATURDAY)
    monday = SATURDAY + timedelta(days=2)
    for item in ("mockups", "website", "admin access"):
        testing.deliver(store, ref, item, at=monday)
    store.fire(ref, "approve", actor="client", at=monday)
    sunday = SATURDAY + timedelta(days=8)
    store.issue_final_invoice(ref, at=sunday)
    assert store.history(ref)[-1].record.out_of_hours  # Camille's own Sunday step
    free = testing.lead(store, client="Association Lune", amount="0")
    testing.sign(store, free)
    testing.start(store, free)
    testing.approve(store, free, at=monday)
    _, nothing = store.issue_final_invoice(free, at=sunday + timedelta(days=1))
    assert nothing.total == eur("0")
    assert nothing.terms is not None
    assert (nothing.terms.late_penalty_rate, nothing.terms.recovery_indemnity) == (Decimal(0), None)
    assert nothing.number not in [item.reference for item in store.overdue(date(2026, 6, 1))]
    report = build_clients_report(
        store.get_missions(), store.list_invoices(), currency="EUR", at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    figures = {c.name: c for c in report.clients}
    assert figures["Studio Nord"].out_of_hours == 1
    assert figures["Association Lune"].out_of_hours == 0
    assert not figures["Association Lune"].costly


# --- 11. what termination and lateness cost is billed -----------------------------------------


def test_11_a_terminated_mission_bills_the_work_done_and_lateness_is_billable(store: Store) -> None:
    """After terminating, Camille invoices the 800 agreed for the work done less the 300 deposit.
    Another client pays 700 a month late: the interest (700 x 12 % x 30 / 365) and the 40 EUR
    indemnity that `overdue` showed are billed by a late-payment invoice in the same series, once."""
    ref = testing.lead(store)
    testing.sign(store, ref)
    deposit = store.issue_deposit_invoice(ref, issued_on=MONDAY.date())
    testing.start(store, ref)
    with pytest.raises(ConflictError, match="only for a mission that ended early"):
        store.issue_final_invoice_after_exit(ref, eur("800"), at=APPROVED_AT)
    store.fire(ref, "terminate", note="the client stopped answering", at=APPROVED_AT)
    work = store.issue_final_invoice_after_exit(ref, eur("800"), at=INVOICED_AT)
    assert (work.kind, work.total, work.number) == ("final", eur("500"), "2026-0002")
    assert [line["description"] for line in work.lines] == ["Travail réalisé jusqu'à la fin de la mission"]
    deducted = store.invoice_document(work.number).deposits
    assert [(d.invoice.number, d.amount) for d in deducted] == [(deposit.number, eur("300"))]
    late = approved(store, client="Bea")
    _, final = store.issue_final_invoice(late, at=INVOICED_AT)
    assert final.due_on == date(2026, 4, 3)
    [owed] = [item for item in store.overdue(date(2026, 4, 20)) if item.mission == late]
    assert (owed.interest, owed.indemnity) == (eur("3.91"), eur("40"))
    store.record_payment(late, Payment(eur("700"), date(2026, 5, 3), "transfer"))
    assert [item for item in store.overdue(date(2026, 5, 4)) if item.mission == late] == []
    penalty = store.issue_late_payment_invoice(late, on=date(2026, 5, 4))
    assert (penalty.kind, penalty.number, penalty.total) == ("penalty", "2026-0004", eur("46.90"))
    assert [line["kind"] for line in penalty.lines] == ["interest", "indemnity"]
    with pytest.raises(ConflictError, match="nothing to bill"):
        store.issue_late_payment_invoice(late, on=date(2026, 5, 4))


# --- 12. blocked clients stay blocked ----------------------------------------------------------


def test_12_a_blocked_client_cannot_come_back_under_a_new_record(store: Store, store_url: str) -> None:
    """Toxic SARL is blocked; adding it again by name (any case) or by its email is refused naming
    the blocked client; --force adds someone else who happens to share the name."""
    toxic = store.add_client("Toxic SARL", email="boss@toxic.fr")
    store.block_client(toxic.ref, "insults on the phone")
    with pytest.raises(ConflictError, match="matches a blocked client: C-1 Toxic SARL"):
        store.add_client("toxic  sarl")
    with pytest.raises(ConflictError, match="C-1 Toxic SARL \\(blocked: insults on the phone\\)"):
        store.add_client("Jean Dupuis", email="BOSS@toxic.fr")
    run = Cli(store_url)
    refused = run("client", "add", "New Name", "--company", "Toxic SARL")
    assert refused.exit_code == 8
    assert "C-1 Toxic SARL" in refused.stderr
    assert run.ok("client", "add", "Toxic SARL", "--force").strip() == "C-2"
    assert [c.ref for c in store.list_clients()] == ["C-1", "C-2"]
