"""Every built-in guard on the persisted store (SQLite and PostgreSQL): it blocks with its exact
reason and writes nothing, then lets the trigger through once the stored facts satisfy it.

One database per kind serves the whole module (each test works on its own client and missions,
and the settings are reset before each test): creating a PostgreSQL database per test would
cost more than the tests themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from missionflow import (
    Store,
    TransitionBlockedError,
    TransitionRecord,
    fire,
    load_workflow,
    open_store,
    testing,
)
from missionflow.freelance import Contract, Deliverable, Payment, Settings, Specification
from missionflow.freelance.vocabulary import SETTINGS
from missionflow.testing import eur

EUR = "EUR"
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Paris: within working hours
SIGNED_ON = date(2026, 3, 2)


SPEC = Specification(
    objectives="A new logo and the admin of the site",
    deliverables=(Deliverable("logo"), Deliverable("admin password", "access_code")),
    deadline=date(2026, 6, 1),
    budget=eur("1000"),
    acceptance="The client approves in writing",
)
CONTRACT = Contract(eur("1000"), "CGV-2026-1", SIGNED_ON, signed_by="Acme")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def shared_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One migrated database of each kind for the whole module."""
    if request.param == "sqlite":
        with open_store(f"sqlite:///{tmp_path_factory.mktemp('guards') / 'missionflow.db'}") as opened:
            yield opened
        return
    server: Any = request.getfixturevalue("postgres_server")
    template: str = request.getfixturevalue("postgres_template")
    name = f"mf_guards_{uuid.uuid4().hex[:12]}"
    server.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        with open_store(server.url(name)) as opened:
            yield opened
    finally:
        server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def store(shared_store: Store) -> Store:
    """The module's store, with the default settings (and the identity invoices need), no client blocked."""
    shared_store.save_settings(Settings().with_changes(**testing.IDENTITY))
    for client in shared_store.list_clients():
        if client.blocked:
            shared_store.unblock_client(client.ref)
    return shared_store


def refused(store: Store, ref: str, attempt: Callable[[], object]) -> dict[str, str]:
    """Run ``attempt``, which must be blocked; check nothing was written; return {guard: reason}."""
    before = store.get_mission(ref)
    with pytest.raises(TransitionBlockedError) as blocked:
        attempt()
    after = store.get_mission(ref)
    assert (after.state, after.version, after.history) == (before.state, before.version, before.history)
    return {result.guard: result.reason or "" for result in blocked.value.failed}


def new_mission(store: Store, *, workflow: str = "freelance-mission", **terms: object) -> str:
    """A 1000 EUR mission for a new client Acme, as a lead; returns its reference."""
    return testing.lead(store, workflow=workflow, at=AT, **terms)


def answer_all(store: Store, ref: str) -> None:
    """Answer every criterion of the stored settings yes."""
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)


def signed(store: Store, **terms: object) -> str:
    """A mission walked to contract_signed with SPEC; returns its reference."""
    ref = new_mission(store, **terms)
    testing.sign(store, ref, spec=SPEC, at=AT)
    return ref


def in_progress(store: Store, **terms: object) -> str:
    """A mission whose deposit (30 %) is paid and confirmed and whose work has started."""
    ref = signed(store, **terms)
    testing.start(store, ref, at=AT)
    return ref


def deliver(store: Store, ref: str, name: str, at: datetime = AT) -> TransitionRecord:
    return testing.deliver(store, ref, name, at=at)


def retainer_active(store: Store) -> str:
    """A retainer whose service has started (no deposit)."""
    ref = new_mission(store, workflow="retainer", deposit_percent=0)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, CONTRACT, at=AT)
    store.fire(ref, "start_service", at=AT)
    return ref


# --- client_not_blocked ------------------------------------------------------------------------


def test_client_not_blocked_blocks_a_blocked_clients_lead(store: Store) -> None:
    """A lead of a blocked client cannot be qualified; the reason names the client and why."""
    ref = new_mission(store)
    store.block_client(store.get_mission(ref).client.ref, "called on Saturday for work due yesterday")
    reasons = refused(store, ref, lambda: store.fire(ref, "qualify", at=AT))
    assert reasons == {
        "client_not_blocked": "client Acme is blocked: called on Saturday for work due yesterday"
    }


def test_client_not_blocked_lets_an_unblocked_client_through(store: Store) -> None:
    """Once the block is lifted, the lead is qualified."""
    ref = new_mission(store)
    client = store.get_mission(ref).client.ref
    store.block_client(client, "rude")
    store.unblock_client(client)
    assert store.fire(ref, "qualify", at=AT).dest == "criteria_check"


