"""Several processes at once on one database (SQLite and PostgreSQL): one transition wins, invoice
numbers stay consecutive, idempotent duplicates agree, and a lost race writes nothing."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event

from missionflow import ConcurrentUpdateError, Money, Store, TransitionBlockedError, testing
from tests.races import CUE, RACE_PARAMS, RACE_WINDOWS

PROCESSES = 8
INVOICES_EACH = 5
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

# Workers run in fresh processes started by a fork server that has imported missionflow once
# (no engine, no connection: as clean as 'spawn', without paying the imports eight times).
# Each opens its own store, warms up, waits at a barrier so that all start together, and
# puts what happened on a queue.
FIRE_WORKER = """
from missionflow import ConcurrentUpdateError, TransitionNotAllowedError, open_store
with open_store(url, create=False) as store:
    store.get_mission(ref)
    barrier.wait(timeout=60)
    try:
        record = store.fire(ref, "qualify", actor=name, idempotency_key=key or None)
        results.put({"ok": True, "actor": record.actor, "at": record.at.isoformat()})
    except ConcurrentUpdateError:
        results.put({"ok": False, "error": "concurrent"})
    except TransitionNotAllowedError:
        results.put({"ok": False, "error": "not_allowed"})
"""

INVOICE_WORKER = """
from datetime import date
from missionflow import Money, open_store
with open_store(url, create=False) as store:
    store.get_mission(ref)
    barrier.wait(timeout=60)
    numbers = []
    for _ in range(count):
        invoice = store.issue_invoice(ref, "deposit", Money.of("10.01", "EUR"), date(2026, 3, 2), date(2026, 4, 1))
        numbers.append(invoice.number)
    results.put(numbers)
"""


def run_together(script: str, namespaces: list[dict[str, object]]) -> list[object]:
    """Run ``script`` in one process per namespace, all released at once; return what each put."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["missionflow"])
    barrier = context.Barrier(len(namespaces))
    results = context.Queue()
    processes = [
        context.Process(target=exec, args=(script, {**namespace, "barrier": barrier, "results": results}))
        for namespace in namespaces
    ]
    for process in processes:
        process.start()
    try:
        collected = [results.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=60)
            assert process.exitcode == 0
        return collected
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
        results.close()


def new_mission(store: Store, title: str = "Logo") -> str:
    """A new 1000 EUR mission of a client whose invoices can be issued (identity and address known)."""
    if not store.get_settings().siret:
        testing.identify(store)
    client = testing.add_client(store).ref
    return store.create_mission(client, title, amount=Money.of("1000", "EUR"), at=AT).ref


def test_one_of_eight_processes_wins_a_transition(store: Store, store_url: str) -> None:
    """Eight processes fire qualify together: one succeeds, the others fail cleanly, one entry is written."""
    ref = new_mission(store)
    results = run_together(
        FIRE_WORKER,
        [{"url": store_url, "ref": ref, "key": "", "name": f"worker-{n}"} for n in range(PROCESSES)],
    )
    winners = [r for r in results if isinstance(r, dict) and r["ok"]]
    losers = [r for r in results if isinstance(r, dict) and not r["ok"]]
    assert len(winners) == 1
    assert len(losers) == PROCESSES - 1
    assert {r["error"] for r in losers} <= {"concurrent", "not_allowed"}
    entries = store.history(ref)
    assert len(entries) == 1
    assert entries[0].record.actor == winners[0]["actor"]
    mission = store.get_mission(ref)
    assert mission.state == "criteria_check"
    assert mission.version == 1
    assert store.verify() == []


def test_concurrent_duplicates_of_an_idempotent_fire_agree(store: Store, store_url: str) -> None:
    """Eight processes fire with the same idempotency key: all get the same record, one entry is written."""
    ref = new_mission(store)
    results = run_together(
        FIRE_WORKER,
        [{"url": store_url, "ref": ref, "key": "same-key", "name": f"worker-{n}"} for n in range(PROCESSES)],
    )
    assert all(isinstance(r, dict) and r["ok"] for r in results)
    assert len({(r["actor"], r["at"]) for r in results if isinstance(r, dict)}) == 1
    assert len(store.history(ref)) == 1


