"""The store's hot path in SQLAlchemy Core: a mission's row, client and settings in one query, then
only the facts (guards.FACTS) asked for, and the two writes of a fire. No ORM entity is built, and
each statement is built once with bound parameters, so SQLAlchemy compiles it once per process."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Table,
    Text,
    bindparam,
    cast,
    select,
)

from missionflow.freelance import (
    Client,
    CriterionAnswer,
    Deliverable,
    Mission,
    PaymentDue,
    Settings,
    Specification,
)
from missionflow.money import Money
from missionflow.store.models import (
    Base,
    ClientRow,
    CriterionAnswerRow,
    DeliverableRow,
    HistoryRow,
    MissionRow,
    SettingsRow,
    SpecificationRow,
)
from missionflow.store.money_facts import load_amendments, load_contract, load_invoices, load_payments
from missionflow.store.records import client_ref, mission_ref, price_of, settings_from_json
from missionflow.workflow import TransitionRecord

SETTINGS_ID = 1
"""The one row of ``mf_settings``."""


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[str(model.__tablename__)]


_MISSIONS = _table(MissionRow)
_CLIENTS = _table(ClientRow)
_SETTINGS = _table(SettingsRow)
_ANSWERS = _table(CriterionAnswerRow)
_SPECIFICATIONS = _table(SpecificationRow)
_DELIVERABLES = _table(DeliverableRow)
_HISTORY = _table(HistoryRow)

AnyRow = Row[*tuple[Any, ...]]
"""A result row of any shape (columns are read by name)."""

_MISSION_ID = bindparam("mission_id", type_=Integer)


class MissionRead(NamedTuple):
    """A subject's row as a fire reads it, with its client's columns and the settings' stored text
    (the trade's columns are None on a subject of another domain; the client's without a client)."""

    id: int
    ref: str | None
    title: str
    workflow: str
    workflow_version: int
    state: str
    currency: str | None
    amount_cents: Decimal | None
    deposit_percent: Decimal | None
    included_revisions: int | None
    extra_revisions: int | None
    sessions_planned: int | None
    deadline: date | None
    rush_surcharge_cents: Decimal | None
    history_length: int
    history_head: str
    version: int
    client_id: int | None
    client_name: str | None
    client_business: bool | None
    client_blocked: bool | None
    client_blocked_reason: str | None
    settings_text: str | None
    created_at: datetime
    last_at: datetime | None
    """When the last step of the history was recorded (None before the first)."""

    @property
    def is_mission(self) -> bool:
        """True for a freelance mission, False for a subject of another domain."""
        return self.currency is not None

    @property
    def display_ref(self) -> str:
        """The reference people use: the application's, else ``M-<id>``."""
        return self.ref if self.ref is not None else mission_ref(self.id)


def _mission_column(name: str) -> ColumnElement[Any]:
    if name == "last_at":
        # One row by the unique (mission_id, position) index: the last entry's time.
        return (
            select(_HISTORY.c.at)
            .where(_HISTORY.c.mission_id == _MISSIONS.c.id, _HISTORY.c.position == _MISSIONS.c.history_length)
            .scalar_subquery()
            .label(name)
        )
    if name == "settings_text":
        # As text, parsed only when it changed (see settings_of): PostgreSQL's driver would parse JSON.
        return cast(_SETTINGS.c.data, Text).label(name)
    if name.startswith("client_"):
        return _CLIENTS.c[name.removeprefix("client_")].label(name)
    return _MISSIONS.c[name]


_MISSION = (
    select(*(_mission_column(name) for name in MissionRead._fields))
    .select_from(
        _MISSIONS.outerjoin(_CLIENTS, _CLIENTS.c.id == _MISSIONS.c.client_id).outerjoin(
            _SETTINGS, _SETTINGS.c.id == bindparam("settings_id", SETTINGS_ID)
        )
    )
    .where(_MISSIONS.c.id == _MISSION_ID)
)
_ANSWERS_OF = (
    select(_ANSWERS.c.criterion, _ANSWERS.c.met, _ANSWERS.c.note)
    .where(_ANSWERS.c.mission_id == _MISSION_ID)
    .order_by(_ANSWERS.c.id)
)
_SPECIFICATION_OF = (
    select(
        _SPECIFICATIONS.c.objectives,
        _SPECIFICATIONS.c.deadline,
        _SPECIFICATIONS.c.budget_cents,
        _SPECIFICATIONS.c.budget_currency,
        _SPECIFICATIONS.c.acceptance,
        *(
            _DELIVERABLES.c[name]
            for name in ("name", "kind", "quantity", "unit", "unit_price_cents", "vat_rate")
        ),
    )
    .select_from(
        _SPECIFICATIONS.outerjoin(_DELIVERABLES, _DELIVERABLES.c.mission_id == _SPECIFICATIONS.c.mission_id)
    )
    .where(_SPECIFICATIONS.c.mission_id == _MISSION_ID)
    .order_by(_DELIVERABLES.c.position)
)
_RECORD_COLUMNS = (
    _HISTORY.c.trigger,
    _HISTORY.c.source,
    _HISTORY.c.dest,
    _HISTORY.c.actor,
    _HISTORY.c.at,
    _HISTORY.c.note,
    _HISTORY.c.data,
    _HISTORY.c.guards,
    _HISTORY.c.out_of_hours,
)
_HISTORY_OF = (
    select(*_RECORD_COLUMNS).where(_HISTORY.c.mission_id == _MISSION_ID).order_by(_HISTORY.c.position)
)
_BY_KEY = select(*_RECORD_COLUMNS).where(
    _HISTORY.c.mission_id == _MISSION_ID, _HISTORY.c.idempotency_key == bindparam("key")
)
_parsed_settings: tuple[str | None, Settings] = (None, Settings())


