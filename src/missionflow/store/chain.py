"""The tamper-evident history chain: how an entry is hashed and how a mission's chain is checked.

Each entry's hash covers its content, the mission's reference, its position and the hash of
the entry before it, so editing, deleting, inserting or reordering rows breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from missionflow.workflow import TransitionRecord

GENESIS = "0" * 64
"""The ``prev_hash`` of a mission's first entry."""


@dataclass(frozen=True)
class HistoryEntry:
    """One stored history entry: its place in the chain, what happened, and the chain's hashes."""

    position: int
    record: TransitionRecord
    hash: str
    prev_hash: str


@dataclass(frozen=True)
class VerifyFailure:
    """A problem ``verify`` found: the first entry of a mission's history that does not verify, or
    a row or ledger entry that does not match (``what`` names it), and what is wrong with it.

    >>> print(VerifyFailure("M-1", 3, "does not match its hash (its content was edited)"))
    mission M-1: history entry #3 does not match its hash (its content was edited)
    >>> print(VerifyFailure("", 12, "does not match its MAC", what="ledger entry #12"))
    ledger entry #12 does not match its MAC
    """

    mission: str
    """The mission the problem is about ("" when it is about the ledger or the whole book)."""
    position: int
    """The history entry's position, or the ledger entry's sequence number (0 when neither)."""
    problem: str
    what: str = ""
    """What is named, when it is not the mission's history entry at ``position``."""

    def __str__(self) -> str:
        named = self.what or f"history entry #{self.position}"
        return (
            f"mission {self.mission}: {named} {self.problem}" if self.mission else f"{named} {self.problem}"
        )


def canonical_time(moment: datetime) -> str:
    """A datetime as the chain hashes it: UTC, ISO 8601, to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(mission: str, position: int, record: TransitionRecord, prev_hash: str) -> str:
    """The sha256 of the canonical JSON of an entry, its mission, its position and the previous hash.

    >>> from datetime import datetime, UTC
    >>> from missionflow import TransitionRecord
    >>> record = TransitionRecord("qualify", "lead", "criteria_check", "me", datetime(2026, 1, 5, tzinfo=UTC))
    >>> len(entry_hash("M-1", 1, record, GENESIS))
    64
    """
    content = {
        "mission": mission,
        "position": position,
        "trigger": record.trigger,
        "source": record.source,
        "dest": record.dest,
        "actor": record.actor,
        "at": canonical_time(record.at),
        "note": record.note,
        "data": dict(record.data),
        "guards": list(record.guards),
        "out_of_hours": record.out_of_hours,
        "prev_hash": prev_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MissionChain:
    """What the mission row says about its history: where it must end."""

    ref: str
    state: str
    initial: str | None
    length: int
    head: str


def verify_chain(mission: MissionChain, entries: Iterable[HistoryEntry]) -> VerifyFailure | None:
    """The first entry that does not verify (None when the whole chain is sound).

    Checks, entry by entry: contiguous positions from 1, the link to the previous entry's hash,
    the entry's own hash, and that it starts where the previous one ended; then that the chain
    ends where the mission row says (its length, its last hash, the mission's current state).
    """
    expected_position = 1
    previous_hash = GENESIS
    previous_dest = mission.initial
    for entry in entries:
        position = entry.position
        if position != expected_position:
            if position > expected_position:
                return _fail(mission, expected_position, "is missing (deleted, or positions renumbered)")
            return _fail(mission, position, f"appears out of order after #{expected_position - 1}")
        if entry.prev_hash != previous_hash:
            return _fail(
                mission, position, "does not follow the previous entry (inserted, deleted or reordered)"
            )
        if entry_hash(mission.ref, position, entry.record, entry.prev_hash) != entry.hash:
            return _fail(mission, position, "does not match its hash (its content was edited)")
        record = entry.record
        if previous_dest is not None and record.source != previous_dest:
            return _fail(
                mission, position, f"starts from {record.source!r} but the mission was in {previous_dest!r}"
            )
        previous_hash = entry.hash
        previous_dest = record.dest
        expected_position += 1
    count = expected_position - 1
    if count != mission.length or previous_hash != (mission.head or GENESIS):
        if count < mission.length:
            return _fail(mission, count + 1, f"is missing: the mission records {mission.length} entries")
        return _fail(
            mission, max(count, 1), f"does not match the mission's record of {mission.length} entries"
        )
    if count == 0 and previous_dest is not None and previous_dest != mission.state:
        return _fail(mission, 1, f"is missing: the mission is in state {mission.state!r} with no history")
    if previous_dest is not None and previous_dest != mission.state:
        return _fail(
            mission, max(count, 1), f"ends in {previous_dest!r} but the mission is in state {mission.state!r}"
        )
    return None


def _fail(mission: MissionChain, position: int, problem: str) -> VerifyFailure:
    return VerifyFailure(mission.ref, position, problem)