# --- criteria_met ------------------------------------------------------------------------------


def test_criteria_met_names_every_unanswered_or_failed_must_have(store: Store) -> None:
    """accept lists the must-haves answered no and those not answered, with their question."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    store.answer_criterion(ref, "budget_fits", True)
    store.answer_criterion(ref, "respectful", False, "shouted on the phone")
    reasons = refused(store, ref, lambda: store.fire(ref, "accept", at=AT))
    assert reasons == {
        "criteria_met": "must-have criterion 'respectful' is not met; "
        "criterion 'clear_need' is not answered (Is the need clear enough to write a specification?)"
    }


def test_criteria_met_lets_through_when_every_must_have_is_yes(store: Store) -> None:
    """With every must-have answered yes, a nice-to-have answered no does not block accept."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.answer_criterion(ref, "interesting", False)
    assert store.fire(ref, "accept", at=AT).dest == "specification"


# --- lead_time_respected -----------------------------------------------------------------------


def test_lead_time_respected_blocks_a_deadline_too_close(store: Store) -> None:
    """A deadline three days away is refused against the stored minimum lead time of 7 days."""
    ref = new_mission(store, deadline=date(2026, 3, 5))
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    reasons = refused(store, ref, lambda: store.fire(ref, "accept", at=AT))
    assert reasons == {
        "lead_time_respected": "deadline 2026-03-05 is 3 days away, less than the minimum lead time "
        "of 7 days (record a rush surcharge to accept it)"
    }


def test_lead_time_respected_lets_a_rush_or_a_shorter_stored_minimum_through(store: Store) -> None:
    """An agreed rush surcharge, or a minimum lead time saved lower in the settings, lets accept pass."""
    rushed = new_mission(store, deadline=date(2026, 3, 5))
    store.fire(rushed, "qualify", at=AT)
    answer_all(store, rushed)
    store.set_rush_surcharge(rushed, eur("300"))
    assert store.fire(rushed, "accept", at=AT).dest == "specification"

    store.save_settings(store.get_settings().with_changes(minimum_lead_days=3))
    relaxed = new_mission(store, deadline=date(2026, 3, 5))
    store.fire(relaxed, "qualify", at=AT)
    answer_all(store, relaxed)
    assert store.fire(relaxed, "accept", at=AT).dest == "specification"


# --- reason_given ------------------------------------------------------------------------------


def test_reason_given_blocks_a_decline_without_a_reason(store: Store) -> None:
    """decline with a blank note is refused and asks for the reason."""
    ref = new_mission(store)
    reasons = refused(store, ref, lambda: store.fire(ref, "decline", note="  ", at=AT))
    assert reasons == {"reason_given": "a reason is required (give it as the note)"}


def test_reason_given_lets_a_decline_with_a_reason_through(store: Store) -> None:
    """decline with a reason is recorded with it."""
    ref = new_mission(store)
    record = store.fire(ref, "decline", note="budget too small", at=AT)
    assert (record.dest, store.history(ref)[-1].record.note) == ("declined", "budget too small")


# --- specification_complete --------------------------------------------------------------------


def test_specification_complete_names_the_missing_parts(store: Store) -> None:
    """sign_contract without a specification, then with a partial one, says what is missing."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    reasons = refused(store, ref, lambda: store.sign_contract(ref, CONTRACT, at=AT))
    assert reasons == {
        "specification_complete": "no specification yet: objectives, deliverables, deadline, budget "
        "and acceptance criteria are required"
    }
    store.set_specification(ref, Specification(objectives="A logo", budget=eur("1000")))
    reasons = refused(store, ref, lambda: store.sign_contract(ref, CONTRACT, at=AT))
    assert reasons == {
        "specification_complete": "specification incomplete: missing at least one deliverable, "
        "a deadline, acceptance criteria"
    }
    assert store.get_mission(ref).contract is None


def test_specification_complete_lets_a_complete_specification_through(store: Store) -> None:
    """With every part written, the contract is signed and recorded."""
    ref = signed(store)
    mission = store.get_mission(ref)
    assert (mission.state, mission.specification, mission.contract) == ("contract_signed", SPEC, CONTRACT)


# --- contract_signed ---------------------------------------------------------------------------


def test_contract_signed_blocks_without_a_contract_or_its_terms(store: Store) -> None:
    """sign_contract fired without a contract, or with blank terms, is refused and records nothing."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    store.set_specification(ref, SPEC)
    reasons = refused(store, ref, lambda: store.fire(ref, "sign_contract", at=AT))
    assert reasons == {"contract_signed": "no signed contract: record the quote amount and the terms version"}
    no_terms = Contract(eur("1000"), " ", SIGNED_ON)
    reasons = refused(store, ref, lambda: store.sign_contract(ref, no_terms, at=AT))
    assert reasons == {"contract_signed": "the contract is missing the terms version"}
    assert store.get_mission(ref).contract is None