def read_mission(connection: Connection, mission_id: int) -> MissionRead | None:
    """The subject's row with its client's columns and the settings' text, or None."""
    # first(): the id is the primary key, there is no second row to look for
    row = connection.execute(_MISSION, {"mission_id": mission_id}).first()
    return MissionRead._make(row) if row is not None else None


def settings_of(row: MissionRead) -> Settings:
    """The settings read with the mission: parsed again only when their stored text changed, so
    settings saved by another process are seen by the next fire."""
    global _parsed_settings
    text = row.settings_text
    cached_text, cached = _parsed_settings
    if text == cached_text:
        return cached
    settings = Settings() if text is None else settings_from_json(dict(json.loads(text)))
    _parsed_settings = (text, settings)
    return settings


def build_mission(connection: Connection, row: MissionRead, facts: Collection[str]) -> Mission:
    """The mission of ``row`` with the facts named in ``facts`` read (every one in guards.FACTS for
    the whole mission); the others keep Mission's defaults (no contract, an empty history...)."""
    mission_id = row.id
    currency = row.currency or ""
    return Mission(
        ref=row.display_ref,
        workflow=row.workflow,
        workflow_version=row.workflow_version,
        state=row.state,
        title=row.title,
        client=_client(row),
        currency=currency,
        amount=Money(row.amount_cents, currency) if row.amount_cents is not None else None,
        deposit_percent=row.deposit_percent if row.deposit_percent is not None else Decimal(0),
        included_revisions=row.included_revisions or 0,
        extra_revisions=row.extra_revisions or 0,
        sessions_planned=row.sessions_planned or 0,
        deadline=row.deadline,
        rush_surcharge=(
            Money(row.rush_surcharge_cents, currency) if row.rush_surcharge_cents is not None else None
        ),
        criteria_answers=_answers(connection, mission_id) if "criteria_answers" in facts else {},
        specification=_specification(connection, mission_id, currency) if "specification" in facts else None,
        contract=load_contract(connection, mission_id) if "contract" in facts else None,
        payments=load_payments(connection, mission_id) if "payments" in facts else [],
        invoices=load_invoices(connection, mission_id) if "invoices" in facts else [],
        amendments=load_amendments(connection, mission_id) if "amendments" in facts else [],
        dues=_dues(connection, mission_id) if "dues" in facts else (),
        history=load_history(connection, mission_id) if "history" in facts else [],
        version=row.version,
    )


def _dues(connection: Connection, mission_id: int) -> tuple[PaymentDue, ...]:
    from missionflow.store.dues import load_dues  # reads the accounts, which read rows like this module

    return load_dues(connection, mission_id)


def _client(row: MissionRead) -> Client:
    if row.client_id is None:
        return Client("")
    return Client(
        name=row.client_name or "",
        ref=client_ref(row.client_id),
        business=bool(row.client_business),
        blocked=bool(row.client_blocked),
        blocked_reason=row.client_blocked_reason or "",
    )


def _answers(connection: Connection, mission_id: int) -> dict[str, CriterionAnswer]:
    rows = connection.execute(_ANSWERS_OF, {"mission_id": mission_id})
    return {a.criterion: CriterionAnswer(a.criterion, a.met, a.note) for a in rows}


def _specification(connection: Connection, mission_id: int, currency: str) -> Specification | None:
    rows = connection.execute(_SPECIFICATION_OF, {"mission_id": mission_id}).all()
    if not rows:
        return None
    first = rows[0]
    budget = (
        Money(first.budget_cents, first.budget_currency)
        if first.budget_cents is not None and first.budget_currency
        else None
    )
    return Specification(
        objectives=first.objectives,
        # An outer join: a specification without deliverables comes as one row without a name.
        deliverables=tuple(
            Deliverable(d.name, d.kind, price_of(d, currency)) for d in rows if d.name is not None
        ),
        deadline=first.deadline,
        budget=budget,
        acceptance=first.acceptance,
    )


def record_of(row: AnyRow | HistoryRow) -> TransitionRecord:
    """A history row (Core or ORM) as the record the engine wrote."""
    return TransitionRecord(
        trigger=row.trigger,
        source=row.source,
        dest=row.dest,
        actor=row.actor,
        at=row.at,
        note=row.note,
        data=dict(row.data),
        guards=tuple(row.guards),
        out_of_hours=row.out_of_hours,
    )


def load_history(connection: Connection, mission_id: int) -> list[TransitionRecord]:
    """The mission's history records, oldest first."""
    return [record_of(h) for h in connection.execute(_HISTORY_OF, {"mission_id": mission_id})]


def record_by_key(connection: Connection, mission_id: int, key: str) -> TransitionRecord | None:
    """The record a fire with this idempotency key wrote on the mission, or None."""
    row = connection.execute(_BY_KEY, {"mission_id": mission_id, "key": key}).one_or_none()
    return record_of(row) if row is not None else None
