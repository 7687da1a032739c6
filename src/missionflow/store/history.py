"""The history chain in the database: the one place an entry is appended (by a fire, or by
``tick``'s reminders), the entries read back, and every chain verified."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import Connection, Integer, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from missionflow.errors import WorkflowNotFoundError
from missionflow.store import facts, rows
from missionflow.store.chain import HistoryEntry, MissionChain, VerifyFailure, entry_hash, verify_chain
from missionflow.store.models import Base, HistoryRow, MissionRow
from missionflow.store.records import mission_ref
from missionflow.workflow import TransitionRecord

_MISSIONS = Base.metadata.tables["mf_missions"]
_HISTORY = Base.metadata.tables["mf_history"]
_MISSION_ID = bindparam("mission_id", type_=Integer)
_ADVANCE = (
    update(_MISSIONS)
    .where(_MISSIONS.c.id == _MISSION_ID, _MISSIONS.c.version == bindparam("seen_version"))
    .values(
        state=bindparam("new_state"),
        version=_MISSIONS.c.version + 1,
        history_length=bindparam("new_length"),
        history_head=bindparam("new_head"),
        updated_at=bindparam("moment"),
    )
)
_APPEND = insert(_HISTORY)


class DuplicateKey(Exception):
    """Another writer recorded the same idempotency key first."""


def append_entry(
    connection: Connection,
    *,
    mission_id: int,
    seen_version: int,
    position: int,
    prev_hash: str,
    record: TransitionRecord,
    updated_at: datetime,
    idempotency_key: str | None = None,
    ref: str | None = None,
) -> bool:
    """Move the mission to the record's destination and append the record as entry ``position`` of
    its chain (hashed with ``ref``, the subject's reference: ``M-<id>`` when None), if the mission's version is still ``seen_version``; False (nothing written) when
    another writer changed it since it was read. DuplicateKey when the idempotency key is taken.

    The mission's new version, chain length and head are written with it, so that the row always
    says where its chain ends (``verify`` checks both agree)."""
    ref = ref if ref is not None else mission_ref(mission_id)
    digest = entry_hash(ref, position, record, prev_hash)
    if not _advance(connection, mission_id, seen_version, record.dest, position, digest, updated_at):
        return False
    try:
        _append_history(connection, mission_id, position, record, idempotency_key, prev_hash, digest)
    except IntegrityError:
        raise DuplicateKey from None
    return True


def entry_of(row: HistoryRow) -> HistoryEntry:
    """A stored row as a chain entry."""
    return HistoryEntry(
        position=row.position, record=facts.record_of(row), hash=row.hash, prev_hash=row.prev_hash
    )


def entries(session: Session, mission_id: int) -> list[HistoryEntry]:
    """The mission's history entries, oldest first, with their chain hashes."""
    found = session.scalars(
        select(HistoryRow).where(HistoryRow.mission_id == mission_id).order_by(HistoryRow.position)
    )
    return [entry_of(h) for h in found]


def verify(session: Session, mission_id: int | None = None) -> list[VerifyFailure]:
    """The first bad entry of each mission's chain (one mission, or all): edited, deleted, inserted
    or reordered rows, or a history that does not lead to the mission's state."""
    initials: dict[tuple[str, int], str | None] = {}
    missions_query = select(MissionRow).order_by(MissionRow.id)
    history_query = select(HistoryRow).order_by(HistoryRow.mission_id, HistoryRow.position)
    if mission_id is not None:
        missions_query = missions_query.where(MissionRow.id == mission_id)
        history_query = history_query.where(HistoryRow.mission_id == mission_id)
    missions = list(session.scalars(missions_query))
    for mission in missions:
        key = (mission.workflow, mission.workflow_version)
        if key not in initials:
            try:
                initials[key] = rows.definition(session, *key).initial
            except WorkflowNotFoundError:
                initials[key] = None
    found = {
        owner: [entry_of(h) for h in group]
        for owner, group in itertools.groupby(session.scalars(history_query), key=lambda h: h.mission_id)
    }
    failures = []
    for mission in missions:
        chain = MissionChain(
            ref=mission.ref if mission.ref is not None else mission_ref(mission.id),
            state=mission.state,
            initial=initials[(mission.workflow, mission.workflow_version)],
            length=mission.history_length,
            head=mission.history_head,
        )
        failure = verify_chain(chain, found.get(mission.id, []))
        if failure is not None:
            failures.append(failure)
    return failures


def _advance(
    connection: Connection,
    mission_id: int,
    seen_version: int,
    dest: str,
    position: int,
    head: str,
    at: datetime,
) -> bool:
    """Move the mission to ``dest`` with its new chain head, if its version is still ``seen_version``;
    False when another writer changed it since it was read."""
    moved = connection.execute(
        _ADVANCE,
        {
            "mission_id": mission_id,
            "seen_version": seen_version,
            "new_state": dest,
            "new_length": position,
            "new_head": head,
            "moment": at,
        },
    )
    return moved.rowcount == 1


def _append_history(
    connection: Connection,
    mission_id: int,
    position: int,
    record: TransitionRecord,
    idempotency_key: str | None,
    prev_hash: str,
    digest: str,
) -> None:
    """Insert the history entry of a fired transition (raises IntegrityError on a duplicate key)."""
    connection.execute(
        _APPEND,
        {
            "mission_id": mission_id,
            "position": position,
            "trigger": record.trigger,
            "source": record.source,
            "dest": record.dest,
            "actor": record.actor,
            "at": record.at,
            "note": record.note,
            "data": dict(record.data),
            "guards": list(record.guards),
            "out_of_hours": record.out_of_hours,
            "idempotency_key": idempotency_key,
            "prev_hash": prev_hash,
            "hash": digest,
        },
    )
