"""Finding the rows a change is about, inside its transaction, and the checks every write shares:
a mission or client by reference, the settings, a workflow version's rules, a mission in full."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from missionflow.errors import (
    ClientNotFoundError,
    ConflictError,
    InvalidValueError,
    MissionNotFoundError,
    StorageError,
    WorkflowNotFoundError,
)
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import FACTS
from missionflow.money import Money
from missionflow.store import facts, ledger, ledger_cover
from missionflow.store.limits import check_values
from missionflow.store.models import Base, ClientRow, MissionRow, SettingsRow, WorkflowVersionRow
from missionflow.store.records import mission_ref, parse_ref, settings_from_json, settings_to_json
from missionflow.store.session import now, rowcount
from missionflow.workflow import WorkflowDefinition, load_workflow, parse_workflow, register_workflow

SETTINGS_ID = facts.SETTINGS_ID
TOUCHED = "missionflow.touched_missions"
"""The key of ``Session.info`` under which :func:`touch` notes the missions a write changed (their
timers follow before the transaction commits: see :mod:`missionflow.store.timers`)."""


def same_currency(field: str, money: Money, currency: str) -> None:
    """Refuse money in another currency than the mission's."""
    if money.currency != currency:
        raise InvalidValueError(field, f"{money} is not in the mission's currency {currency}")


def not_negative(field: str, money: Money) -> None:
    """Refuse a negative amount."""
    if money.amount < 0:
        raise InvalidValueError(field, f"{money} is negative")


def settings(session: Session) -> Settings:
    """The freelancer's settings (the defaults until some are saved)."""
    row = session.get(SettingsRow, SETTINGS_ID)
    return Settings() if row is None else settings_from_json(dict(row.data))


def save_settings(session: Session, settings: Settings) -> None:
    """Replace the settings in the current write transaction."""
    data = settings_to_json(settings)
    row = session.get(SettingsRow, SETTINGS_ID)
    if row is None:
        session.add(SettingsRow(id=SETTINGS_ID, data=data, updated_at=now()))
    else:
        row.data = data
        row.updated_at = now()
    ledger.note(session, ledger_cover.SETTINGS, {"id": SETTINGS_ID})


def client_row(session: Session, ref: str) -> ClientRow:
    """The client with this reference; ClientNotFoundError when there is none."""
    client_id = parse_ref(ref, "C")
    row = session.get(ClientRow, client_id) if client_id is not None else None
    if row is None:
        raise ClientNotFoundError(ref)
    return row


def mission_row(session: Session, ref: str) -> MissionRow:
    """The freelance mission with this reference: MissionNotFoundError when there is none,
    ConflictError when it is a subject of another domain (it has no terms to read or change)."""
    mission_id = parse_ref(ref, "M")
    row = session.get(MissionRow, mission_id) if mission_id is not None else None
    if row is None or row.ref is not None:
        raise MissionNotFoundError(ref)
    if not row.is_mission:
        raise ConflictError(
            "mission", f"{ref} is a subject of workflow {row.workflow}, not a freelance mission"
        )
    return row


def touch(session: Session, ref: str, **values: object) -> MissionRow:
    """Bump the mission's version (and lock its row) in the current write transaction.

    Every write a guard can see goes through here, so a fire that read the mission before it
    loses its optimistic check instead of acting on stale facts.
    """
    mission_id = parse_ref(ref, "M")
    check_values(MissionRow.__table__, values)
    changed = session.execute(
        update(MissionRow)
        .where(MissionRow.id == (mission_id or 0))
        .values(version=MissionRow.version + 1, updated_at=now(), **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(changed) != 1:
        raise MissionNotFoundError(ref)
    if values:
        # the mission's terms changed (a rush surcharge, an extra round): the ledger covers them
        ledger.note(session, ledger_cover.MISSION, {"id": mission_id})
    session.info.setdefault(TOUCHED, set()).add(mission_id)
    row = session.get(MissionRow, mission_id)
    if row is None or row.ref is not None:  # the caller's transaction rolls the update back
        raise MissionNotFoundError(ref)
    if not row.is_mission:
        raise ConflictError(
            "mission", f"{ref} is a subject of workflow {row.workflow}, not a freelance mission"
        )
    return row


def definition(session: Session | Connection, name: str, version: int) -> WorkflowDefinition:
    """The rules a mission runs under; from the stored text when this process does not know them."""
    try:
        return load_workflow(name, version)
    except WorkflowNotFoundError:
        stored = session.execute(
            select(WorkflowVersionRow.source_text).where(
                WorkflowVersionRow.name == name, WorkflowVersionRow.version == version
            )
        ).scalar_one_or_none()
        if stored is None:
            raise
    found = parse_workflow(stored, f"<database: {name} version {version}>")
    if (found.name, found.version) != (name, version):
        raise StorageError(
            f"the stored text of workflow {name} version {version} describes "
            f"{found.name} version {found.version}"
        )
    return register_workflow(found)


def snapshot(session: Session, row: MissionRow) -> Mission:
    """The whole mission of ``row``, as the session sees it (its pending changes flushed)."""
    definition(session, row.workflow, row.workflow_version)
    session.flush()
    connection = session.connection()
    found = facts.read_mission(connection, row.id)
    if found is None:  # pragma: no cover - the caller holds the row
        raise MissionNotFoundError(mission_ref(row.id))
    return facts.build_mission(connection, found, FACTS)


def insert_if_absent(session: Session, model: type[Base], values: dict[str, object]) -> None:
    """INSERT the row unless its primary key exists: a concurrent writer's row wins, no error.

    The dialect's insert is imported here: importing the PostgreSQL dialect costs a SQLite
    user's every command ~30 ms.
    """
    check_values(model.__table__, values)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(model).values(values).on_conflict_do_nothing())
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        session.execute(postgresql_insert(model).values(values).on_conflict_do_nothing())
    else:
        key = tuple(values[column.key] for column in model.__table__.primary_key)
        if session.get(model, key) is None:
            session.execute(insert(model).values(values))
