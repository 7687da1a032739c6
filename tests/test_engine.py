"""The engine: firing, refusals with every reason, options, paths, versions and one shared machine."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import transitions

from missionflow import (
    InvalidValueError,
    Money,
    TransitionBlockedError,
    TransitionNotAllowedError,
    TransitionRecord,
    Workflow,
    fire,
    freelance,
    load_workflow,
    parse_workflow,
    path_to,
    register_workflow,
    triggers,
)
from missionflow.freelance import (
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    InvoiceSummary,
    Mission,
    Payment,
    Settings,
    Specification,
)
from missionflow.workflow import WorkflowRegistry, compile_workflow, workflow_for

MINIMAL = Path(__file__).parent / "machines" / "valid" / "minimal.yaml"
MONDAY = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # 11:00 in Paris, inside working hours
LATER = MONDAY + timedelta(hours=1)
"""After a walk from MONDAY (one minute a step): history only moves forward."""
SATURDAY = datetime(2025, 3, 8, 10, 0, tzinfo=UTC)


def new_mission(ref: str = "M-1", **facts: Any) -> Mission:
    """A fresh lead for Acme under the default workflow."""
    return Mission(
        ref=ref, workflow="freelance-mission", state="lead", client=Client("Acme", ref="C-1"), **facts
    )


def prepared_mission() -> Mission:
    """A lead whose every fact is in place: criteria met, full specification, contract, deposit paid."""
    mission = new_mission(deadline=MONDAY.date() + timedelta(days=30))
    mission.criteria_answers = {
        name: CriterionAnswer(name, True) for name in ("budget_fits", "respectful", "clear_need")
    }
    mission.specification = Specification(
        objectives="a new site",
        deliverables=(Deliverable("logo"), Deliverable("admin password", "access_code")),
        deadline=MONDAY.date() + timedelta(days=30),
        budget=Money.of("4500", "EUR"),
        acceptance="the client signs off each page",
    )
    mission.contract = Contract(Money.of("4500", "EUR"), "CGV-2025", MONDAY.date())
    mission.payments.append(Payment(Money.of("1350", "EUR"), MONDAY.date()))
    return mission


def walk(mission: Mission, *trigger_names: str, at: datetime = MONDAY) -> None:
    """Fire each trigger in turn, one minute apart."""
    for i, name in enumerate(trigger_names):
        fire(mission, name, actor="camille", at=at + timedelta(minutes=i))


def versioned(version: int) -> str:
    """A two-state workflow text; version 2 adds a guard that version 1 did not have."""
    text = MINIMAL.read_text(encoding="utf-8").replace("name: minimal", "name: versioned")
    text = text.replace("version: 1", f"version: {version}")
    if version >= 2:
        text += "    guards: [reason_given]\n"
    return text


def test_fire_returns_a_complete_record() -> None:
    """fire moves the mission and returns trigger, source, dest, actor, aware time, note and guards."""
    mission = new_mission()
    record = fire(mission, "qualify", actor="camille", note="came by referral", at=MONDAY)
    assert record == TransitionRecord(
        trigger="qualify",
        source="lead",
        dest="criteria_check",
        actor="camille",
        at=MONDAY,
        note="came by referral",
        data={},
        guards=("client_not_blocked",),
        out_of_hours=False,
    )
    assert record.at.tzinfo is not None
    assert mission.state == "criteria_check"
    assert mission.history == [record]


def test_fire_without_a_time_records_an_aware_now() -> None:
    """Without `at`, the record is stamped with the current time in UTC."""
    before = datetime.now(UTC)
    record = fire(new_mission(), "qualify")
    assert record.at.tzinfo is not None
    assert record.at >= before


def test_fire_outside_working_hours_is_flagged() -> None:
    """A trigger fired on a Saturday is recorded as out of hours (R12) under the freelancer's
    settings, which are the working calendar; the engine without a calendar flags nothing."""
    assert freelance.fire(new_mission(), "qualify", at=SATURDAY).out_of_hours
    assert not freelance.fire(new_mission(), "qualify", at=MONDAY).out_of_hours
    assert not fire(new_mission(), "qualify", at=SATURDAY).out_of_hours


def test_blocked_error_carries_every_failed_guard() -> None:
    """A refused trigger reports every failed guard with its reason, not only the first."""
    mission = new_mission(deadline=MONDAY.date() + timedelta(days=2))
    mission.client = Client("Acme", blocked=True, blocked_reason="calls at night")
    mission.state = "criteria_check"
    with pytest.raises(TransitionBlockedError) as caught:
        fire(mission, "accept", at=MONDAY)
    error = caught.value
    assert [r.guard for r in error.failed] == ["criteria_met", "client_not_blocked", "lead_time_respected"]
    assert error.reasons[1] == "client Acme is blocked: calls at night"
    assert error.reasons[2].startswith("deadline 2025-03-05 is 2 days away")
    assert (error.subject, error.state, error.trigger) == ("M-1", "criteria_check", "accept")
    assert all(reason in str(error) for reason in error.reasons)


def test_blocked_fire_changes_nothing() -> None:
    """After a refusal the mission's state and history are exactly as before."""
    mission = prepared_mission()
    walk(mission, "qualify", "accept", "sign_contract")
    mission.payments.clear()
    before = copy.deepcopy(mission)
    with pytest.raises(TransitionBlockedError):
        fire(mission, "start_work", at=LATER)
    assert mission == before


