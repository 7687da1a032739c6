"""The history chain in the database: the one place an entry is appended (by a fire, or by
``tick``'s reminders) and noted in the ledger, the entries read back, and every chain verified.

Rows are read back tolerantly: an entry that cannot be read (a time that is not one, JSON that
does not parse) is named, never a crash."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Integer, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from missionflow.errors import (
    ConcurrentUpdateError,
    HistoryTamperedError,
    StorageError,
    WorkflowDefinitionError,
    WorkflowNotFoundError,
)
from missionflow.store import ledger, rows
from missionflow.store.chain import (
    GENESIS,
    HistoryEntry,
    MissionChain,
    VerifyFailure,
    entry_hash,
    verify_chain,
)
from missionflow.store.ledger_cover import HISTORY, Malformed, read_table
from missionflow.store.limits import check_values
from missionflow.store.models import Base, HistoryRow, MissionRow
from missionflow.store.records import mission_ref
from missionflow.store.session import now
from missionflow.workflow import TransitionRecord

if TYPE_CHECKING:
    from missionflow.store.facts import MissionRead

_HISTORY = Base.metadata.tables[str(HistoryRow.__tablename__)]
_MISSIONS = Base.metadata.tables[str(MissionRow.__tablename__)]
_CHAIN_COLUMNS = ("id", "ref", "workflow", "workflow_version", "state", "history_length", "history_head")
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
    its chain (hashed with ``ref``, the subject's reference: ``M-<id>`` when None), if the mission's
    version is still ``seen_version``; False (nothing written) when another writer changed it since
    it was read. DuplicateKey when the idempotency key is taken; the entry is noted in the ledger.

    The mission's new version, chain length and head are written with it, so that the row always
    says where its chain ends (``verify`` checks both agree)."""
    ref = ref if ref is not None else mission_ref(mission_id)
    check_values(
        _HISTORY,
        {
            "trigger": record.trigger,
            "source": record.source,
            "dest": record.dest,
            "actor": record.actor,
            "note": record.note,
            "data": record.data,
            "idempotency_key": idempotency_key,
        },
    )
    digest = entry_hash(ref, position, record, prev_hash)
    if not _advance(connection, mission_id, seen_version, record.dest, position, digest, updated_at):
        return False
    try:
        values = _append_history(connection, mission_id, position, record, idempotency_key, prev_hash, digest)
    except IntegrityError:
        raise DuplicateKey from None
    ledger.note_written(connection, HISTORY, values)
    return True


def append_after(connection: Connection, row: MissionRead, record: TransitionRecord) -> None:
    """Append ``record`` after the last entry of a subject whose row the caller read with it locked
    (an e-mail sent, a workflow migration): nobody can have moved it since."""
    if not append_entry(
        connection,
        mission_id=row.id,
        seen_version=row.version,
        position=row.history_length + 1,
        prev_hash=row.history_head or GENESIS,
        record=record,
        updated_at=now(),
        ref=row.display_ref,
    ):  # pragma: no cover - the row is locked
        raise ConcurrentUpdateError(row.display_ref)


def _record(values: Mapping[str, object]) -> TransitionRecord | str:
    """A history row read tolerantly as the record the engine wrote, or what makes it unreadable."""
    broken = [str(v) for v in values.values() if isinstance(v, Malformed)]
    if broken:
        return "; ".join(broken)
    data, guards, at = values["data"], values["guards"], values["at"]
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return "data is not a JSON object of texts"
    if not isinstance(guards, list) or not all(isinstance(g, str) for g in guards):
        return "guards is not a JSON list of names"
    if not isinstance(at, datetime):
        return "at is empty"
    return TransitionRecord(
        trigger=str(values["trigger"]),
        source=str(values["source"]),
        dest=str(values["dest"]),
        actor=str(values["actor"]),
        at=at,
        note=str(values["note"]),
        data=data,
        guards=tuple(guards),
        out_of_hours=bool(values["out_of_hours"]),
    )


def _entries(connection: Connection, mission_id: int | None) -> Iterator[tuple[int, int, HistoryEntry | str]]:
    """(mission id, position, entry or why it cannot be read) of every history row, in order."""
    where = {"mission_id": mission_id} if mission_id is not None else None
    for values in read_table(connection, _HISTORY, order=["mission_id", "position"], where=where):
        owner, position = values["mission_id"], values["position"]
        if not isinstance(owner, int) or not isinstance(position, int):
            continue  # a row without a mission or a position is named by the ledger's check
        record = _record(values)
        if isinstance(record, str):
            yield owner, position, record
        else:
            yield (
                owner,
                position,
                HistoryEntry(position, record, str(values["hash"]), str(values["prev_hash"])),
            )


def entries(session: Session, mission_id: int, ref: str | None = None) -> list[HistoryEntry]:
    """The mission's history entries, oldest first, with their chain hashes; HistoryTamperedError
    naming the first entry that cannot be read (``ref``: the subject's reference, for the message)."""
    found = []
    for _, position, entry in _entries(session.connection(), mission_id):
        if isinstance(entry, str):
            failure = VerifyFailure(ref or mission_ref(mission_id), position, f"cannot be read: {entry}")
            raise HistoryTamperedError([failure])
        found.append(entry)
    return found


def verify(connection: Connection, mission_id: int | None = None) -> list[VerifyFailure]:
    """The first bad entry of each mission's chain (one mission, or all): edited, deleted, inserted,
    reordered or unreadable rows, or a history that does not lead to the mission's state."""
    where = {"id": mission_id} if mission_id is not None else None
    missions = list(read_table(connection, _MISSIONS, _CHAIN_COLUMNS, order=["id"], where=where))
    found: dict[int, list[HistoryEntry]] = {}
    unreadable: dict[int, VerifyFailure] = {}
    refs = {
        m["id"]: str(m["ref"]) if isinstance(m.get("ref"), str) else mission_ref(m["id"])
        for m in missions
        if isinstance(m["id"], int)
    }
    for owner, position, entry in _entries(connection, mission_id):
        if isinstance(entry, str):
            unreadable.setdefault(
                owner,
                VerifyFailure(refs.get(owner, mission_ref(owner)), position, f"cannot be read: {entry}"),
            )
        else:
            found.setdefault(owner, []).append(entry)
    initials: dict[tuple[str, int], str | None] = {}
    failures = []
    for mission in missions:
        broken = [str(v) for v in mission.values() if isinstance(v, Malformed)]
        ref = refs[mission["id"]] if isinstance(mission["id"], int) else str(mission["id"])
        if broken:
            failures.append(VerifyFailure(ref, 0, f"cannot be read: {'; '.join(broken)}", what="its row"))
            continue
        assert isinstance(mission["id"], int)
        if mission["id"] in unreadable:
            failures.append(unreadable[mission["id"]])
            continue
        key = (str(mission["workflow"]), int(str(mission["workflow_version"])))
        if key not in initials:
            try:
                initials[key] = rows.definition(connection, *key).initial
            except (WorkflowNotFoundError, WorkflowDefinitionError, StorageError):
                initials[key] = None
        chain = MissionChain(
            ref=ref,
            state=str(mission["state"]),
            initial=initials[key],
            length=int(str(mission["history_length"])),
            head=str(mission["history_head"]),
        )
        failure = verify_chain(chain, found.get(mission["id"], []))
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
) -> dict[str, object]:
    """Insert the history entry of a fired transition and return the values written (raises
    IntegrityError on a duplicate key)."""
    values: dict[str, object] = {
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
    }
    connection.execute(_APPEND, values)
    return values
