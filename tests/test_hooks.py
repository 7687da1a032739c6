"""Hooks around a transition: before-hooks veto like guards, after-hooks run inside the change
(a failure undoes it), after_commit hooks run once it is durable (a failure is only logged);
in memory and on the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, create_engine, insert, select

from missionflow import (
    GuardResult,
    HookEvent,
    Hooks,
    InvalidValueError,
    Store,
    TransitionBlockedError,
    Workflow,
    fire,
    freelance,
    load_workflow,
    open_store,
)
from missionflow.freelance import Client, Mission, Settings
from missionflow.workflow import HookMoment

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, within working hours
FLOW = Workflow(load_workflow("freelance-mission"))


class HookFailed(Exception):
    """The exception the failing hooks of these tests raise."""


def lead(ref: str = "M-1", *, blocked: bool = False) -> Mission:
    """An in-memory mission in state lead."""
    return Mission(
        ref=ref, workflow="freelance-mission", state="lead", client=Client("Acme", blocked=blocked)
    )


def recorder(log: list[str], label: str, *, fail: bool = False) -> Callable[[HookEvent], None]:
    """A hook that appends ``label`` (and the event's trigger) to ``log``, then raises if asked."""

    def hook(event: HookEvent) -> None:
        log.append(f"{label}:{event.trigger}")
        if fail:
            raise HookFailed(label)

    hook.__name__ = label
    return hook


# --- in memory ---------------------------------------------------------------------------------


def test_hooks_run_before_then_after_then_after_commit_in_subscription_order() -> None:
    """One fire runs every before-hook, then every after-hook, then every after_commit hook, each in order."""
    log: list[str] = []
    hooks = Hooks()
    hooks.after_commit()(recorder(log, "commit1"))
    hooks.after()(recorder(log, "after1"))
    hooks.subscribe("before", lambda e: log.append(f"before1:{e.trigger}"))
    hooks.after()(recorder(log, "after2"))
    hooks.subscribe("before", lambda e: log.append(f"before2:{e.trigger}"))
    FLOW.fire(lead(), "qualify", at=AT, hooks=hooks)
    assert log == [
        "before1:qualify",
        "before2:qualify",
        "after1:qualify",
        "after2:qualify",
        "commit1:qualify",
    ]


def test_a_before_hook_veto_blocks_like_a_guard_and_changes_nothing() -> None:
    """A before-hook's reason makes TransitionBlockedError, listed with the hook's name; the mission stays."""
    hooks = Hooks()

    @hooks.before(trigger="qualify")
    def office_hours(event: HookEvent) -> str | None:
        return "leads are qualified on weekdays only"

    mission = lead()
    with pytest.raises(TransitionBlockedError) as caught:
        fire(mission, "qualify", at=AT, hooks=hooks)
    assert caught.value.failed == (GuardResult("hook:office_hours", "leads are qualified on weekdays only"),)
    assert caught.value.reasons == ("leads are qualified on weekdays only",)
    assert "leads are qualified on weekdays only" in str(caught.value)
    assert (mission.state, mission.history) == ("lead", [])


def test_a_veto_joins_the_guards_refusals_and_after_hooks_never_run() -> None:
    """When a guard and a hook both refuse, both reasons are reported (guards first) and no after-hook runs."""
    log: list[str] = []
    hooks = Hooks()
    hooks.before()(lambda event: "the CRM says no")
    hooks.after()(recorder(log, "after"))
    hooks.after_commit()(recorder(log, "commit"))
    with pytest.raises(TransitionBlockedError) as caught:
        FLOW.fire(lead(blocked=True), "qualify", at=AT, hooks=hooks)
    assert [r.guard for r in caught.value.failed] == ["client_not_blocked", "hook:<lambda>"]
    assert caught.value.reasons[1] == "the CRM says no"
    assert log == []


def test_a_failing_after_hook_restores_the_mission_and_propagates() -> None:
    """An after-hook's exception propagates and the in-memory mission gets back its state and history."""
    log: list[str] = []
    hooks = Hooks()
    hooks.after()(recorder(log, "after", fail=True))
    hooks.after_commit()(recorder(log, "commit"))
    mission = lead()
    FLOW.fire(mission, "qualify", at=AT)
    history = list(mission.history)
    with pytest.raises(HookFailed):
        FLOW.fire(mission, "decline", note="no budget", at=AT, hooks=hooks)
    assert mission.state == "criteria_check"
    assert mission.history == history
    assert log == ["after:decline"]


def test_a_failing_after_commit_hook_is_logged_and_the_transition_stands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An after_commit hook's exception is logged (with the hook and mission) and the mission keeps its move."""
    log: list[str] = []
    hooks = Hooks()
    hooks.after_commit()(recorder(log, "broken_mailer", fail=True))
    hooks.after_commit()(recorder(log, "second"))
    mission = lead()
    with caplog.at_level(logging.ERROR, logger="missionflow.hooks"):
        record = FLOW.fire(mission, "qualify", at=AT, hooks=hooks)
    assert mission.state == "criteria_check"
    assert mission.history == [record]
    assert log == ["broken_mailer:qualify", "second:qualify"]
    [logged] = caplog.records
    assert "broken_mailer" in logged.getMessage()
    assert "M-1" in logged.getMessage()
    assert logged.exc_info is not None


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["qualify", "accept", "decline"]),
        ({"trigger": "accept"}, ["accept"]),
        ({"source": "criteria_check"}, ["accept"]),
        ({"dest": "declined"}, ["decline"]),
        ({"trigger": "decline", "source": "lead"}, []),
        ({"trigger": "decline", "source": "specification"}, ["decline"]),
    ],
)
def test_filters_select_the_transitions_a_hook_runs_for(filters: dict[str, str], expected: list[str]) -> None:
    """A hook filtered by trigger, source or destination runs only for the transitions matching all filters."""
    seen: list[str] = []
    hooks = Hooks()
    for moment in HookMoment:
        hooks.subscribe(moment, recorder(seen, str(moment)), **filters)
    mission = lead()
    no_criteria = Settings(criteria=())
    FLOW.fire(mission, "qualify", at=AT, hooks=hooks)
    freelance.fire(mission, "accept", at=AT, settings=no_criteria, hooks=hooks)
    FLOW.fire(mission, "decline", note="no budget", at=AT, hooks=hooks)
    assert seen == [f"{m}:{t}" for t in expected for m in HookMoment]