def test_not_allowed_error_carries_the_state_and_the_allowed_triggers() -> None:
    """A trigger that does not leave the state names the state and the triggers that do."""
    mission = new_mission()
    with pytest.raises(TransitionNotAllowedError) as caught:
        fire(mission, "invoice", at=MONDAY)
    error = caught.value
    assert (error.state, error.trigger, error.allowed) == ("lead", "invoice", ("qualify", "decline"))
    assert str(error) == "'invoice' is not possible from state 'lead'; possible triggers: qualify, decline"
    assert mission.state == "lead"
    assert mission.history == []


def test_not_allowed_from_a_final_state_says_so() -> None:
    """From a final state nothing is possible, and the message says it is final."""
    mission = new_mission()
    fire(mission, "decline", note="budget too low", at=MONDAY)
    with pytest.raises(TransitionNotAllowedError) as caught:
        fire(mission, "qualify", at=MONDAY)
    assert caught.value.allowed == ()
    assert "none (final state)" in str(caught.value)


def test_unknown_trigger_is_not_allowed() -> None:
    """A trigger name that exists nowhere is refused like one that does not leave the state."""
    with pytest.raises(TransitionNotAllowedError):
        fire(new_mission(), "teleport", at=MONDAY)


def test_triggers_lists_allowed_and_blocked_with_reasons() -> None:
    """triggers() gives every trigger from the state, whether it is allowed and why not."""
    mission = new_mission()
    mission.state = "criteria_check"
    options = {o.trigger: o for o in triggers(mission, at=MONDAY)}
    assert list(options) == ["accept", "decline"]
    assert not options["accept"].allowed
    assert options["accept"].dest == "specification"
    assert len(options["accept"].reasons) == 1
    assert "criterion 'budget_fits' is not answered" in options["accept"].reasons[0]
    assert options["decline"].reasons == ("a reason is required (give it as the note)",)
    with_note = {o.trigger: o for o in triggers(mission, at=MONDAY, note="too far away")}
    assert with_note["decline"].allowed
    assert with_note["decline"].reasons == ()


def test_triggers_has_no_side_effects() -> None:
    """Listing the options leaves the mission exactly as it was."""
    mission = prepared_mission()
    walk(mission, "qualify", "accept")
    before = copy.deepcopy(mission)
    triggers(mission, at=MONDAY, data={"deliverable": "logo"}, note="x")
    path_to(mission, "paid", at=MONDAY)
    assert mission == before


def test_internal_deliver_keeps_the_state_and_records_the_data() -> None:
    """`deliver` is internal: the state stays and the record keeps the deliverable."""
    mission = prepared_mission()
    walk(mission, "qualify", "accept", "sign_contract", "confirm_deposit", "start_work")
    record = fire(mission, "deliver", actor="camille", at=LATER, data={"deliverable": "logo"})
    assert (record.source, record.dest, mission.state) == ("in_progress", "in_progress", "in_progress")
    assert record.data == {"deliverable": "logo"}
    assert record.delivery == "logo"
    assert mission.deliveries() == [("logo", LATER)]


