"""The data and the peer machines the rows share: missions with real facts, and the default
workflow rebuilt as a raw ``transitions`` machine and as a ``python-statemachine`` class.

Every contender of a row gets missions from the same factory, so they do the same work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import cast

from statemachine import State, StateMachine
from statemachine.factory import StateMachineMetaclass
from statemachine.transition_list import TransitionList
from transitions import EventData

from missionflow import GuardContext, Money, TransitionRecord, WorkflowDefinition, load_workflow
from missionflow.freelance import (
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    InvoiceSummary,
    Mission,
    Payment,
    Specification,
)
from missionflow.workflow import get_guard

DEFINITION = load_workflow("freelance-mission")
"""The default workflow (freelance-mission), the one every row measures."""

START_STATE = "deposit_received"
START_TRIGGER = "start_work"
START_DEST = "in_progress"

Condition = Callable[[EventData], bool]

_TODAY = date.today()
_AMOUNT = Money.of("4500", "EUR")
_CLIENT = Client("Atelier Dupont", "C-1")
_CONTRACT = Contract(_AMOUNT, "CGV-2026-1", _TODAY - timedelta(days=20), "camille", acceptance_days=15)
_DEPOSIT = Payment(Money.of("1350", "EUR"), _TODAY - timedelta(days=18), "transfer", "VIR-0042")
_BALANCE = Payment(Money.of("3150", "EUR"), _TODAY - timedelta(days=1), "transfer", "VIR-0043")
_SPECIFICATION = Specification(
    objectives="A faster, accessible website",
    deliverables=(Deliverable("mockups"), Deliverable("website"), Deliverable("admin access", "access_code")),
    deadline=_TODAY + timedelta(days=60),
    budget=_AMOUNT,
    acceptance="Lighthouse score over 90 on every page",
)
_ANSWERS = {
    name: CriterionAnswer(name, True) for name in ("budget_fits", "respectful", "clear_need", "interesting")
}
_AT = datetime.now(UTC) - timedelta(days=10)
_STARTED = TransitionRecord("start_work", START_STATE, START_DEST, "camille", _AT)
_DELIVERED = TransitionRecord(
    "deliver", START_DEST, START_DEST, "camille", _AT + timedelta(days=2), data={"deliverable": "mockups"}
)
_REVISION = TransitionRecord("request_revision", START_DEST, "revisions", "client", _AT + timedelta(days=3))
_INVOICE = InvoiceSummary("F-2026-001", "final", _AMOUNT)

ACTIVE_STATES = tuple(s.id for s in DEFINITION.states if not s.final)
"""The states a mission can be listed in: every state that has triggers."""


def ready_to_start(index: int) -> Mission:
    """A mission waiting in deposit_received with a signed contract and its deposit paid."""
    return Mission(
        ref=f"M-{index + 1}",
        workflow=DEFINITION.name,
        state=START_STATE,
        client=_CLIENT,
        amount=_AMOUNT,
        deposit_percent=Decimal("30"),
        specification=_SPECIFICATION,
        contract=_CONTRACT,
        payments=[_DEPOSIT],
    )


def in_some_state(index: int) -> Mission:
    """A mission in one of the active states (in turn), with the facts a mission there has."""
    state = ACTIVE_STATES[index % len(ACTIVE_STATES)]

    def reached(step: str) -> bool:
        return ACTIVE_STATES.index(state) >= ACTIVE_STATES.index(step)

    history: list[TransitionRecord] = []
    if reached(START_DEST):
        history += [_STARTED, _DELIVERED]
    if reached("revisions"):
        history.append(_REVISION)
    payments: list[Payment] = []
    if reached("contract_signed"):
        payments.append(_DEPOSIT)
    if state == "invoiced":
        payments.append(_BALANCE)
    return Mission(
        ref=f"M-{index + 1}",
        workflow=DEFINITION.name,
        state=state,
        client=_CLIENT,
        amount=_AMOUNT,
        deadline=_SPECIFICATION.deadline,
        criteria_answers=dict(_ANSWERS) if reached("criteria_check") else {},
        specification=_SPECIFICATION if reached("specification") else None,
        contract=_CONTRACT if reached("contract_signed") else None,
        payments=payments,
        invoices=[_INVOICE] if state == "invoiced" else [],
        history=history,
    )


# --- the two checks of start_work, written as plain functions for the peers ------------------


def has_contract(mission: Mission) -> bool:
    """The contract_signed guard's check."""
    return mission.contract is not None


def deposit_paid(mission: Mission) -> bool:
    """The deposit_satisfied guard's check."""
    return mission.paid_total.amount >= mission.deposit_due.amount


def _contract_event(event: EventData) -> bool:
    return cast(Mission, event.model).contract is not None


def _deposit_event(event: EventData) -> bool:
    mission = cast(Mission, event.model)
    return mission.paid_total.amount >= mission.deposit_due.amount


START_CONDITIONS: Mapping[str, list[Condition]] = {START_TRIGGER: [_contract_event, _deposit_event]}
"""start_work's guards as ``transitions`` conditions (``send_event=True``: they get EventData)."""


def registered_conditions(definition: WorkflowDefinition) -> dict[str, list[Condition]]:
    """Every guard of the workflow as a ``transitions`` condition calling the same guard function.

    The guard context travels in the event's keyword arguments, as missionflow's engine does,
    so both sides run exactly the same checks.
    """

    def condition(name: str, params: Mapping[str, str | int | bool | None]) -> Condition:
        spec = get_guard(name)
        assert spec is not None, name
        func = spec.func

        def check(event: EventData) -> bool:
            ctx = cast(GuardContext, event.kwargs["ctx"])
            return func(cast(Mission, event.model), ctx, params) is None

        return check

    return {t.trigger: [condition(g.name, g.params) for g in t.guards] for t in definition.transitions}


def transitions_specs(
    definition: WorkflowDefinition, conditions: Mapping[str, list[Condition]]
) -> list[dict[str, object]]:
    """The workflow's transitions in ``transitions``' own format (dest None: internal, as in the engine)."""
    return [
        {
            "trigger": t.trigger,
            "source": list(t.sources),
            "dest": t.dest,
            "conditions": list(conditions.get(t.trigger, [])),
        }
        for t in definition.transitions
    ]


def statemachine_class(definition: WorkflowDefinition) -> type[StateMachine]:
    """The workflow as a python-statemachine class, start_work guarded by the same two checks.

    Its ``cond`` callbacks receive the bound model by name, python-statemachine's own way.
    """

    def contract_ok(model: Mission) -> bool:
        return model.contract is not None

    def deposit_ok(model: Mission) -> bool:
        return model.paid_total.amount >= model.deposit_due.amount

    states = {
        s.id: State(s.id, value=s.id, initial=s.id == definition.initial, final=s.final)
        for s in definition.states
    }
    attributes: dict[str, object] = dict(states)
    events: dict[str, TransitionList] = {}
    for t in definition.transitions:
        cond = [contract_ok, deposit_ok] if t.trigger == START_TRIGGER else None
        for source in t.sources:
            target = states[t.dest] if t.dest is not None else states[source]
            added = states[source].to(target, event=t.trigger, internal=t.dest is None, cond=cond)
            events[t.trigger] = events[t.trigger] | added if t.trigger in events else added
    attributes.update(events)
    # What a class statement does: python-statemachine reads states and events in its metaclass.
    return cast(type[StateMachine], StateMachineMetaclass("FreelanceMission", (StateMachine,), attributes))
