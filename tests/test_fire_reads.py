"""What a fire reads: the facts each guard declares, the facts a transition needs, and a store that
loads only those, with the settings and the hooks still seeing what they must."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

import mf_test_plugin.hooks as plugin_hooks
import pytest
from sqlalchemy import Engine, create_engine, event, update

import missionflow.freelance.guards
from missionflow import (
    GuardContext,
    HookEvent,
    InvalidValueError,
    MissionNotFoundError,
    Money,
    Store,
    TransitionBlockedError,
    TransitionRecord,
    Workflow,
    load_workflow,
    parse_workflow,
    register_guard,
    register_workflow,
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
    trade_guard,
)
from missionflow.freelance.vocabulary import FACTS
from missionflow.store.models import SettingsRow
from missionflow.store.records import settings_to_json
from missionflow.workflow import GuardParam, get_guard, guard_names
from tests.races import CUE, RACE_PARAMS, RACE_WINDOWS

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Paris
SUNDAY = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
EUR = "EUR"


# --- every built-in guard reads only what it declares ------------------------------------------


@dataclass
class Watched(Mission):
    """A mission that fails the test when a guard reads a fact it did not declare."""

    declared: frozenset[str] = FACTS

    def __getattribute__(self, name: str) -> object:
        if name in FACTS and name not in object.__getattribute__(self, "declared"):
            raise AssertionError(f"read the undeclared fact {name!r}")
        return super().__getattribute__(name)


def record(trigger: str, days: int, **data: str) -> TransitionRecord:
    guards = ("deliverable_in_specification",) if "deliverable" in data else ()
    return TransitionRecord(
        trigger, "in_progress", "in_progress", "me", AT + timedelta(days=days), data=data, guards=guards
    )


def missions() -> list[Mission]:
    """A bare lead and a mission with every fact filled in, late in its life."""
    deliverables = (Deliverable("logo"), Deliverable("admin password", "access_code"))
    full = Mission(
        ref="M-1",
        workflow="freelance-mission",
        state="revisions",
        client=Client("Acme", blocked=True, blocked_reason="rude"),
        amount=Money.of("1000", EUR),
        deadline=AT.date() + timedelta(days=3),
        sessions_planned=2,
        criteria_answers={"budget_fits": CriterionAnswer("budget_fits", True)},
        specification=Specification("Brand", deliverables, AT.date(), Money.of("1000", EUR), "Signed off"),
        contract=Contract(Money.of("1000", EUR), "CGV-1", AT.date(), acceptance_days=8),
        payments=[Payment(Money.of("300", EUR), AT.date())],
        invoices=[InvoiceSummary("2026-0001", "deposit", Money.of("300", EUR))],
        history=[
            record("deliver", 1, deliverable="logo"),
            record("request_revision", 2),
            record("deliver", 3, deliverable="admin password"),
            record("hold_session", 4),
        ],
    )
    return [Mission(ref="M-2", workflow="freelance-mission", state="lead"), full]


def contexts() -> list[GuardContext]:
    later = AT + timedelta(days=30)
    return [
        GuardContext(AT),
        GuardContext(later, data={"deliverable": "logo"}, note="the client left"),
        GuardContext(later, data={"tacit": "yes"}),
        GuardContext(AT + timedelta(days=5), data={"tacit": "yes"}),
    ]


PARAMS: list[Mapping[str, GuardParam]] = [{}, {"trigger": "request_revision", "minimum_days": 2}]


def built_in_guards() -> list[str]:
    guards_file = missionflow.freelance.guards.__file__
    return [name for name in guard_names() if get_guard(name).func.__code__.co_filename == guards_file]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", built_in_guards())
def test_a_built_in_guard_reads_only_the_facts_it_declares(name: str) -> None:
    """Every built-in guard decides on bare and full missions without touching a fact it did not declare."""
    spec = get_guard(name)
    assert spec is not None
    assert spec.reads != FACTS, "a built-in guard says what it reads"
    for mission in missions():
        watched = Watched(**{f.name: getattr(mission, f.name) for f in fields(Mission)}, declared=spec.reads)
        for ctx in contexts():
            for params in PARAMS:
                assert spec.func(watched, ctx, params) == spec.func(mission, ctx, params)


BUILT_IN_READS = {
    "client_not_blocked": {"client"},
    "criteria_met": {"criteria_answers"},
    "deliverables_complete": {"specification", "history", "contract"},
    "deposit_satisfied": {"contract", "payments"},
    "fully_paid": {"invoices", "payments"},
    "reason_given": set(),
}


def test_the_shipped_guards_of_the_common_triggers_read_little() -> None:
    """The guards of qualify, decline, payments and approval declare the facts they look at, and no more."""
    for name, reads in BUILT_IN_READS.items():
        spec = get_guard(name)
        assert spec is not None
        assert spec.reads == reads


def test_a_watched_mission_refuses_an_undeclared_read() -> None:
    """The check above can fail: reading history from a mission that declared only the client raises."""
    watched = Watched(ref="M-1", workflow="freelance-mission", state="lead", declared=frozenset({"client"}))
    assert watched.client.name == ""
    with pytest.raises(AssertionError, match="history"):
        watched.count_fired("qualify")


# --- declaring what a guard reads ----------------------------------------------------------------


def test_a_guard_registered_without_reads_is_given_every_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard that does not say what it reads is treated as reading every fact."""
    register_guard("tests_reads_default")(lambda m, c, p: None)
    spec = get_guard("tests_reads_default")
    assert spec is not None
    assert spec.reads is None
    assert all(spec.reads_fact(fact) for fact in FACTS)