def test_events_tell_the_hooks_what_happens() -> None:
    """Before-hooks get the transition without a record; after-hooks get the record that was appended."""
    events: list[HookEvent] = []
    hooks = Hooks()
    for moment in HookMoment:
        hooks.subscribe(moment, events.append)
    mission = lead()
    record = FLOW.fire(mission, "qualify", actor="bea", note="referred", at=AT, data={"k": "v"}, hooks=hooks)
    before, after, committed = events
    assert (before.subject, before.trigger, before.source, before.dest) == (
        mission,
        "qualify",
        "lead",
        "criteria_check",
    )
    assert (before.actor, before.note, before.at, dict(before.data)) == ("bea", "referred", AT, {"k": "v"})
    assert before.record is None
    assert after.record is record
    assert committed.record is record
    assert after.connection is None
    assert record.guards == ("client_not_blocked",)  # a hook is not one of the workflow's guards


def test_an_internal_transition_has_its_state_as_destination() -> None:
    """For a trigger that stays in its state (deliver), a dest filter on that state matches."""
    seen: list[str] = []
    hooks = Hooks()
    hooks.subscribe("before", lambda e: seen.append(e.dest), dest="in_progress")
    mission = Mission(ref="M-1", workflow="freelance-mission", state="in_progress")
    with pytest.raises(TransitionBlockedError):
        FLOW.fire(mission, "deliver", at=AT, data={"deliverable": "logo"}, hooks=hooks)
    assert seen == ["in_progress"]


def test_a_before_hook_must_return_none_or_a_reason() -> None:
    """A before-hook returning something else is a TypeError naming it; an empty reason still vetoes."""
    hooks = Hooks()
    hooks.subscribe("before", lambda e: False, name="sloppy")
    mission = lead()
    with pytest.raises(TypeError, match="sloppy"):
        FLOW.fire(mission, "qualify", at=AT, hooks=hooks)
    assert mission.state == "lead"
    terse = Hooks()
    terse.subscribe("before", lambda e: "  ", name="terse")
    with pytest.raises(TransitionBlockedError, match="refused by hook terse"):
        FLOW.fire(mission, "qualify", at=AT, hooks=terse)


def test_subscribing_checks_the_moment_and_the_function() -> None:
    """An unknown moment or a non-callable hook is refused with InvalidValueError."""
    hooks = Hooks()
    with pytest.raises(InvalidValueError, match="before, after, after_commit"):
        hooks.subscribe("during", print)
    with pytest.raises(InvalidValueError, match="callable"):
        hooks.subscribe("after", "print")  # type: ignore[arg-type]  # an untyped caller's mistake
    assert len(hooks) == 0
    hooks.subscribe("after", print)
    assert len(hooks) == 1
    assert "after:print" in repr(hooks)


# --- on the store ------------------------------------------------------------------------------


@pytest.fixture
def hooked(store_url: str) -> Iterator[tuple[Store, str]]:
    """A store with hooks (none yet) and a new mission in state lead."""
    with open_store(store_url, hooks=Hooks()) as opened:
        ref = opened.create_mission(opened.add_client("Acme").ref, "Logo", at=AT).ref
        yield opened, ref