def test_contract_signed_lets_a_pro_bono_contract_through(store: Store) -> None:
    """A contract of exactly 0 (pro bono) is a signed contract, and its 0 is kept."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(eur("0"), "CGV-2026-1", SIGNED_ON), at=AT)
    contract = store.get_mission(ref).contract
    assert contract is not None
    assert contract.amount == eur("0")


# --- deposit_satisfied -------------------------------------------------------------------------


def test_deposit_satisfied_blocks_with_the_amount_still_due(store: Store) -> None:
    """confirm_deposit with 100 of a 300 deposit paid gives both amounts and what is still due."""
    ref = signed(store)
    store.record_payment(ref, Payment(eur("100"), SIGNED_ON))
    reasons = refused(store, ref, lambda: store.fire(ref, "confirm_deposit", at=AT))
    assert reasons == {
        "deposit_satisfied": "deposit not received: 100.00 of 300.00 EUR (30 %), 200.00 EUR still due"
    }


def test_deposit_satisfied_lets_the_full_deposit_or_a_zero_deposit_through(store: Store) -> None:
    """Once payments reach the deposit work starts; with a 0 % deposit it starts right after signing."""
    ref = signed(store)
    store.record_payment(ref, Payment(eur("100"), SIGNED_ON))
    store.record_payment(ref, Payment(eur("200"), SIGNED_ON))
    assert store.fire(ref, "confirm_deposit", at=AT).dest == "deposit_received"
    assert store.fire(ref, "start_work", at=AT).dest == "in_progress"
    free = signed(store, deposit_percent=0)
    assert store.fire(free, "start_work", at=AT).source == "contract_signed"


# --- no_deposit_agreed -------------------------------------------------------------------------

SKIPPED_DEPOSIT = "a deposit of 30 % was agreed: confirm it (confirm_deposit) before starting work"


def test_no_deposit_agreed_blocks_starting_work_straight_after_the_signature(store: Store) -> None:
    """With a 30 % deposit, start_work from contract_signed is refused (with the amount still due
    while it is unpaid, and even once it is paid) until confirm_deposit is fired."""
    ref = signed(store)
    store.record_payment(ref, Payment(eur("100"), SIGNED_ON))
    reasons = refused(store, ref, lambda: store.fire(ref, "start_work", at=AT))
    assert reasons == {
        "deposit_satisfied": "deposit not received: 100.00 of 300.00 EUR (30 %), 200.00 EUR still due",
        "no_deposit_agreed": SKIPPED_DEPOSIT,
    }
    store.record_payment(ref, Payment(eur("200"), SIGNED_ON))
    reasons = refused(store, ref, lambda: store.fire(ref, "start_work", at=AT))
    assert reasons == {"no_deposit_agreed": SKIPPED_DEPOSIT}
    store.fire(ref, "confirm_deposit", at=AT)
    assert store.fire(ref, "start_work", at=AT).source == "deposit_received"


def test_no_deposit_agreed_lets_a_zero_deposit_mission_start_right_after_signing(store: Store) -> None:
    """With 0 % agreed, start_work passes from contract_signed and the record names the guard."""
    ref = signed(store, deposit_percent=0)
    store.fire(ref, "start_work", at=AT)
    stored = store.history(ref)[-1].record
    assert (stored.source, stored.dest) == ("contract_signed", "in_progress")
    assert "no_deposit_agreed" in stored.guards


# --- deliverable_in_specification --------------------------------------------------------------


def test_deliverable_in_specification_blocks_what_was_not_promised(store: Store) -> None:
    """A delivery must name one of the specification's deliverables."""
    ref = in_progress(store)
    reasons = refused(store, ref, lambda: deliver(store, ref, "video"))
    assert reasons == {
        "deliverable_in_specification": "'video' is not a deliverable of the specification "
        "(expected one of: logo, admin password)"
    }
    reasons = refused(store, ref, lambda: store.fire(ref, "deliver", at=AT))
    assert reasons == {"deliverable_in_specification": "name the deliverable that is handed over"}