def test_data_given_to_another_trigger_is_not_a_delivery() -> None:
    """A `deliverable` passed to start_work is kept as data but does not count as handed over (R10)."""
    mission = prepared_mission()
    walk(mission, "qualify", "accept", "sign_contract", "confirm_deposit")
    record = fire(mission, "start_work", at=LATER, data={"deliverable": "logo"})
    assert record.data == {"deliverable": "logo"}
    assert record.delivery is None
    assert mission.deliveries() == []
    with pytest.raises(TransitionBlockedError) as caught:
        fire(mission, "approve", at=LATER)
    assert caught.value.reasons == ("not delivered yet: logo, admin password (access code)",)


def test_a_whole_mission_walks_from_lead_to_paid() -> None:
    """With every fact in place the default workflow goes from lead to paid."""
    mission = prepared_mission()
    walk(mission, "qualify", "accept", "sign_contract", "confirm_deposit", "start_work")
    fire(mission, "deliver", at=LATER, data={"deliverable": "logo"})
    fire(mission, "request_revision", at=LATER)
    fire(mission, "deliver", at=LATER, data={"deliverable": "logo"})
    fire(mission, "deliver", at=LATER, data={"deliverable": "admin password"})
    walk(mission, "approve", "invoice", at=LATER)
    mission.invoices.append(InvoiceSummary("F-2025-001", "final", Money.of("4500", "EUR")))
    mission.payments.append(Payment(Money.of("3150", "EUR"), date(2025, 4, 1)))
    fire(mission, "settle", at=LATER + timedelta(hours=1))
    assert mission.state == "paid"
    assert [r.trigger for r in mission.history][-3:] == ["approve", "invoice", "settle"]


def test_path_to_gives_the_shortest_path_and_what_blocks_it() -> None:
    """path_to lists the fewest steps to the target and each step's blocking reasons today."""
    mission = new_mission()
    report = path_to(mission, "in_progress", at=MONDAY)
    assert report.reachable
    assert report.steps is not None
    assert [(s.trigger, s.source, s.dest) for s in report.steps] == [
        ("qualify", "lead", "criteria_check"),
        ("accept", "criteria_check", "specification"),
        ("sign_contract", "specification", "contract_signed"),
        ("start_work", "contract_signed", "in_progress"),
    ]
    assert report.steps[0].reasons == ()
    assert report.steps[2].reasons[0].startswith("no specification yet")
    assert report.steps[2].reasons[1].startswith("no signed contract")


def test_path_to_an_unreachable_state_has_no_steps() -> None:
    """From a final state no path leads anywhere else."""
    mission = new_mission()
    mission.state = "declined"
    report = path_to(mission, "paid", at=MONDAY)
    assert not report.reachable
    assert report.steps is None


def test_path_to_the_current_state_is_empty() -> None:
    """The path to where the mission already is has no steps."""
    report = path_to(new_mission(), "lead", at=MONDAY)
    assert report.steps == ()


def test_path_to_an_unknown_state_is_an_invalid_value() -> None:
    """A target that is not a state of the workflow is refused with InvalidValueError naming the states."""
    with pytest.raises(
        InvalidValueError, match="'nowhere' is not a state of freelance-mission; states: lead"
    ):
        path_to(new_mission(), "nowhere", at=MONDAY)


def test_naive_times_are_refused() -> None:
    """A datetime without a timezone is refused with InvalidValueError and nothing changes."""
    naive = datetime(2025, 3, 3, 10, 0)
    mission = new_mission()
    with pytest.raises(InvalidValueError) as caught:
        fire(mission, "qualify", at=naive)
    assert caught.value.field == "time"
    assert "has no timezone" in str(caught.value)
    assert (mission.state, mission.history) == ("lead", [])
    with pytest.raises(InvalidValueError):
        triggers(mission, at=naive)
    with pytest.raises(InvalidValueError):
        path_to(mission, "paid", at=naive)


def test_a_record_refuses_a_naive_time() -> None:
    """A TransitionRecord cannot be built with a naive time."""
    with pytest.raises(InvalidValueError, match="has no timezone"):
        TransitionRecord("qualify", "lead", "criteria_check", "me", datetime(2025, 1, 1))


