"""Missions in the database: opened under a workflow version, read whole, listed and counted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from missionflow.errors import InvalidValueError
from missionflow.freelance import DEFAULT_WORKFLOW, Mission
from missionflow.money import Money, check_currency
from missionflow.store import ledger, rows, timers
from missionflow.store.chain import GENESIS
from missionflow.store.ledger_cover import MISSION
from missionflow.store.models import ClientRow, MissionRow, WorkflowVersionRow
from missionflow.store.records import MissionSummary, client_ref, mission_ref, workflow_source_text
from missionflow.store.session import Database, utc
from missionflow.workflow import WorkflowDefinition, compile_workflow, load_workflow


def keep_workflow(session: Session, definition: WorkflowDefinition, moment: datetime) -> None:
    """Store the text of the workflow version a mission starts under, once: its rules stay loadable
    when the file changes or the process does not know it."""
    key = (definition.name, definition.version)
    if session.get(WorkflowVersionRow, key) is not None:
        return
    text = workflow_source_text(definition)
    values = {"name": key[0], "version": key[1], "source_text": text, "registered_at": moment}
    rows.insert_if_absent(session, WorkflowVersionRow, values)


class MissionBook:
    """The missions of the freelancer."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        client: str | None,
        title: str,
        *,
        workflow: str = DEFAULT_WORKFLOW,
        version: int | None = None,
        amount: Money | None = None,
        currency: str | None = None,
        deposit_percent: Decimal | None = None,
        included_revisions: int | None = None,
        deadline: date | None = None,
        sessions_planned: int = 0,
        at: datetime | None = None,
    ) -> Mission:
        """Open a new mission for a client in its workflow's initial state (defaults from the settings).

        ``client`` may be None only when no guard of the workflow reads the client.

        The mission keeps the workflow's name and version (the newest unless ``version`` names
        another), and the database keeps that version's text, so the mission's rules stay the
        same when the workflow file changes later (``migrate_missions`` moves it on).
        """
        if not title.strip():
            raise InvalidValueError("title", "a mission needs a title")
        definition = load_workflow(workflow, version)
        if client is None and compile_workflow(definition).reads_fact("client"):
            raise InvalidValueError(
                "client", f"the guards of workflow {definition.name} read the client: give one (C-<number>)"
            )
        moment = utc(at if at is not None else self.db.clock())
        if moment > self.db.clock() + timedelta(days=1):
            raise InvalidValueError(
                "at", f"{moment.isoformat()} is in the future: open the mission when it comes"
            )
        if sessions_planned < 0:
            raise InvalidValueError("sessions_planned", f"{sessions_planned} is negative")
        if included_revisions is not None and included_revisions < 0:
            raise InvalidValueError("included_revisions", f"{included_revisions} is negative")
        if deposit_percent is not None and not (0 <= deposit_percent <= 100):
            raise InvalidValueError("deposit_percent", f"{deposit_percent} is not between 0 and 100")
        if amount is not None:
            rows.not_negative("amount", amount)
        with self.db.writing() as session:
            settings = rows.settings(session)
            code = check_currency(currency or (amount.currency if amount is not None else settings.currency))
            opened_on = moment.astimezone(ZoneInfo(settings.timezone)).date()
            if deadline is not None and deadline < opened_on:
                raise InvalidValueError(
                    "deadline",
                    f"{deadline.isoformat()} has already passed (the mission opens on {opened_on.isoformat()})",
                )
            if amount is not None:
                rows.same_currency("amount", amount, code)
            client_id = rows.client_row(session, client).id if client is not None else None
            keep_workflow(session, definition, moment)
            row = MissionRow(
                client_id=client_id,
                title=title.strip(),
                workflow=definition.name,
                workflow_version=definition.version,
                state=definition.initial,
                currency=code,
                amount_cents=amount.amount if amount is not None else None,
                deposit_percent=deposit_percent if deposit_percent is not None else settings.deposit_percent,
                included_revisions=(
                    included_revisions if included_revisions is not None else settings.included_revisions
                ),
                extra_revisions=0,
                sessions_planned=sessions_planned,
                deadline=deadline,
                rush_surcharge_cents=None,
                history_length=0,
                history_head=GENESIS,
                version=0,
                created_at=moment,
                updated_at=moment,
            )
            session.add(row)
            session.flush()
            ledger.note(session, MISSION, {"id": row.id})
            if definition.timed_from(definition.initial):
                timers.reschedule(session.connection(), definition, row.id, moment, created_at=moment)
            return rows.snapshot(session, row)

    def get(self, ref: str) -> Mission:
        """The whole mission: its terms, the records guards read and its history."""
        with self.db.reading() as session:
            return rows.snapshot(session, rows.mission_row(session, ref))

    def get_many(self, *, state: str | None = None, client: str | None = None) -> list[Mission]:
        """Every mission in full, by reference, read in one transaction so that reports add up;
        optionally only one state's or one client's."""
        query = select(MissionRow).where(MissionRow.currency.is_not(None)).order_by(MissionRow.id)
        with self.db.reading() as session:
            if client is not None:
                query = query.where(MissionRow.client_id == rows.client_row(session, client).id)
            if state is not None:
                query = query.where(MissionRow.state == state)
            return [rows.snapshot(session, row) for row in session.scalars(query)]

    def list_all(
        self,
        *,
        state: str | None = None,
        client: str | None = None,
        workflow: str | None = None,
        limit: int | None = None,
    ) -> list[MissionSummary]:
        """Missions, most recently updated first, optionally of one state, client or workflow."""
        # Columns, not entities: a listing maps no ORM object (that was most of its time).
        query = (
            select(
                MissionRow.id,
                MissionRow.title,
                MissionRow.workflow,
                MissionRow.workflow_version,
                MissionRow.state,
                MissionRow.updated_at,
                MissionRow.version,
                MissionRow.created_at,
                ClientRow.id.label("client_id"),
                ClientRow.name.label("client_name"),
            )
            .outerjoin(ClientRow, ClientRow.id == MissionRow.client_id)
            .where(MissionRow.currency.is_not(None))
        )
        with self.db.reading() as session:
            if client is not None:
                query = query.where(MissionRow.client_id == rows.client_row(session, client).id)
            if state is not None:
                query = query.where(MissionRow.state == state)
            if workflow is not None:
                query = query.where(MissionRow.workflow == workflow)
            query = query.order_by(MissionRow.updated_at.desc(), MissionRow.id.desc())
            if limit is not None:
                query = query.limit(max(limit, 0))
            return [
                MissionSummary(
                    ref=mission_ref(m.id),
                    title=m.title,
                    client_ref=client_ref(m.client_id) if m.client_id is not None else "",
                    client_name=m.client_name if m.client_id is not None else "",
                    workflow=m.workflow,
                    workflow_version=m.workflow_version,
                    state=m.state,
                    updated_at=m.updated_at,
                    version=m.version,
                    created_at=m.created_at,
                )
                for m in session.execute(query)
            ]

    def count_by_state(self) -> dict[str, int]:
        """How many missions are in each state (states with none are left out)."""
        with self.db.reading() as session:
            found = session.execute(
                select(MissionRow.state, func.count())
                .where(MissionRow.currency.is_not(None))
                .group_by(MissionRow.state)
                .order_by(MissionRow.state)
            )
            return dict(found.all())