def test_deliverable_in_specification_records_a_promised_delivery(store: Store) -> None:
    """Delivering a deliverable of the specification is a delivery in the stored history."""
    ref = in_progress(store)
    deliver(store, ref, "logo")
    assert [name for name, _ in store.get_mission(ref).deliveries()] == ["logo"]


# --- delivered_since_last_round ----------------------------------------------------------------


def test_delivered_since_last_round_blocks_a_round_without_a_new_delivery(store: Store) -> None:
    """A revision round needs a delivery, and a new one after the previous round."""
    ref = in_progress(store)
    reasons = refused(store, ref, lambda: store.fire(ref, "request_revision", at=AT))
    assert reasons == {"delivered_since_last_round": "nothing has been delivered yet"}
    deliver(store, ref, "logo")
    store.fire(ref, "request_revision", at=AT)
    reasons = refused(store, ref, lambda: store.fire(ref, "request_revision", at=AT))
    assert reasons == {
        "delivered_since_last_round": "nothing has been delivered since the last revision round"
    }


def test_delivered_since_last_round_lets_a_round_after_a_delivery_through(store: Store) -> None:
    """After a new delivery, the next round may be asked."""
    ref = in_progress(store)
    deliver(store, ref, "logo")
    store.fire(ref, "request_revision", at=AT)
    deliver(store, ref, "logo")
    assert store.fire(ref, "request_revision", at=AT).dest == "revisions"


# --- revision_round_left -----------------------------------------------------------------------


def test_revision_round_left_blocks_past_the_included_rounds(store: Store) -> None:
    """With one included round used, the next is refused until an extra one is agreed."""
    ref = in_progress(store, included_revisions=1)
    deliver(store, ref, "logo")
    store.fire(ref, "request_revision", at=AT)
    deliver(store, ref, "logo")
    reasons = refused(store, ref, lambda: store.fire(ref, "request_revision", at=AT))
    assert reasons == {
        "revision_round_left": "the 1 revision round is used (1 included, 0 extra); agree an extra round first"
    }


def test_revision_round_left_lets_an_agreed_extra_round_through(store: Store) -> None:
    """An agreed extra round (a billable amendment) lets one more round through, and only one."""
    ref = in_progress(store, included_revisions=1)
    deliver(store, ref, "logo")
    store.fire(ref, "request_revision", at=AT)
    deliver(store, ref, "logo")
    store.agree_extra_revision(ref, eur("150"), "a third look at the colours")
    assert store.fire(ref, "request_revision", at=AT).dest == "revisions"
    deliver(store, ref, "logo")
    assert "revision_round_left" in refused(store, ref, lambda: store.fire(ref, "request_revision", at=AT))


# --- deliverables_complete ---------------------------------------------------------------------


def test_deliverables_complete_blocks_until_access_codes_are_handed_over(store: Store) -> None:
    """approve waits for every deliverable; the access code is named as such."""
    ref = in_progress(store)
    deliver(store, ref, "logo")
    reasons = refused(store, ref, lambda: store.fire(ref, "approve", at=AT))
    assert reasons == {"deliverables_complete": "not delivered yet: admin password (access code)"}


def test_deliverables_complete_lets_approval_through_once_everything_is_delivered(store: Store) -> None:
    """With every deliverable handed over, approve passes."""
    ref = in_progress(store)
    deliver(store, ref, "logo")
    deliver(store, ref, "admin password")
    assert store.fire(ref, "approve", at=AT).dest == "approved"