def test_a_guard_declares_its_reads_among_the_known_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """register_guard keeps the declared facts and refuses a single text; a guard of the trade is
    refused a fact a mission does not have."""
    register_guard("tests_reads_declared", reads=["payments", "contract"])(lambda m, c, p: None)
    spec = get_guard("tests_reads_declared")
    assert spec is not None
    assert spec.reads == frozenset({"payments", "contract"})
    assert not spec.reads_fact("history")
    with pytest.raises(InvalidValueError, match="deposits: not facts of a mission"):
        trade_guard("tests_reads_wrong", words_en="w", words_fr="w", reads={"payments", "deposits"})
    with pytest.raises(InvalidValueError, match="not one text"):
        register_guard("tests_reads_wrong", reads="history")
    assert get_guard("tests_reads_wrong") is None


def test_a_workflow_names_the_facts_each_transition_reads() -> None:
    """The facts a trigger needs are those its guards read, from the state it leaves."""
    flow = Workflow(load_workflow("freelance-mission"))
    assert flow.facts_read("lead", "qualify") == {"client"}
    assert flow.facts_read("criteria_check", "accept") == {"client", "criteria_answers"}
    assert flow.facts_read("approved", "invoice") == frozenset()
    assert flow.facts_read("lead", "start_work") == frozenset()


# --- the store loads what the guards read ------------------------------------------------------


