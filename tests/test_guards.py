"""The built-in guards, each blocking with its exact reason and letting through when satisfied."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

import missionflow.freelance.guards
from missionflow import (
    GuardContext,
    Money,
    TransitionBlockedError,
    TransitionRecord,
    Workflow,
    parse_workflow,
    register_guard,
)
from missionflow.freelance import (
    Client,
    Contract,
    Criterion,
    CriterionAnswer,
    Deliverable,
    InvoiceSummary,
    Mission,
    Payment,
    Settings,
    Specification,
    context_of,
)
from missionflow.workflow import GuardParam, GuardSpec, get_guard, guard_names

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
EUR = "EUR"

SPEC = Specification(
    objectives="a new site",
    deliverables=(Deliverable("logo"), Deliverable("site"), Deliverable("admin password", "access_code")),
    deadline=TODAY + timedelta(days=30),
    budget=Money.of("4500", EUR),
    acceptance="the client signs off each page",
)


def mission(workflow: str = "freelance-mission", **facts: object) -> Mission:
    """A mission in progress for Acme with the given facts."""
    facts.setdefault("client", Client("Acme"))
    return Mission(ref="M-1", workflow=workflow, state="in_progress", **facts)  # type: ignore[arg-type]


def coaching(**facts: object) -> Mission:
    """A coaching programme in sessions: its workflow tags `hold_session` as a session."""
    return mission("coaching", **facts)


def check(
    name: str,
    subject: Mission,
    *,
    now: datetime = NOW,
    settings: Settings | None = None,
    data: Mapping[str, str] | None = None,
    note: str = "",
    params: Mapping[str, GuardParam] | None = None,
) -> str | None:
    """Run the registered guard ``name`` on ``subject`` and return its reason (None: allowed)."""
    spec = get_guard(name)
    assert spec is not None, name
    ctx = context_of(subject, settings, at=now, note=note, data=data)
    return spec.func(subject, ctx, params or {})


def record(trigger: str, at: datetime = NOW, **data: str) -> TransitionRecord:
    """A history record as the engine writes it (a `deliver` passed deliverable_in_specification)."""
    guards = ("deliverable_in_specification",) if trigger == "deliver" else ()
    return TransitionRecord(trigger, "in_progress", "in_progress", "me", at, data=data, guards=guards)


def delivered(*names: str, at: datetime = NOW) -> list[TransitionRecord]:
    """One delivery record per name."""
    return [record("deliver", at, deliverable=name) for name in names]


BUILT_INS = {
    "client_not_blocked",
    "criteria_met",
    "lead_time_respected",
    "reason_given",
    "specification_complete",
    "contract_signed",
    "deposit_satisfied",
    "no_deposit_agreed",
    "deliverable_in_specification",
    "delivered_since_last_round",
    "revision_round_left",
    "deliverables_complete",
    "fully_paid",
    "sessions_left",
    "all_sessions_held",
    "has_invoice",
}


def test_every_built_in_guard_is_tested_here() -> None:
    """The guards defined in missionflow.freelance.guards are exactly the ones this module tests."""
    # By file, not by __module__: the register_guard docstring example (run by test_doctests) defines
    # its guard with the guards module's globals, so its __module__ is missionflow.freelance.guards too.
    guards_file = missionflow.freelance.guards.__file__
    defined = {name for name in guard_names() if get_guard(name).func.__code__.co_filename == guards_file}  # type: ignore[union-attr]
    assert defined == BUILT_INS


def test_every_built_in_guard_describes_itself_in_both_languages() -> None:
    """Each built-in guard has words in English and in French for diagrams and reports."""
    for name in BUILT_INS:
        spec = get_guard(name)
        assert isinstance(spec, GuardSpec)
        assert spec.describe("en")
        assert spec.describe("fr")
        assert spec.describe("fr") != spec.describe("en")


# --- client_not_blocked --------------------------------------------------------------------


def test_client_not_blocked_blocks_a_blocked_client_with_the_reason() -> None:
    """A blocked client is refused, with why they were blocked."""
    client = Client("Acme", blocked=True, blocked_reason="calls on Saturdays")
    assert check("client_not_blocked", mission(client=client)) == "client Acme is blocked: calls on Saturdays"
    bare = Client("Acme", blocked=True)
    assert check("client_not_blocked", mission(client=bare)) == "client Acme is blocked"


def test_client_not_blocked_lets_a_client_in_good_standing_through() -> None:
    """A client who is not blocked passes."""
    assert check("client_not_blocked", mission()) is None


# --- criteria_met --------------------------------------------------------------------------


def test_criteria_met_blocks_unanswered_and_failed_must_haves() -> None:
    """Each unanswered or failed must-have criterion is named; nice-to-haves are ignored."""
    settings = Settings(
        criteria=(
            Criterion("budget_fits", "Does the budget fit?"),
            Criterion("respectful", "Respectful?"),
            Criterion("interesting", "Interesting?", must_have=False),
        )
    )
    answers = {"respectful": CriterionAnswer("respectful", False)}
    assert check("criteria_met", mission(criteria_answers=answers), settings=settings) == (
        "criterion 'budget_fits' is not answered (Does the budget fit?); "
        "must-have criterion 'respectful' is not met"
    )


def test_criteria_met_lets_through_when_every_must_have_is_yes() -> None:
    """When every must-have is answered yes, nice-to-haves may stay unanswered."""
    answers = {n: CriterionAnswer(n, True) for n in ("budget_fits", "respectful", "clear_need")}
    assert check("criteria_met", mission(criteria_answers=answers)) is None


# --- lead_time_respected -------------------------------------------------------------------


def test_lead_time_respected_blocks_a_deadline_too_close() -> None:
    """A deadline closer than the minimum lead time is refused with the days counted."""
    subject = mission(deadline=TODAY + timedelta(days=3))
    assert check("lead_time_respected", subject) == (
        "deadline 2025-03-06 is 3 days away, less than the minimum lead time of 7 days "
        "(record a rush surcharge to accept it)"
    )
    tomorrow = mission(deadline=TODAY + timedelta(days=1))
    assert check("lead_time_respected", tomorrow, params={"minimum_days": 2}) == (
        "deadline 2025-03-04 is 1 day away, less than the minimum lead time of 2 days "
        "(record a rush surcharge to accept it)"
    )


def test_lead_time_respected_lets_through_enough_time_a_surcharge_or_no_deadline() -> None:
    """Exactly the minimum, a smaller minimum, an agreed rush surcharge or no deadline all pass."""
    assert check("lead_time_respected", mission(deadline=TODAY + timedelta(days=7))) is None
    assert (
        check("lead_time_respected", mission(deadline=TODAY + timedelta(days=3)), params={"minimum_days": 3})
        is None
    )
    rush = mission(deadline=TODAY + timedelta(days=1), rush_surcharge=Money.of("500", EUR))
    assert check("lead_time_respected", rush) is None
    assert check("lead_time_respected", mission()) is None
    short = Settings(minimum_lead_days=2)
    assert check("lead_time_respected", mission(deadline=TODAY + timedelta(days=2)), settings=short) is None


# --- reason_given --------------------------------------------------------------------------


def test_reason_given_blocks_an_empty_note() -> None:
    """An exit without a reason (or with only spaces) is refused."""
    assert check("reason_given", mission(), note="   ") == "a reason is required (give it as the note)"


def test_reason_given_lets_a_reason_through() -> None:
    """A note is the reason, and that is enough."""
    assert check("reason_given", mission(), note="client stopped answering") is None


# --- specification_complete ----------------------------------------------------------------


def test_specification_complete_blocks_a_missing_or_partial_specification() -> None:
    """No specification, or one with empty parts, is refused with the missing parts listed."""
    assert check("specification_complete", mission()) == (
        "no specification yet: objectives, deliverables, deadline, budget and acceptance criteria are required"
    )
    partial = Specification(objectives="a site")
    assert check("specification_complete", mission(specification=partial)) == (
        "specification incomplete: missing at least one deliverable, a deadline, a budget, acceptance criteria"
    )


def test_specification_complete_lets_a_full_specification_through() -> None:
    """Objectives, deliverables, deadline, budget and acceptance criteria together pass."""
    assert check("specification_complete", mission(specification=SPEC)) is None


# --- contract_signed -----------------------------------------------------------------------


def test_contract_signed_blocks_without_a_contract() -> None:
    """No recorded contract, no work."""
    assert (
        check("contract_signed", mission())
        == "no signed contract: record the quote amount and the terms version"
    )


def test_contract_signed_lets_a_pro_bono_contract_through() -> None:
    """A contract for an explicit 0 (pro bono) is still a contract."""
    contract = Contract(Money.of("0", EUR), "CGV-2025", TODAY)
    assert check("contract_signed", mission(contract=contract)) is None


# --- deposit_satisfied ---------------------------------------------------------------------


def test_deposit_satisfied_blocks_until_the_deposit_is_paid() -> None:
    """Payments short of the deposit are refused with what is paid, due and missing."""
    contract = Contract(Money.of("4500", EUR), "CGV-2025", TODAY)
    payments = [Payment(Money.of("1000", EUR), TODAY)]
    assert check("deposit_satisfied", mission(contract=contract, payments=payments)) == (
        "deposit not received: 1,000.00 of 1,350.00 EUR (30 %), 350.00 EUR still due"
    )
    odd = mission(contract=contract, deposit_percent=Decimal("33.5"))
    assert check("deposit_satisfied", odd) == (
        "deposit not received: 0.00 of 1,507.50 EUR (33.5 %), 1,507.50 EUR still due"
    )


def test_deposit_satisfied_lets_the_exact_deposit_or_a_zero_deposit_through() -> None:
    """Paying the deposit to the cent, or agreeing no deposit, passes."""
    contract = Contract(Money.of("4500", EUR), "CGV-2025", TODAY)
    paid = [Payment(Money.of("1000", EUR), TODAY), Payment(Money.of("350", EUR), TODAY)]
    assert check("deposit_satisfied", mission(contract=contract, payments=paid)) is None
    assert check("deposit_satisfied", mission(contract=contract, deposit_percent=Decimal(0))) is None


# --- no_deposit_agreed ---------------------------------------------------------------------


def test_no_deposit_agreed_blocks_when_a_deposit_was_agreed_even_if_paid() -> None:
    """An agreed deposit must be confirmed first, paid or not, and the reason names its percentage."""
    contract = Contract(Money.of("4500", EUR), "CGV-2025", TODAY)
    paid = [Payment(Money.of("1350", EUR), TODAY)]
    reason = "a deposit of 30 % was agreed: confirm it (confirm_deposit) before starting work"
    assert check("no_deposit_agreed", mission(contract=contract)) == reason
    assert check("no_deposit_agreed", mission(contract=contract, payments=paid)) == reason
    odd = mission(contract=contract, deposit_percent=Decimal("33.50"))
    assert check("no_deposit_agreed", odd) == (
        "a deposit of 33.5 % was agreed: confirm it (confirm_deposit) before starting work"
    )
    assert check("no_deposit_agreed", mission(contract=contract, deposit_percent=Decimal("0.01"))) == (
        "a deposit of 0.01 % was agreed: confirm it (confirm_deposit) before starting work"
    )


def test_no_deposit_agreed_lets_a_zero_deposit_through() -> None:
    """With 0 % agreed (however it is written) the deposit step may be skipped."""
    contract = Contract(Money.of("4500", EUR), "CGV-2025", TODAY)
    assert check("no_deposit_agreed", mission(contract=contract, deposit_percent=Decimal(0))) is None
    assert check("no_deposit_agreed", mission(contract=contract, deposit_percent=Decimal("0.00"))) is None


def test_no_deposit_agreed_lets_free_work_through_whatever_the_percentage() -> None:
    """Pro bono work (a contract of 0) has nothing to confirm, so work may start at signature."""
    free = Contract(Money.of("0", "EUR"), "CGV-1", date(2026, 11, 1))
    assert check("no_deposit_agreed", mission(contract=free, deposit_percent=Decimal(30))) is None


# --- deliverable_in_specification ----------------------------------------------------------


def test_deliverable_in_specification_blocks_a_missing_or_unknown_deliverable() -> None:
    """A delivery must name a deliverable, and one the specification promised."""
    assert check("deliverable_in_specification", mission(specification=SPEC)) == (
        "name the deliverable that is handed over"
    )
    assert check(
        "deliverable_in_specification", mission(specification=SPEC), data={"deliverable": "video"}
    ) == ("'video' is not a deliverable of the specification (expected one of: logo, site, admin password)")
    assert check("deliverable_in_specification", mission(), data={"deliverable": "logo"}) == (
        "'logo' is not a deliverable of the specification (expected one of: none in the specification)"
    )


def test_deliverable_in_specification_lets_a_promised_deliverable_through() -> None:
    """Handing over something the specification lists passes."""
    assert (
        check("deliverable_in_specification", mission(specification=SPEC), data={"deliverable": "site"})
        is None
    )


# --- delivered_since_last_round ------------------------------------------------------------


def test_delivered_since_last_round_blocks_without_a_new_delivery() -> None:
    """No delivery at all, or none since the last revision round, is refused."""
    assert check("delivered_since_last_round", mission()) == "nothing has been delivered yet"
    history = [*delivered("logo"), record("request_revision", NOW + timedelta(hours=1))]
    assert check("delivered_since_last_round", mission(history=history)) == (
        "nothing has been delivered since the last revision round"
    )


def test_delivered_since_last_round_follows_history_order_not_clock_times() -> None:
    """A round recorded after a delivery at the same instant still needs a new delivery."""
    history = [*delivered("logo"), record("request_revision", NOW)]
    assert check("delivered_since_last_round", mission(history=history)) == (
        "nothing has been delivered since the last revision round"
    )


def test_delivered_since_last_round_ignores_data_that_is_not_a_delivery() -> None:
    """A `deliverable` in the data of another trigger is not a delivery."""
    history = [record("start_work", deliverable="logo")]
    assert check("delivered_since_last_round", mission(history=history)) == "nothing has been delivered yet"


def test_delivered_since_last_round_lets_a_fresh_delivery_through() -> None:
    """A delivery after the last round (or a first delivery) passes; the trigger name is a parameter."""
    assert check("delivered_since_last_round", mission(history=delivered("logo"))) is None
    history = [*delivered("logo"), record("request_revision"), *delivered("logo")]
    assert check("delivered_since_last_round", mission(history=history)) is None
    other = [*delivered("logo"), record("request_revision")]
    assert (
        check("delivered_since_last_round", mission(history=other), params={"trigger": "ask_changes"}) is None
    )


# --- revision_round_left -------------------------------------------------------------------


def test_revision_round_left_blocks_when_the_rounds_are_used() -> None:
    """Once the included and extra rounds are used, another round is refused."""
    history = [record("request_revision"), record("request_revision")]
    assert check("revision_round_left", mission(history=history)) == (
        "all 2 revision rounds are used (2 included, 0 extra); agree an extra round first"
    )
    one = mission(history=history[:1], included_revisions=1)
    assert check("revision_round_left", one) == (
        "the 1 revision round is used (1 included, 0 extra); agree an extra round first"
    )


def test_revision_round_left_lets_an_included_or_extra_round_through() -> None:
    """A round is allowed while included rounds remain, or after an extra round is agreed."""
    history = [record("request_revision"), record("request_revision")]
    assert check("revision_round_left", mission(history=history[:1])) is None
    assert check("revision_round_left", mission(history=history, extra_revisions=1)) is None
    assert check("revision_round_left", mission(history=history), params={"trigger": "ask_changes"}) is None


# --- deliverables_complete -----------------------------------------------------------------


def test_deliverables_complete_blocks_while_something_is_not_delivered() -> None:
    """Approval waits for every deliverable; access codes are named as such."""
    assert check("deliverables_complete", mission()) == "the specification lists no deliverable to approve"
    subject = mission(specification=SPEC, history=delivered("logo"))
    assert check("deliverables_complete", subject) == "not delivered yet: site, admin password (access code)"


def test_deliverables_complete_lets_everything_delivered_through() -> None:
    """When every deliverable was handed over, approval passes."""
    subject = mission(specification=SPEC, history=delivered("logo", "site", "admin password"))
    assert check("deliverables_complete", subject) is None


def test_deliverables_complete_accepts_tacit_approval_after_the_agreed_period() -> None:
    """With `tacit`, silence for the contract's acceptance period counts as approval, not before,
    and never for deliverables that were not handed over."""
    contract = Contract(Money.of("4500", EUR), "CGV-2025", TODAY, acceptance_days=15)
    everything = mission(
        specification=SPEC, contract=contract, history=delivered("logo", "site", "admin password")
    )
    later = NOW + timedelta(days=15)
    assert check("deliverables_complete", everything, now=later, data={"tacit": "yes"}) is None
    assert check(
        "deliverables_complete", everything, now=later - timedelta(seconds=1), data={"tacit": "yes"}
    ) == (
        "tacit approval is possible from 2025-03-18 11:00, 15 days after the last delivery "
        "(2025-03-03 11:00) without an answer from the client"
    )
    partial = mission(specification=SPEC, contract=contract, history=delivered("logo"))
    assert (
        check("deliverables_complete", partial, now=later, data={"tacit": "yes"})
        == "not delivered yet: site, admin password (access code)"
    )


# --- fully_paid ----------------------------------------------------------------------------


def test_fully_paid_blocks_without_invoice_or_with_a_balance() -> None:
    """Nothing invoiced, no final invoice, or a balance left to the cent, is refused."""
    assert check("fully_paid", mission()) == "nothing has been invoiced yet"
    deposit = [InvoiceSummary("F-1", "deposit", Money.of("1350", EUR))]
    paid = [Payment(Money.of("1350", EUR), TODAY)]
    assert check("fully_paid", mission(invoices=deposit, payments=paid)) == (
        "no final invoice has been issued yet"
    )
    invoices = [InvoiceSummary("F-1", "final", Money.of("4500", EUR))]
    payments = [Payment(Money.of("4499.99", EUR), TODAY)]
    assert check("fully_paid", mission(invoices=invoices, payments=payments)) == (
        "still due: 0.01 EUR of 4,500.00 EUR invoiced"
    )


def test_fully_paid_lets_a_zero_balance_through_but_never_a_cancelled_final_invoice() -> None:
    """Paid in full passes; a final invoice cancelled by a credit note leaves nothing to settle on."""
    invoices = [InvoiceSummary("F-1", "final", Money.of("4500", EUR))]
    assert (
        check("fully_paid", mission(invoices=invoices, payments=[Payment(Money.of("4500", EUR), TODAY)]))
        is None
    )
    credited = [*invoices, InvoiceSummary("A-1", "credit", Money.of("4500", EUR), references="F-1")]
    assert check("fully_paid", mission(invoices=credited)) == (
        "no final invoice stands: F-1 cancelled by a credit note; issue the final invoice again"
    )


# --- coaching and retainer guards ----------------------------------------------------------


def test_sessions_left_blocks_once_every_session_is_held() -> None:
    """No session beyond the number agreed: the sessions are the triggers the workflow tags `session`."""
    held = [record("hold_session")] * 3
    assert check("sessions_left", mission(sessions_planned=3, history=held)) is None  # nothing tagged
    assert check("sessions_left", coaching(sessions_planned=3, history=held)) == (
        "all 3 agreed sessions are held; agree more sessions first"
    )


def test_sessions_left_lets_a_remaining_session_through() -> None:
    """While sessions remain, another one may be held; the trigger name is a parameter."""
    held = [record("hold_session")] * 2
    assert check("sessions_left", coaching(sessions_planned=3, history=held)) is None
    assert (
        check("sessions_left", coaching(sessions_planned=2, history=held), params={"trigger": "meet"}) is None
    )


def test_all_sessions_held_blocks_an_incomplete_programme() -> None:
    """The programme is not complete while sessions remain (or none were agreed)."""
    held = [record("hold_session")] * 2
    assert (
        check("all_sessions_held", coaching(sessions_planned=3, history=held))
        == "2 of 3 agreed sessions held"
    )
    assert check("all_sessions_held", coaching()) == "0 of 0 agreed sessions held"


def test_all_sessions_held_lets_a_complete_programme_through() -> None:
    """Every agreed session held completes the programme."""
    held = [record("hold_session")] * 3
    assert check("all_sessions_held", coaching(sessions_planned=3, history=held)) is None


def test_has_invoice_blocks_a_period_without_invoice() -> None:
    """A retainer period does not close without its invoice."""
    assert check("has_invoice", mission()) == "no invoice has been issued yet"


def test_has_invoice_lets_an_invoiced_period_through() -> None:
    """An issued invoice closes the period."""
    invoices = [InvoiceSummary("F-1", "invoice", Money.of("900", EUR))]
    assert check("has_invoice", mission(invoices=invoices)) is None


# --- custom guards -------------------------------------------------------------------------

CUSTOM_WORKFLOW = """
name: custom-guarded
version: 1
initial: draft
states:
  - id: draft
  - id: sent
    final: true