def test_invoice_numbers_stay_consecutive_under_concurrency(store: Store, store_url: str) -> None:
    """Eight processes issuing five invoices each get 40 consecutive numbers, no duplicate, no gap."""
    refs = [new_mission(store, f"Mission {n}") for n in range(PROCESSES)]
    results = run_together(
        INVOICE_WORKER, [{"url": store_url, "ref": ref, "count": INVOICES_EACH} for ref in refs]
    )
    numbers = [number for result in results if isinstance(result, list) for number in result]
    expected = [f"2026-{n:04d}" for n in range(1, PROCESSES * INVOICES_EACH + 1)]
    assert sorted(numbers) == expected
    for result in results:
        assert isinstance(result, list)
        assert result == sorted(result)
    assert [i.number for i in store.list_invoices()] == expected
    assert all(store.get_mission(ref).version == INVOICES_EACH for ref in refs)


@pytest.mark.parametrize(RACE_PARAMS, RACE_WINDOWS)
def test_a_writer_that_lost_the_race_writes_nothing(
    two_stores: tuple[Store, Store], app_engine: Engine, hooked: bool, configured: bool
) -> None:
    """When another writer changes the mission between our read and our write, we raise and write nothing."""
    first, second = two_stores
    ref = new_mission(first)
    engine = app_engine  # the application's engine given to open_store
    if hooked:
        first.hooks.before()(lambda event: None)
    # The moment the first store starts its first write, the second one records a change that
    # guards read (an extra revision round), and commits it.
    cue = CUE
    fired = []

    def sneak_in(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith(cue) and not fired:
            fired.append(statement)
            second.answer_criterion(ref, "budget_fits", False, "meanwhile")

    event.listen(engine, "before_cursor_execute", sneak_in)
    try:
        with pytest.raises(ConcurrentUpdateError):
            first.fire(ref, "qualify", at=AT)
    finally:
        event.remove(engine, "before_cursor_execute", sneak_in)
    assert fired
    mission = second.get_mission(ref)
    assert mission.state == "lead"
    assert mission.history == []
    assert mission.criteria_answers["budget_fits"].note == "meanwhile"
    assert first.fire(ref, "qualify", at=AT).dest == "criteria_check"
    assert first.verify() == []


@pytest.mark.parametrize("db_kind", ["sqlite"])  # PostgreSQL writers read before they lock: see above
@pytest.mark.parametrize("hooked", [False, True])
def test_a_fire_on_sqlite_decides_on_what_the_last_writer_committed(
    two_stores: tuple[Store, Store], app_engine: Engine, hooked: bool
) -> None:
    """On a configured SQLite engine, a client blocked just before a fire takes the write lock blocks
    that fire, with hooks or without: it reads (and runs its before-hooks) inside its write."""
    first, second = two_stores
    ref = new_mission(first)
    if hooked:
        first.hooks.before()(lambda event: None)
    engine = app_engine
    client = first.get_mission(ref).client.ref
    fired = []

    def sneak_in(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("BEGIN IMMEDIATE") and not fired:
            fired.append(statement)
            second.block_client(client, "rude on the phone")

    event.listen(engine, "before_cursor_execute", sneak_in)
    try:
        with pytest.raises(TransitionBlockedError) as caught:
            first.fire(ref, "qualify", at=AT)
    finally:
        event.remove(engine, "before_cursor_execute", sneak_in)
    assert fired
    assert caught.value.reasons == ("client Acme is blocked: rude on the phone",)
    mission = second.get_mission(ref)
    assert (mission.state, mission.history, mission.version) == ("lead", [], 1)


@pytest.mark.parametrize("db_kind", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_a_final_invoice_that_lost_the_race_says_concurrent(
    two_stores: tuple[Store, Store], app_engine: Engine
) -> None:
    """The other writer issues the final invoice while ours prepares its own (PostgreSQL reads each
    statement's latest commit): ours fails as a lost race, not as 'already invoiced'."""
    from missionflow.testing import approved_mission, identify

    first, second = two_stores
    identify(first)
    ref = approved_mission(first)
    fired = []

    def sneak_in(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("SELECT mf_settings.id") and not fired:
            fired.append(statement)
            second.issue_final_invoice(ref)

    event.listen(app_engine, "before_cursor_execute", sneak_in)
    try:
        with pytest.raises(ConcurrentUpdateError):
            first.issue_final_invoice(ref)
    finally:
        event.remove(app_engine, "before_cursor_execute", sneak_in)
    assert fired
    assert [i.kind for i in first.list_invoices(ref)] == ["final"]
    assert first.verify() == []