def test_tacit_approval_is_blocked_before_the_acceptance_period_or_without_one(store: Store) -> None:
    """Tacit approval says from when it is possible, and needs an acceptance period in the contract."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(eur("1000"), "CGV-2026-1", SIGNED_ON, acceptance_days=10), at=AT)
    store.record_payment(ref, Payment(eur("300"), SIGNED_ON))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    deliver(store, ref, "logo")
    deliver(store, ref, "admin password", at=AT + timedelta(days=1))
    too_early = AT + timedelta(days=11) - timedelta(minutes=1)
    reasons = refused(store, ref, lambda: store.approve_tacitly(ref, at=too_early))
    assert reasons == {
        "deliverables_complete": "tacit approval is possible from 2026-03-13 11:00, 10 days after the "
        "last delivery (2026-03-03 11:00) without an answer from the client"
    }
    without_period = in_progress(store)
    deliver(store, without_period, "logo")
    deliver(store, without_period, "admin password")
    reasons = refused(
        store, without_period, lambda: store.approve_tacitly(without_period, at=AT + timedelta(days=200))
    )
    assert reasons == {
        "deliverables_complete": "tacit approval needs an acceptance period in the contract; the client must approve"
    }


def test_tacit_approval_passes_after_the_acceptance_period_with_its_note(store: Store) -> None:
    """N days after the last delivery without an answer, approval is recorded as tacit."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(eur("1000"), "CGV-2026-1", SIGNED_ON, acceptance_days=10), at=AT)
    store.record_payment(ref, Payment(eur("300"), SIGNED_ON))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    deliver(store, ref, "logo")
    deliver(store, ref, "admin password")
    record = store.approve_tacitly(ref, actor="camille", at=AT + timedelta(days=10))
    stored = store.history(ref)[-1].record
    assert (stored.trigger, stored.dest, stored.note, dict(stored.data)) == (
        "approve",
        "approved",
        "tacit approval",
        {"tacit": "yes"},
    )
    assert stored == record


# --- fully_paid --------------------------------------------------------------------------------
# On a retainer (closed by `close`), so that no invoice is issued by the trigger itself.


def test_fully_paid_blocks_while_something_is_due(store: Store) -> None:
    """close is refused with nothing invoiced, then with the amount still due."""
    ref = retainer_active(store)
    store.fire(ref, "wind_down", at=AT)
    reasons = refused(store, ref, lambda: store.fire(ref, "close", at=AT))
    assert reasons == {"fully_paid": "nothing has been invoiced yet"}
    store.issue_invoice(ref, "final", eur("1000"), SIGNED_ON, SIGNED_ON + timedelta(days=30))
    store.record_payment(ref, Payment(eur("300"), SIGNED_ON))
    reasons = refused(store, ref, lambda: store.fire(ref, "close", at=AT))
    assert reasons == {"fully_paid": "still due: 700.00 EUR of 1,000.00 EUR invoiced"}


def test_fully_paid_lets_the_mission_close_when_the_balance_is_zero(store: Store) -> None:
    """Once payments cover everything invoiced, to the cent, the mission closes."""
    ref = retainer_active(store)
    store.fire(ref, "wind_down", at=AT)
    store.issue_invoice(ref, "final", eur("1000"), SIGNED_ON, SIGNED_ON + timedelta(days=30))
    store.record_payment(ref, Payment(eur("999.99"), SIGNED_ON))
    assert "fully_paid" in refused(store, ref, lambda: store.fire(ref, "close", at=AT))
    store.record_payment(ref, Payment(eur("0.01"), SIGNED_ON))
    assert store.fire(ref, "close", at=AT).dest == "ended"


# --- sessions_left and all_sessions_held (coaching) --------------------------------------------


def coaching_in_session(store: Store) -> str:
    """A coaching programme of two sessions whose sessions have started."""
    ref = new_mission(store, workflow="coaching", sessions_planned=2, deposit_percent=0)
    store.fire(ref, "qualify", at=AT)
    answer_all(store, ref)
    store.fire(ref, "accept", at=AT)
    store.sign_contract(ref, CONTRACT, at=AT)
    store.fire(ref, "start_sessions", at=AT)
    return ref


def test_sessions_left_blocks_a_session_past_the_agreed_number(store: Store) -> None:
    """A third session of two agreed is refused."""
    ref = coaching_in_session(store)
    store.fire(ref, "hold_session", at=AT)
    store.fire(ref, "hold_session", at=AT)
    reasons = refused(store, ref, lambda: store.fire(ref, "hold_session", at=AT))
    assert reasons == {"sessions_left": "all 2 agreed sessions are held; agree more sessions first"}


def test_sessions_left_lets_an_agreed_session_through(store: Store) -> None:
    """A session within the agreed number is held."""
    ref = coaching_in_session(store)
    assert store.fire(ref, "hold_session", at=AT).trigger == "hold_session"


def test_all_sessions_held_blocks_completing_early(store: Store) -> None:
    """complete is refused with how many sessions were held of those agreed."""
    ref = coaching_in_session(store)
    store.fire(ref, "hold_session", at=AT)
    reasons = refused(store, ref, lambda: store.fire(ref, "complete", at=AT))
    assert reasons == {"all_sessions_held": "1 of 2 agreed sessions held"}