transitions:
  - trigger: send
    source: draft
    dest: sent
    guards:
      - tests_title_long_enough: {minimum: 5}
"""


def test_a_registered_guard_is_usable_from_a_parsed_workflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard added with register_guard validates, with its parameters, and decides when firing."""
    # setitem first, so that the registry is put back as it was once the test ends

    @register_guard("tests_title_long_enough", params={"minimum": int}, words="a long enough title")
    def title_long_enough(
        subject: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]
    ) -> str | None:
        minimum = params.get("minimum")
        assert isinstance(minimum, int)
        return None if len(subject.title) >= minimum else f"title {subject.title!r} is shorter than {minimum}"

    assert "tests_title_long_enough" in guard_names()
    workflow = Workflow(parse_workflow(CUSTOM_WORKFLOW, "custom.yaml"))
    subject = Mission(ref="M-9", workflow="custom-guarded", state="draft", title="Logo")
    with pytest.raises(TransitionBlockedError) as caught:
        workflow.fire(subject, "send", at=NOW)
    assert caught.value.reasons == ("title 'Logo' is shorter than 5",)
    subject.title = "Logo and site"
    assert workflow.fire(subject, "send", at=NOW).guards == ("tests_title_long_enough",)


def test_a_registered_guard_checks_its_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The validator refuses a parameter of the wrong type for a registered guard."""
    register_guard("tests_title_long_enough", params={"minimum": int})(lambda m, c, p: None)
    from missionflow import WorkflowDefinitionError

    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(CUSTOM_WORKFLOW.replace("minimum: 5", "minimum: five"), "custom.yaml")
    (problem,) = caught.value.problems
    assert problem.message == "parameter 'minimum' of guard 'tests_title_long_enough' must be int, got 'five'"


def test_an_unregistered_guard_is_unknown() -> None:
    """Without registration the same workflow is refused: the guard is unknown."""
    from missionflow import WorkflowDefinitionError

    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(CUSTOM_WORKFLOW, "custom.yaml")
    assert "unknown guard 'tests_title_long_enough'" in caught.value.problems[0].message


def test_payment_dates_do_not_matter_to_the_deposit() -> None:
    """The deposit counts every payment received, whatever its date."""
    contract = Contract(Money.of("100", EUR), "CGV", TODAY)
    payments = [Payment(Money.of("30", EUR), date(2020, 1, 1))]
    assert check("deposit_satisfied", mission(contract=contract, payments=payments)) is None
