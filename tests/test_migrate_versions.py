"""Missions moved in flight from one version of their workflow to another, on SQLite and
PostgreSQL: the dry run says where each state's missions go, the real run moves them all in one
transaction with a `migrate` entry and the new version's timers, and a stranded mission (a state
that no longer exists, or one the new rules would not have let it into) stops everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from missionflow import (
    ConflictError,
    InvalidValueError,
    Store,
    WorkflowNotFoundError,
    open_store,
    parse_workflow,
    register_workflow,
    testing,
)
from missionflow.freelance import Payment
from missionflow.store import MigrationPlan
from missionflow.workflow import shipped_workflow_dir
from tests.cli_helpers import Cli

FREELANCE_STATES = (
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
)
"""Every state of ``freelance-mission`` (versions 1 and 2), in the order a mission goes through them."""


def mission_in(
    store: Store,
    state: str,
    *,
    acceptance_days: int | None = None,
    at: datetime = testing.MONDAY,
    **options: object,
) -> str:
    """A new mission walked to ``state`` (one of :data:`FREELANCE_STATES`) by the usual steps, at
    ``at``; ``options`` go to :func:`lead` (``version=1`` for the first version of the workflow).

    """
    if state not in FREELANCE_STATES:
        raise ValueError(f"{state!r} is not a state of freelance-mission: {', '.join(FREELANCE_STATES)}")
    ref = testing.lead(store, at=at, **options)  # type: ignore[arg-type]
    steps = FREELANCE_STATES.index(state)
    if state == "declined":
        store.fire(ref, "decline", note="not for me", at=at)
    elif state == "terminated":
        testing.sign(store, ref, acceptance_days=acceptance_days, at=at)
        store.fire(ref, "terminate", note="the client vanished", at=at)
    elif steps >= FREELANCE_STATES.index("contract_signed"):
        testing.sign(store, ref, acceptance_days=acceptance_days, at=at)
    elif steps >= 1:
        store.fire(ref, "qualify", at=at)
        if steps >= 2:
            for criterion in store.get_settings().criteria:
                store.answer_criterion(ref, criterion.name, True)
            store.fire(ref, "accept", at=at)
    if state in ("declined", "terminated") or steps <= FREELANCE_STATES.index("contract_signed"):
        return ref
    due = store.get_mission(ref).deposit_due
    store.record_payment(ref, Payment(due, at.date(), "transfer"))
    store.fire(ref, "confirm_deposit", at=at)
    if state == "deposit_received":
        return ref
    store.fire(ref, "start_work", at=at)
    if state == "revisions":
        testing.deliver(store, ref, testing.DELIVERABLES[0].name, at=at)
        store.fire(ref, "request_revision", at=at, actor="client")
    if steps >= FREELANCE_STATES.index("approved"):
        testing.approve(store, ref, at=at)
    if steps >= FREELANCE_STATES.index("invoiced"):
        store.issue_final_invoice(ref, at=at)
    if state == "paid":
        current = store.get_mission(ref)
        store.record_payment(ref, Payment(current.invoiced_total - current.paid_total, at.date(), "transfer"))
        store.fire(ref, "settle", at=at)
    return ref


AT = testing.MONDAY
LATER = AT + timedelta(days=3)
V2_TEXT = (shipped_workflow_dir() / "freelance-mission@2.yaml").read_text(encoding="utf-8")


def every_state(store: Store) -> dict[str, str]:
    """One version 1 mission in each state of freelance-mission (the silent ones with an
    acceptance period); state: reference."""
    return {
        state: mission_in(store, state, version=1, acceptance_days=10, client=f"Client {state}")
        for state in FREELANCE_STATES
    }


def moves(plan: MigrationPlan) -> list[tuple[int, str, str | None, int, int]]:
    """(version, state, where to, missions, stranded) per state of the plan."""
    return [(m.version, m.state, m.dest, len(m.missions), len(m.stranded)) for m in plan.moves]


def test_a_dry_run_lists_where_each_state_goes_and_writes_nothing(store: Store) -> None:
    """Every state of version 1 exists in version 2: each mission would move to its state, none
    is stranded, and the database is as it was."""
    refs = every_state(store)
    before = {ref: (store.get_mission(ref).version, len(store.history(ref))) for ref in refs.values()}
    plan = store.migrate_missions("freelance-mission", 2, dry_run=True, at=LATER)
    assert moves(plan) == [(1, state, state, 1, 0) for state in FREELANCE_STATES]
    assert (plan.moving, plan.stranded, plan.already, plan.done) == (12, (), 0, False)
    after = {ref: (store.get_mission(ref).version, len(store.history(ref))) for ref in refs.values()}
    assert after == before
    assert {store.get_mission(ref).workflow_version for ref in refs.values()} == {1}
    assert store.list_timers() == []


def test_the_real_run_moves_every_mission_with_its_history_and_timers(store: Store) -> None:
    """Each mission gets a `migrate` entry in its chain and version 2; the timers version 2
    declares are scheduled, counted from when the mission entered its state; a second run moves
    nothing."""
    refs = every_state(store)
    testing.deliver(store, refs["in_progress"], "mockups", at=AT)
    plan = store.migrate_missions("freelance-mission", 2, actor="camille", at=LATER)
    assert (plan.done, plan.moving) == (True, 12)
    for state, ref in refs.items():
        mission = store.get_mission(ref)
        assert (mission.state, mission.workflow_version) == (state, 2)
        entry = store.history(ref)[-1].record
        assert (entry.trigger, entry.source, entry.dest, entry.actor, entry.at) == (
            "migrate",
            state,
            state,
            "camille",
            LATER,
        )
        assert dict(entry.data) == {"from": "freelance-mission@1", "to": "freelance-mission@2"}
    assert store.verify() == []
    pending = {(t.mission, t.trigger): t.due_at for t in store.list_timers() if t.pending}
    assert pending == {
        (refs["contract_signed"], "remind_deposit"): AT + timedelta(days=7),
        (refs["in_progress"], "remind_approval"): AT + timedelta(days=7),  # delivered on Monday
        (refs["in_progress"], "approve_tacitly"): AT + timedelta(days=10),
        (refs["invoiced"], "remind_payment"): datetime(2026, 4, 1, 22, tzinfo=UTC),
    }
    assert [(r.mission, r.trigger, r.fired) for r in store.tick(AT + timedelta(days=8))] == [
        (refs["contract_signed"], "remind_deposit", True),  # no deposit yet
        (refs["in_progress"], "remind_approval", False),  # not everything is delivered
    ]
    again = store.migrate_missions("freelance-mission", 2, at=LATER)
    assert (again.moves, again.already, again.done) == ((), 12, False)


V4_RENAMED = (
    V2_TEXT.replace("version: 2", "version: 4")
    .replace("id: revisions", "id: corrections")
    .replace("dest: revisions", "dest: corrections")
    .replace("source: [in_progress, revisions]", "source: [in_progress, corrections]")
    .replace(
        "deposit_received, in_progress, revisions, approved",
        "deposit_received, in_progress, corrections, approved",
    )
    # version 4 also starts work only on missions agreed without a deposit
    .replace(
        "guards: [contract_signed, deposit_satisfied]\n",
        "guards: [contract_signed, deposit_satisfied, no_deposit_agreed]\n",
    )
)


def test_stranded_missions_are_named_and_nothing_moves(store: Store) -> None:
    """Version 4 renames `revisions` and asks more to start work: the mission in revisions has no
    state to go to, and the one in progress does not meet the guards that lead into it; the run
    is refused naming both, and nothing is written; the dry run shows them."""
    register_workflow(parse_workflow(V4_RENAMED, "freelance-mission@4.yaml"))
    refs = every_state(store)
    plan = store.migrate_missions("freelance-mission", 4, dry_run=True, at=LATER)
    stranded = {s.mission: (s.state, s.reasons) for s in plan.stranded}
    assert stranded == {
        refs["revisions"]: (
            "revisions",
            ("state 'revisions' does not exist in freelance-mission@4: map it with --map revisions=STATE",),
        ),
        refs["in_progress"]: (
            "in_progress",
            ("start_work: a deposit of 30 % was agreed: confirm it (confirm_deposit) before starting work",),
        ),
    }
    assert (1, "revisions", None, 1, 1) in moves(plan)
    with pytest.raises(ConflictError) as caught:
        store.migrate_missions("freelance-mission", 4, at=LATER)
    message = str(caught.value)
    assert message.startswith(
        "2 missions would be stranded by moving freelance-mission to version 4; nothing moved"
    )
    assert refs["revisions"] in message
    assert refs["in_progress"] in message
    assert {store.get_mission(ref).workflow_version for ref in refs.values()} == {1}
    assert all("migrate" not in [e.record.trigger for e in store.history(ref)] for ref in refs.values())


def test_a_mapping_moves_the_missions_of_a_state_that_no_longer_exists(store: Store) -> None:
    """--map revisions=corrections lands the mission in the renamed state, its entry says so; a
    mapping from or to an unknown state is refused as a bad value."""
    register_workflow(parse_workflow(V4_RENAMED.replace(", no_deposit_agreed]\n", "]\n", 1)))
    ref = mission_in(store, "revisions", version=1)
    with pytest.raises(InvalidValueError, match="'correction' is not a state of freelance-mission@4"):
        store.migrate_missions("freelance-mission", 4, mapping={"revisions": "correction"})
    with pytest.raises(InvalidValueError, match="'revision' is not a state of the versions being left"):
        store.migrate_missions("freelance-mission", 4, mapping={"revision": "corrections"})
    plan = store.migrate_missions("freelance-mission", 4, mapping={"revisions": "corrections"}, at=LATER)
    assert moves(plan) == [(1, "revisions", "corrections", 1, 0)]
    mission = store.get_mission(ref)
    assert (mission.state, mission.workflow_version) == ("corrections", 4)
    entry = store.history(ref)[-1].record
    assert (entry.source, entry.dest) == ("revisions", "corrections")
    assert (
        entry.note
        == "moved from freelance-mission@1 to freelance-mission@4, state revisions mapped to corrections"
    )
    assert store.verify() == []
    assert store.fire(ref, "deliver", data={"deliverable": "mockups"}, at=LATER).dest == "corrections"


def test_an_unknown_version_is_not_found(store: Store) -> None:
    """Moving to a version nobody published is a workflow not found."""
    mission_in(store, "lead", version=1)
    with pytest.raises(WorkflowNotFoundError):
        store.migrate_missions("freelance-mission", 9)


def test_the_command_shows_the_plan_moves_and_refuses_with_exit_8(tmp_path: Path) -> None:
    """`workflow migrate --dry-run` lists each state and changes nothing; the real run says how
    many moved; stranded missions exit 8 naming them; a malformed --map exits 2 and an unknown
    version 5."""
    run = Cli(tmp_path / "missions.db")
    with open_store(run.db) as store:
        refs = {state: mission_in(store, state, version=1) for state in ("lead", "revisions")}
    planned = run.ok("workflow", "migrate", "freelance-mission", "--to", "2", "--dry-run")
    assert "freelance-mission to version 2 (dry run):" in planned
    assert "2 missions would move to freelance-mission@2" in planned
    assert run.json("mission", "show", refs["lead"])["workflow_version"] == 1  # type: ignore[index]
    shown = run.json("workflow", "migrate", "freelance-mission", "--to", "2", "--dry-run", "--json")
    assert isinstance(shown, dict)
    assert [(s["state"], s["dest"], s["missions"]) for s in shown["states"]] == [
        ("lead", "lead", [refs["lead"]]),
        ("revisions", "revisions", [refs["revisions"]]),
    ]
    assert run("workflow", "migrate", "freelance-mission", "--to", "2", "--map", "revisions").exit_code == 2
    assert run("workflow", "migrate", "freelance-mission", "--to", "9").exit_code == 5
    register_workflow(parse_workflow(V4_RENAMED, "freelance-mission@4.yaml"))
    refused = run("workflow", "migrate", "freelance-mission", "--to", "4")
    assert refused.exit_code == 8
    assert f"{refs['revisions']} (revisions: state 'revisions' does not exist" in refused.stderr
    moved = run.ok("workflow", "migrate", "freelance-mission", "--to", "2", "--by", "camille")
    assert moved.strip().endswith("moved 2 missions to freelance-mission@2")
    history = run.json("mission", "history", refs["revisions"])
    assert isinstance(history, list)
    assert (history[-1]["trigger"], history[-1]["actor"]) == ("migrate", "camille")
    run.ok("verify")