def test_all_sessions_held_lets_a_finished_programme_complete(store: Store) -> None:
    """With every agreed session held, the programme completes."""
    ref = coaching_in_session(store)
    store.fire(ref, "hold_session", at=AT)
    store.fire(ref, "hold_session", at=AT)
    assert store.fire(ref, "complete", at=AT).dest == "completed"


# --- has_invoice (retainer) --------------------------------------------------------------------


def test_has_invoice_blocks_closing_a_period_without_an_invoice(store: Store) -> None:
    """A retainer period cannot close before its invoice is issued."""
    ref = retainer_active(store)
    reasons = refused(store, ref, lambda: store.fire(ref, "invoice_period", at=AT))
    assert reasons == {"has_invoice": "no invoice has been issued yet"}


def test_has_invoice_lets_a_period_with_its_invoice_close(store: Store) -> None:
    """Once the period's invoice is issued, the period closes."""
    ref = retainer_active(store)
    store.issue_invoice(ref, "final", eur("1000"), SIGNED_ON, SIGNED_ON + timedelta(days=30))
    assert store.fire(ref, "invoice_period", at=AT).trigger == "invoice_period"


# --- deposit_missing and payment_overdue (the guards of timers: tick evaluates them) ---------------


def test_deposit_missing_skips_the_reminder_of_a_paid_or_agreed_free_deposit(store: Store) -> None:
    """tick skips the deposit reminder once the deposit is paid, and when none was agreed (0 %)."""
    paid = signed(store)
    store.record_payment(paid, Payment(eur("300"), SIGNED_ON))
    free = signed(store, deposit_percent=0)
    results = {r.mission: r for r in store.tick(AT + timedelta(days=8)) if r.mission in (paid, free)}
    assert {ref: (r.fired, r.outcome) for ref, r in results.items()} == {
        paid: (False, "skipped: the deposit of 300.00 EUR is received"),
        free: (False, "skipped: no deposit was agreed"),
    }


def test_deposit_missing_lets_the_reminder_through_while_the_deposit_is_unpaid(store: Store) -> None:
    """With 100 of a 300 deposit paid, the reminder fires."""
    ref = signed(store)
    store.record_payment(ref, Payment(eur("100"), SIGNED_ON))
    [result] = [r for r in store.tick(AT + timedelta(days=8)) if r.mission == ref]
    assert (result.trigger, result.fired) == ("remind_deposit", True)


def invoiced(store: Store) -> str:
    """A mission approved and invoiced on 1 April (due 1 May), 300 of 1000 paid."""
    ref = in_progress(store)
    deliver(store, ref, "logo")
    deliver(store, ref, "admin password")
    store.fire(ref, "approve", at=AT)
    store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))
    return ref


def test_payment_overdue_blocks_before_the_due_date_and_when_nothing_is_owed(store: Store) -> None:
    """On the stored dues: before the due date nothing is late; once everything is paid nothing is owed."""
    ref = invoiced(store)
    mission = store.get_mission(ref)
    early = datetime(2026, 4, 20, tzinfo=UTC)
    with pytest.raises(TransitionBlockedError) as blocked:
        fire(mission, "remind_payment", at=early, timer=True, facts={SETTINGS: store.get_settings()})
    assert blocked.value.reasons == ("nothing is overdue: every payment still owed is due later",)
    store.record_payment(ref, Payment(eur("700"), date(2026, 4, 20)))
    settled = store.get_mission(ref)
    assert settled.dues == ()
    with pytest.raises(TransitionBlockedError) as nothing:
        fire(settled, "remind_payment", at=early, timer=True)
    assert nothing.value.reasons == ("nothing is owed",)


def test_payment_overdue_lets_the_reminder_through_the_day_after_the_due_date(store: Store) -> None:
    """Unpaid the day after it was due, the invoice is reminded by tick."""
    ref = invoiced(store)
    [result] = [r for r in store.tick(datetime(2026, 5, 2, 12, tzinfo=UTC)) if r.mission == ref]
    assert (result.trigger, result.fired) == ("remind_payment", True)


def test_every_built_in_guard_is_tested_here() -> None:
    """Each guard of the shipped workflows has a blocking and a passing test here (named after it)."""
    used = {
        guard.name
        for name in ("freelance-mission", "coaching", "retainer")
        for transition in load_workflow(name).transitions
        for guard in transition.guards
    }
    tests = [name for name in globals() if name.startswith("test_")]
    untested = sorted(guard for guard in used if sum(t.startswith(f"test_{guard}_") for t in tests) < 2)
    assert untested == []
