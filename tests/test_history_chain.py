"""The history is tamper-evident: raw SQL edits, deletions, insertions and reorderings are found
by Store.verify, which names the first bad entry of each mission (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, text

from missionflow import Money, Store, TransitionRecord
from missionflow.freelance import Contract, Deliverable, Payment, Specification
from missionflow.store import HistoryEntry, VerifyFailure
from missionflow.store.chain import GENESIS, MissionChain, entry_hash, verify_chain

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def raw(store_url: str) -> Iterator[Engine]:
    """A plain engine on the store's database, to tamper with it as an intruder would."""
    engine = create_engine(store_url)
    yield engine
    engine.dispose()


def walked(store: Store) -> str:
    """A coaching mission with two history entries (qualify, accept)."""
    client = store.add_client("Acme").ref
    ref = store.create_mission(client, "Logo", workflow="coaching", sessions_planned=10, at=AT).ref
    store.fire(ref, "qualify", at=AT, note="first call")
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.fire(ref, "accept", at=AT + timedelta(minutes=1))
    return ref


def delivering(store: Store) -> str:
    """A freelance mission in progress with a few deliveries (entries that keep the same state)."""
    client = store.add_client("Bob").ref
    ref = store.create_mission(client, "Site", amount=Money.of("1000", "EUR"), at=AT).ref
    store.fire(ref, "qualify", at=AT)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.fire(ref, "accept", at=AT)
    spec = Specification(
        "A site", (Deliverable("home"), Deliverable("about")), date(2026, 6, 1), Money.of("1000", "EUR"), "ok"
    )
    store.set_specification(ref, spec)
    store.sign_contract(ref, Contract(Money.of("1000", "EUR"), "v1", date(2026, 3, 2)), at=AT)
    store.record_payment(ref, Payment(Money.of("300", "EUR"), date(2026, 3, 2)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    for number, name in enumerate(["home", "about", "home"]):
        store.fire(ref, "deliver", data={"deliverable": name}, at=AT + timedelta(hours=number + 1))
    return ref


def mission_id(ref: str) -> int:
    return int(ref.split("-")[1])


def chain_failures(failures: list[VerifyFailure]) -> list[VerifyFailure]:
    """The failures of the history chains (the ledger's name a row or an entry in ``what``)."""
    return [f for f in failures if not f.what]


def ledger_names(failures: list[VerifyFailure], ref: str) -> set[str]:
    """What the ledger's failures about a mission name."""
    return {f.what for f in failures if f.what and f.mission == ref}


def test_an_untouched_history_verifies(store: Store) -> None:
    """A store's chains verify after ordinary use."""
    walked(store)
    delivering(store)
    assert store.verify() == []


def test_editing_a_note_is_detected(store: Store, raw: Engine) -> None:
    """Changing one entry's note names that entry as edited."""
    ref = delivering(store)
    with raw.begin() as conn:
        conn.execute(
            text("UPDATE mf_history SET note = 'nothing happened' WHERE mission_id = :m AND position = 1"),
            {"m": mission_id(ref)},
        )
    failures = store.verify()
    assert chain_failures(failures) == [
        VerifyFailure(ref, 1, "does not match its hash (its content was edited)")
    ]
    assert ledger_names(failures, ref) == {"history entry #1"}
    assert store.verify(ref)[0].position == 1


def test_deleting_an_entry_is_detected(store: Store, raw: Engine) -> None:
    """Removing an entry in the middle names the missing position."""
    ref = delivering(store)
    with raw.begin() as conn:
        conn.execute(
            text("DELETE FROM mf_history WHERE mission_id = :m AND position = 5"), {"m": mission_id(ref)}
        )
    failures = store.verify()
    [failure] = chain_failures(failures)
    assert (failure.mission, failure.position) == (ref, 5)
    assert "missing" in failure.problem
    assert ledger_names(failures, ref) == {"history entry #5"}


def test_deleting_the_last_entry_is_detected(store: Store, raw: Engine) -> None:
    """Removing the newest delivery (which does not change the state) is still found."""
    ref = delivering(store)
    last = len(store.history(ref))
    with raw.begin() as conn:
        conn.execute(
            text("DELETE FROM mf_history WHERE mission_id = :m AND position = :p"),
            {"m": mission_id(ref), "p": last},
        )
    failures = store.verify(ref)
    [failure] = chain_failures(failures)
    assert failure.position == last
    assert "missing" in failure.problem
    assert ledger_names(failures, ref) == {f"history entry #{last}"}


def test_swapping_two_entries_is_detected(store: Store, raw: Engine) -> None:
    """Exchanging the positions of two entries names the first of them."""
    ref = delivering(store)
    with raw.begin() as conn:
        params = {"m": mission_id(ref)}
        conn.execute(
            text("UPDATE mf_history SET position = 100 WHERE mission_id = :m AND position = 6"), params
        )
        conn.execute(
            text("UPDATE mf_history SET position = 6 WHERE mission_id = :m AND position = 7"), params
        )
        conn.execute(
            text("UPDATE mf_history SET position = 7 WHERE mission_id = :m AND position = 100"), params
        )
    failures = store.verify()
    [failure] = chain_failures(failures)
    assert (failure.mission, failure.position) == (ref, 6)
    assert "does not follow" in failure.problem
    assert ledger_names(failures, ref) == {"history entry #6", "history entry #7"}


def test_inserting_a_forged_entry_is_detected(store: Store, raw: Engine) -> None:
    """A row appended by hand, even with a correctly computed hash, does not match the mission."""
    ref = walked(store)
    entries = store.history(ref)
    last = entries[-1]
    forged = TransitionRecord(
        trigger="complete", source=last.record.dest, dest="completed", actor="intruder", at=AT
    )
    digest = entry_hash(ref, last.position + 1, forged, last.hash)
    with raw.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO mf_history (mission_id, position, trigger, source, dest, actor, at, note, data, "
                "guards, out_of_hours, prev_hash, hash) VALUES (:m, :p, 'complete', :s, 'completed', "
                "'intruder', :at, '', '{}', '[]', false, :prev, :hash)"
            ),
            {
                "m": mission_id(ref),
                "p": last.position + 1,
                "s": last.record.dest,
                "at": AT.replace(tzinfo=None) if raw.dialect.name == "sqlite" else AT,
                "prev": last.hash,
                "hash": digest,
            },
        )
    failures = store.verify()
    [failure] = chain_failures(failures)
    assert (failure.mission, failure.position) == (ref, last.position + 1)
    assert ledger_names(failures, ref) == {f"history entry #{last.position + 1}"}


def test_changing_a_mission_state_by_hand_is_detected(store: Store, raw: Engine) -> None:
    """A state that the history does not lead to is reported, and other missions still verify."""
    ref = walked(store)
    other = delivering(store)
    with raw.begin() as conn:
        conn.execute(text("UPDATE mf_missions SET state = 'paid' WHERE id = :m"), {"m": mission_id(ref)})
    failures = store.verify()
    assert [f.mission for f in failures] == [ref]
    assert "state 'paid'" in failures[0].problem
    assert store.verify(other) == []


def test_verify_chain_checks_sources_follow_destinations() -> None:
    """An entry whose source is not where the previous one ended is named, even with valid hashes."""
    records = [
        TransitionRecord("qualify", "lead", "criteria_check", "", AT),
        TransitionRecord("accept", "lead", "specification", "", AT),
    ]
    entries, previous = [], GENESIS
    for position, record in enumerate(records, start=1):
        digest = entry_hash("M-9", position, record, previous)
        entries.append(HistoryEntry(position, record, digest, previous))
        previous = digest
    chain = MissionChain("M-9", "specification", "lead", 2, previous)
    failure = verify_chain(chain, entries)
    assert failure == VerifyFailure("M-9", 2, "starts from 'lead' but the mission was in 'criteria_check'")


def test_a_state_without_any_history_is_detected(store: Store, raw: Engine) -> None:
    """A new mission moved by hand, with no entry to explain it, is named at position 1."""
    ref = store.create_mission(store.add_client("Acme").ref, "Untouched", at=AT).ref
    assert store.verify(ref) == []
    with raw.begin() as conn:
        conn.execute(
            text("UPDATE mf_missions SET state = 'in_progress' WHERE id = :m"), {"m": mission_id(ref)}
        )
    assert store.verify(ref) == [
        VerifyFailure(ref, 1, "is missing: the mission is in state 'in_progress' with no history")
    ]