@pytest.fixture
def counting_workflow(monkeypatch: pytest.MonkeyPatch) -> str:
    """A workflow whose `check_all` and `check_client` triggers are refused with what their guard saw."""

    def seen(mission: Mission, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str:
        return f"{len(mission.history)} entries, {len(mission.payments)} payments"

    register_guard("tests_sees_all")(seen)
    register_guard("tests_sees_client", reads={"client"})(seen)
    name = f"tests-reads-{uuid.uuid4().hex[:8]}"
    register_workflow(
        parse_workflow(
            f"""
name: {name}
version: 1
initial: draft
states:
  - id: draft
  - id: done
    final: true
transitions:
  - trigger: touch
    source: draft
    dest: draft
  - trigger: check_all
    source: draft
    dest: done
    guards: [tests_sees_all]
  - trigger: check_client
    source: draft
    dest: done
    guards: [tests_sees_client]
"""
        )
    )
    return name


def refusal(store: Store, ref: str, trigger: str) -> tuple[str, ...]:
    with pytest.raises(TransitionBlockedError) as caught:
        store.fire(ref, trigger, at=AT)
    return caught.value.reasons


def test_a_guard_without_declared_reads_sees_every_fact_on_the_store(
    store: Store, counting_workflow: str
) -> None:
    """A persisted fire gives an application's undeclared guard the whole mission, history and payments included."""
    ref = store.create_mission(store.add_client("Acme").ref, "Custom", workflow=counting_workflow, at=AT).ref
    store.fire(ref, "touch", at=AT)
    store.fire(ref, "touch", at=AT)
    store.record_payment(ref, Payment(Money.of("10", EUR), AT.date()))
    assert refusal(store, ref, "check_all") == ("2 entries, 1 payments",)


def test_a_guard_that_declares_its_reads_is_given_only_those(store: Store, counting_workflow: str) -> None:
    """A persisted fire loads only what the trigger's guards declare: other facts keep their empty defaults."""
    ref = store.create_mission(store.add_client("Acme").ref, "Custom", workflow=counting_workflow, at=AT).ref
    store.fire(ref, "touch", at=AT)
    store.record_payment(ref, Payment(Money.of("10", EUR), AT.date()))
    assert refusal(store, ref, "check_client") == ("0 entries, 0 payments",)
    assert len(store.get_mission(ref).history) == 1


def test_hooks_are_given_the_whole_mission(store: Store) -> None:
    """With a hook subscribed, the mission a hook sees carries its history and payments, whatever the guards read."""
    ref = store.create_mission(store.add_client("Acme").ref, "Logo", at=AT).ref
    store.record_payment(ref, Payment(Money.of("10", EUR), AT.date()))
    store.fire(ref, "qualify", at=AT)
    seen: list[tuple[int, int]] = []

    @store.hooks.before()
    def look(event: HookEvent) -> None:
        seen.append((len(event.subject.history), len(event.subject.payments)))

    store.fire(ref, "decline", note="no budget", at=AT)
    assert seen == [(1, 1)]


def test_settings_changed_by_another_writer_are_used_by_the_next_fire(store: Store, store_url: str) -> None:
    """Settings rewritten behind the store's back (another process) decide the next fire's out-of-hours flag."""
    client = store.add_client("Acme").ref
    first, second = (store.create_mission(client, title, at=AT).ref for title in ("Logo", "Site"))
    store.save_settings(Settings())
    assert store.fire(first, "qualify", at=AT).out_of_hours is False
    weekends = settings_to_json(Settings(working_days=(5, 6), working_start=time(9), working_end=time(18)))
    other = create_engine(store_url)
    try:
        with other.begin() as connection:
            connection.execute(update(SettingsRow).values(data=weekends))
    finally:
        other.dispose()
    assert store.fire(second, "qualify", at=AT).out_of_hours is True


def test_a_delivery_schedules_its_approval_reminder_from_the_contract(store: Store) -> None:
    """deliver's guard reads only the specification, yet the tacit approval its delivery schedules
    counts the contract's acceptance period (a timer fact the guards do not read)."""
    client = store.add_client("Acme").ref
    ref = store.create_mission(client, "Logo", amount=Money.of("1000", EUR), at=AT).ref
    store.fire(ref, "qualify", at=AT)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.set_specification(
        ref,
        Specification("Brand", (Deliverable("logo"),), date(2026, 6, 1), Money.of("1000", EUR), "Signed off"),
    )
    store.fire(ref, "accept", at=AT)
    store.sign_contract(ref, Contract(Money.of("1000", EUR), "CGV-1", AT.date(), acceptance_days=8), at=AT)
    store.record_payment(ref, Payment(Money.of("300", EUR), AT.date()))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    store.fire(ref, "deliver", data={"deliverable": "logo"}, at=AT)
    approval = [t for t in store.list_timers(ref) if t.trigger == "approve_tacitly"]
    assert [(t.status, t.due_at) for t in approval] == [("pending", AT + timedelta(days=8))]


def test_hooks_declared_by_the_workflow_file_run_around_a_plain_fire(store: Store) -> None:
    """Without any hook of the application, the hooks a workflow file declares still veto and follow a fire."""
    plugin_hooks.CALLS.clear()
    ref = store.create_mission(
        store.add_client("Studio client").ref, "Mix", workflow="studio-session", at=AT
    ).ref
    with pytest.raises(TransitionBlockedError, match="closed on Sundays"):
        store.fire(ref, "book", at=SUNDAY)
    assert store.fire(ref, "book", at=AT).dest == "booked"
    calls = list(plugin_hooks.CALLS)
    plugin_hooks.CALLS.clear()
    assert calls == [f"{ref}:book:booked"]


# --- the fast path's refusals and races ----------------------------------------------------------


@pytest.mark.parametrize("ref", ["M-999", "C-1", "nonsense"])
def test_firing_on_a_mission_that_does_not_exist_is_refused(store: Store, ref: str) -> None:
    """A reference that names no mission raises MissionNotFoundError and writes nothing."""
    store.create_mission(store.add_client("Acme").ref, "Logo", at=AT)
    with pytest.raises(MissionNotFoundError):
        store.fire(ref, "qualify", at=AT)


def test_an_idempotency_key_must_have_a_sensible_length(store: Store) -> None:
    """An empty or overlong idempotency key is refused before anything is read."""
    ref = store.create_mission(store.add_client("Acme").ref, "Logo", at=AT).ref
    for key in ("", "k" * 201):
        with pytest.raises(InvalidValueError, match="idempotency_key"):
            store.fire(ref, "qualify", at=AT, idempotency_key=key)
    assert store.get_mission(ref).history == []


@pytest.mark.parametrize(RACE_PARAMS, RACE_WINDOWS)
def test_an_idempotent_fire_that_loses_the_race_returns_the_winners_record(
    two_stores: tuple[Store, Store], app_engine: Engine, hooked: bool, configured: bool
) -> None:
    """When another writer fires with the same key between our read and our write, we return its record."""
    first, second = two_stores
    engine = app_engine
    if hooked:
        first.hooks.before()(lambda event: None)
    ref = first.create_mission(first.add_client("Acme").ref, "Logo", at=AT).ref
    cue = CUE
    winner: list[TransitionRecord] = []

    def sneak_in(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith(cue) and not winner:
            winner.append(second.fire(ref, "qualify", actor="winner", at=AT, idempotency_key="once"))

    event.listen(engine, "before_cursor_execute", sneak_in)
    try:
        mine = first.fire(ref, "qualify", actor="loser", at=AT, idempotency_key="once")
    finally:
        event.remove(engine, "before_cursor_execute", sneak_in)
    assert mine == winner[0]
    assert mine.actor == "winner"
    assert [entry.record for entry in first.history(ref)] == [mine]
    assert first.verify(ref) == []
