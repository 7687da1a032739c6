"""Subjects of any workflow in the database: created under the application's reference (or the
store's own ``M-<id>``), found by reference, read back as :class:`StoredSubject`, listed, and their
version bumped when facts the application keeps change.

A freelance mission is a subject too (with its terms, see ``missions``); a subject of another
domain has no client unless one is given, and its facts live in the application's own tables,
read by the facts provider the application registers (see ``providers``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update

from missionflow.errors import ConflictError, InvalidValueError, MissionNotFoundError
from missionflow.store import facts, ledger, ledger_cover, rows, timers
from missionflow.store.chain import GENESIS
from missionflow.store.missions import keep_workflow
from missionflow.store.models import Base, ClientRow, MissionRow
from missionflow.store.records import MissionSummary, client_ref, mission_ref, parse_ref
from missionflow.store.session import Database, now, utc
from missionflow.workflow import TransitionRecord, load_workflow

MAX_REF = 100
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")
_MISSIONS = Base.metadata.tables["mf_missions"]
_ID_OF_REF = select(_MISSIONS.c.id).where(_MISSIONS.c.ref == bindparam("ref"))


@dataclass
class StoredSubject:
    """A subject of any workflow as the store keeps it: what the engine moves (a Subject), plus
    its title, its client's reference (None: no client) and its ``version``, which every write a
    guard can see bumps (an application bumps it with ``Store.bump_version``).

    Its other facts are the application's: a facts provider gives them to the guards.
    """

    ref: str
    workflow: str
    workflow_version: int
    state: str
    title: str = ""
    client: str | None = None
    history: list[TransitionRecord] = field(default_factory=list)
    version: int = 0


def check_ref(ref: str) -> str:
    """An application's reference, refused when the store could take it for one of its own."""
    if not (0 < len(ref) <= MAX_REF) or _REF.fullmatch(ref) is None:
        raise InvalidValueError(
            "ref",
            f"{ref!r} is not a reference: give 1 to {MAX_REF} letters, digits or . _ : / @ + -, "
            "starting with a letter or digit",
        )
    if parse_ref(ref, "M") is not None:
        raise InvalidValueError("ref", f"{ref!r} looks like the store's own references (M-<number>)")
    return ref


def subject_id(connection: Connection, ref: str) -> int | None:
    """The id of the subject people call ``ref``: ``M-<id>`` (the store's own references), or the
    reference the application gave it; None when there is none."""
    default = parse_ref(ref, "M")
    if default is not None:
        found: int | None = connection.execute(
            select(_MISSIONS.c.id).where(_MISSIONS.c.id == default, _MISSIONS.c.ref.is_(None))
        ).scalar_one_or_none()
        return found
    named: int | None = connection.execute(_ID_OF_REF, {"ref": ref}).scalar_one_or_none()
    return named


def read_subject(connection: Connection, ref: str) -> facts.MissionRead | None:
    """The row of the subject people call ``ref``, or None (one query for ``M-<id>``, the hot path)."""
    default = parse_ref(ref, "M")
    if default is not None:
        row = facts.read_mission(connection, default)
        return row if row is not None and row.ref is None else None
    named: int | None = connection.execute(_ID_OF_REF, {"ref": ref}).scalar_one_or_none()
    return facts.read_mission(connection, named) if named is not None else None


def build_subject(
    connection: Connection, row: facts.MissionRead, needs: Collection[str] | None
) -> StoredSubject:
    """The subject of ``row``; its history is read when ``needs`` names it (or is None: everything)."""
    return StoredSubject(
        ref=row.display_ref,
        workflow=row.workflow,
        workflow_version=row.workflow_version,
        state=row.state,
        title=row.title,
        client=client_ref(row.client_id) if row.client_id is not None else None,
        history=facts.load_history(connection, row.id) if needs is None or "history" in needs else [],
        version=row.version,
    )


def _summary(row: MissionRow, client: ClientRow | None) -> MissionSummary:
    return MissionSummary(
        ref=row.ref if row.ref is not None else mission_ref(row.id),
        title=row.title,
        client_ref=client_ref(client.id) if client is not None else "",
        client_name=client.name if client is not None else "",
        workflow=row.workflow,
        workflow_version=row.workflow_version,
        state=row.state,
        updated_at=row.updated_at,
        version=row.version,
        created_at=row.created_at,
    )


class SubjectBook:
    """The subjects of every workflow."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        workflow: str,
        *,
        ref: str | None = None,
        title: str = "",
        client: str | None = None,
        version: int | None = None,
        at: datetime | None = None,
    ) -> StoredSubject:
        """Open a subject of ``workflow`` (its newest version, or ``version``) in its initial state."""
        definition = load_workflow(workflow, version)
        if ref is not None:
            check_ref(ref)
        if len(title) > 300:
            raise InvalidValueError("title", "give at most 300 characters")
        moment = utc(at if at is not None else self.db.clock())
        if moment > self.db.clock() + timedelta(days=1):
            raise InvalidValueError(
                "at", f"{moment.isoformat()} is in the future: open the subject when it comes"
            )
        with self.db.writing(ref) as session:
            connection = session.connection()
            if ref is not None and subject_id(connection, ref) is not None:
                raise ConflictError("ref", f"a subject called {ref} already exists")
            client_id = rows.client_row(session, client).id if client is not None else None
            keep_workflow(session, definition, moment)
            row = MissionRow(
                ref=ref,
                client_id=client_id,
                title=title.strip(),
                workflow=definition.name,
                workflow_version=definition.version,
                state=definition.initial,
                history_length=0,
                history_head=GENESIS,
                version=0,
                created_at=moment,
                updated_at=moment,
            )
            session.add(row)
            session.flush()
            ledger.note(session, ledger_cover.MISSION, {"id": row.id})
            if definition.timed_from(definition.initial):
                timers.reschedule(connection, definition, row.id, moment, created_at=moment)
            found = facts.read_mission(connection, row.id)
            assert found is not None  # just inserted, in this transaction
            return build_subject(connection, found, ())

    def get(self, ref: str) -> StoredSubject:
        """The subject (a mission too, seen as a subject) with its history."""
        with self.db.read_connection() as connection:
            row = read_subject(connection, ref)
            if row is None:
                raise MissionNotFoundError(ref)
            return build_subject(connection, row, None)

    def bump_version(self, ref: str) -> int:
        """Record that facts the subject's guards read changed (in the application's tables): a fire
        that read the subject before fails with ConcurrentUpdateError instead of deciding on stale
        facts. Returns the new version."""
        with self.db.write_connection(ref) as connection:
            found = subject_id(connection, ref)
            changed = connection.execute(
                update(_MISSIONS)
                .where(_MISSIONS.c.id == (found or 0))
                .values(version=_MISSIONS.c.version + 1, updated_at=now())
                .returning(_MISSIONS.c.version)
            ).scalar_one_or_none()
            if changed is None:
                raise MissionNotFoundError(ref)
            return int(changed)

    def list_all(
        self, *, workflow: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[MissionSummary]:
        """Subjects of every kind, most recently updated first, optionally of one workflow or state."""
        query = select(MissionRow, ClientRow).outerjoin(ClientRow, ClientRow.id == MissionRow.client_id)
        if workflow is not None:
            query = query.where(MissionRow.workflow == workflow)
        if state is not None:
            query = query.where(MissionRow.state == state)
        query = query.order_by(MissionRow.updated_at.desc(), MissionRow.id.desc())
        if limit is not None:
            query = query.limit(max(limit, 0))
        with self.db.reading() as session:
            return [_summary(row, client) for row, client in session.execute(query)]