def test_store_a_failing_after_hook_records_nothing(hooked: tuple[Store, str]) -> None:
    """When an after-hook raises, the store keeps the old state, no history entry and the same version."""
    store, ref = hooked
    store.hooks.after(trigger="qualify")(recorder([], "after", fail=True))
    before = store.get_mission(ref)
    with pytest.raises(HookFailed):
        store.fire(ref, "qualify", at=AT)
    after = store.get_mission(ref)
    assert (after.state, after.version, after.history) == ("lead", before.version, [])
    assert store.history(ref) == []
    assert store.verify(ref) == []


def test_store_a_failing_after_commit_hook_keeps_the_transition(
    hooked: tuple[Store, str], caplog: pytest.LogCaptureFixture
) -> None:
    """When an after_commit hook raises, the new state and its history entry are recorded; the error is logged."""
    store, ref = hooked
    store.hooks.after_commit()(recorder([], "mailer", fail=True))
    with caplog.at_level(logging.ERROR, logger="missionflow.hooks"):
        record = store.fire(ref, "qualify", at=AT)
    assert store.get_mission(ref).state == "criteria_check"
    assert [entry.record for entry in store.history(ref)] == [record]
    assert store.verify(ref) == []
    assert any("mailer" in r.getMessage() for r in caplog.records)


def test_store_a_before_hook_veto_writes_nothing(hooked: tuple[Store, str]) -> None:
    """A before-hook's veto on the store raises TransitionBlockedError with its reason and writes nothing."""
    store, ref = hooked
    store.hooks.before(source="lead")(lambda event: "the client has not replied")
    version = store.get_mission(ref).version
    with pytest.raises(TransitionBlockedError) as caught:
        store.fire(ref, "qualify", at=AT)
    assert caught.value.reasons == ("the client has not replied",)
    assert (store.get_mission(ref).state, store.get_mission(ref).version) == ("lead", version)
    assert store.history(ref) == []


def test_store_after_runs_inside_the_transaction_and_after_commit_outside(
    hooked: tuple[Store, str], store_url: str
) -> None:
    """During after-hooks another connection still sees the old state while the store, reading in the
    fire's transaction, sees the new one; after_commit hooks see it from everywhere."""
    store, ref = hooked
    seen: list[tuple[str, str]] = []
    with open_store(store_url) as other:

        def look(event: HookEvent) -> None:
            seen.append((other.get_mission(ref).state, store.get_mission(ref).state))

        store.hooks.subscribe("after", look)
        store.hooks.subscribe("after_commit", look)
        store.fire(ref, "qualify", at=AT)
    assert seen == [("lead", "criteria_check"), ("criteria_check", "criteria_check")]


def test_store_hooks_are_not_rerun_for_an_idempotent_repeat(hooked: tuple[Store, str]) -> None:
    """Firing again with the same idempotency key returns the first record and runs no hook."""
    store, ref = hooked
    log: list[str] = []
    for moment in HookMoment:
        store.hooks.subscribe(moment, recorder(log, str(moment)))
    first = store.fire(ref, "qualify", at=AT, idempotency_key="k1")
    again = store.fire(ref, "qualify", at=AT, idempotency_key="k1")
    assert again == first
    assert log == ["before:qualify", "after:qualify", "after_commit:qualify"]


def test_store_after_hooks_write_the_applications_rows_in_the_same_transaction(store_url: str) -> None:
    """With the application's engine, an after-hook's own insert commits with the transition, or rolls back with it."""
    app_tables = MetaData()
    outbox = Table(
        "app_outbox", app_tables, Column("id", Integer, primary_key=True), Column("message", String(200))
    )
    engine = create_engine(store_url)
    app_tables.create_all(engine)
    hooks = Hooks()

    @hooks.after()
    def enqueue(event: HookEvent) -> None:
        assert isinstance(event.connection, Connection)
        event.connection.execute(insert(outbox).values(message=f"{event.subject.ref} -> {event.dest}"))

    @hooks.after(trigger="decline")
    def veto_late(event: HookEvent) -> None:
        raise HookFailed("the accounting system refused")

    try:
        with open_store(engine=engine, hooks=hooks) as store:
            ref = store.create_mission(store.add_client("Acme").ref, "Logo", at=AT).ref
            store.fire(ref, "qualify", at=AT)
            with pytest.raises(HookFailed):
                store.fire(ref, "decline", note="no budget", at=AT)
            assert store.get_mission(ref).state == "criteria_check"
        with engine.connect() as connection:
            messages = connection.scalars(select(outbox.c.message)).all()
        assert messages == [f"{ref} -> criteria_check"]
    finally:
        engine.dispose()


def test_store_runs_hooks_for_every_kind_of_fire(hooked: tuple[Store, str]) -> None:
    """Hooks given to open_store and added later to store.hooks both run, on fire and its variants."""
    store, ref = hooked
    log: list[str] = []
    store.hooks.after_commit()(recorder(log, "commit"))
    store.fire(ref, "qualify", at=AT)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.fire(ref, "accept", at=AT)
    assert log == ["commit:qualify", "commit:accept"]