def test_settings_change_what_guards_accept() -> None:
    """The settings passed to fire are the ones guards read (here the minimum lead time)."""
    mission = prepared_mission()
    mission.deadline = MONDAY.date() + timedelta(days=3)
    fire(mission, "qualify", at=MONDAY)
    with pytest.raises(TransitionBlockedError):
        fire(mission, "accept", at=MONDAY)
    freelance.fire(mission, "accept", at=MONDAY, settings=Settings(minimum_lead_days=3))
    assert mission.state == "specification"


def test_deposit_of_zero_lets_work_start_from_the_contract() -> None:
    """With a 0 % deposit, start_work goes straight from contract_signed to in_progress."""
    mission = prepared_mission()
    mission.payments.clear()
    mission.deposit_percent = Decimal(0)
    walk(mission, "qualify", "accept", "sign_contract", "start_work")
    assert mission.state == "in_progress"
    assert mission.history[-1].source == "contract_signed"


def test_an_agreed_deposit_cannot_be_skipped_even_when_paid() -> None:
    """With 30 % agreed and paid, start_work from contract_signed is refused for that reason alone and
    changes nothing; after confirm_deposit it passes."""
    mission = prepared_mission()
    walk(mission, "qualify", "accept", "sign_contract")
    before = copy.deepcopy(mission)
    with pytest.raises(TransitionBlockedError) as caught:
        fire(mission, "start_work", at=LATER)
    assert [r.guard for r in caught.value.failed] == ["no_deposit_agreed"]
    assert caught.value.reasons == (
        "a deposit of 30 % was agreed: confirm it (confirm_deposit) before starting work",
    )
    assert mission == before
    walk(mission, "confirm_deposit", "start_work", at=LATER)
    assert [(r.source, r.dest) for r in mission.history[-2:]] == [
        ("contract_signed", "deposit_received"),
        ("deposit_received", "in_progress"),
    ]


def test_two_versions_coexist_and_a_mission_keeps_its_own(isolated: WorkflowRegistry) -> None:
    """After version 2 is registered, a mission started under version 1 still follows version 1."""
    one = register_workflow(parse_workflow(versioned(1), "v1.yaml"))
    old = Mission(ref="M-old", workflow="versioned", state="lead", workflow_version=1)
    two = register_workflow(parse_workflow(versioned(2), "v2.yaml"))
    new = Mission(ref="M-new", workflow="versioned", state="lead", workflow_version=2)

    assert isolated.get("versioned", 1) is one
    assert isolated.get("versioned", 2) is two
    assert isolated.get("versioned") is two
    assert workflow_for(old).definition is one
    assert fire(old, "finish", at=MONDAY).guards == ()
    assert old.state == "done"
    with pytest.raises(TransitionBlockedError):
        fire(new, "finish", at=MONDAY)
    assert fire(new, "finish", at=MONDAY, note="done early").guards == ("reason_given",)


def test_compile_workflow_returns_one_object_per_definition() -> None:
    """Compiling the same definition twice gives the same Workflow; another definition another one."""
    definition = load_workflow("freelance-mission", 1)  # the version of an in-memory Mission by default
    assert compile_workflow(definition) is compile_workflow(definition)
    assert workflow_for(new_mission()) is compile_workflow(definition)
    copy_of = parse_workflow(Path(definition.source).read_text(encoding="utf-8"), definition.source)
    assert compile_workflow(copy_of) is not compile_workflow(definition)


def test_firing_many_missions_builds_no_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Firing 1000 missions reuses the compiled machine: transitions.Machine is never built again."""
    fire(new_mission(), "qualify", at=MONDAY)  # compiled, and its machine built, before counting
    built: list[int] = []
    original = transitions.Machine.__init__

    def counting_init(self: transitions.Machine, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(transitions.Machine, "__init__", counting_init)
    missions = [new_mission(f"M-{i}") for i in range(1000)]
    for mission in missions:
        fire(mission, "qualify", at=MONDAY)
    assert all(m.state == "criteria_check" for m in missions)
    assert built == []
    flow = Workflow(load_workflow("freelance-mission"))
    flow.triggers(new_mission())
    assert built == []  # listing triggers needs no machine
    flow.fire(new_mission(), "qualify", at=MONDAY)  # the counter does see a machine being built
    assert built == [1]
