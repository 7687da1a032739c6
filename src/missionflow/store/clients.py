"""The client book in the database: add, find, list, block and unblock clients."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from missionflow.errors import ConflictError, InvalidValueError, MissionNotFoundError
from missionflow.freelance import ClientRecord, Mission
from missionflow.freelance.client_details import check_client_changes, check_client_identifiers
from missionflow.freelance.records import blocked_matches
from missionflow.store import rows
from missionflow.store.firing import Extra
from missionflow.store.models import ClientRow, MissionRow
from missionflow.store.records import client_ref
from missionflow.store.session import Database, now
from missionflow.workflow import StateKind, load_workflow


def client_record(row: ClientRow) -> ClientRecord:
    """A stored client as the library hands it back."""
    return ClientRecord(
        ref=client_ref(row.id),
        name=row.name,
        email=row.email,
        company=row.company,
        business=row.business,
        blocked=row.blocked,
        blocked_reason=row.blocked_reason,
        created_at=row.created_at,
        address=tuple(line for line in (row.address or "").splitlines() if line.strip()),
        postcode=row.postcode or "",
        city=row.city or "",
        country=row.country or "FR",
        siren=row.siren or "",
        siret=row.siret or "",
        vat_number=row.vat_number or "",
        contact=row.contact or "",
        phone=row.phone or "",
        language=row.language or "fr",
    )


def _apply_details(row: ClientRow, details: Mapping[str, object]) -> None:
    """Set checked client fields on the row (the legal name is kept as ``company``)."""
    for field, value in details.items():
        if field == "address":
            row.address = "\n".join(value) if isinstance(value, tuple) else str(value)
        elif field == "legal_name":
            row.company = str(value)
        else:
            setattr(row, field, value)
    check_client_identifiers(row.siren or "", row.siret or "")


def apply_block(session: Session, row: ClientRow, blocked: bool, reason: str) -> None:
    """Block or unblock a client in the current transaction.

    Guards read the client: every mission of theirs changes version, so a fire that read the old
    client loses its optimistic check instead of acting on stale facts.
    """
    row.blocked = blocked
    row.blocked_reason = reason
    row.updated_at = now()
    session.execute(
        update(MissionRow)
        .where(MissionRow.client_id == row.id)
        .values(version=MissionRow.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()


class ClientBook:
    """The clients of the freelancer."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        name: str,
        *,
        email: str = "",
        company: str = "",
        business: bool = True,
        force: bool = False,
        **details: object,
    ) -> ClientRecord:
        """Record a new client; its reference ("C-1", "C-2"...) is what a person types afterwards.

        ``details`` are the other fields of the client book (see ``client_details.CLIENT_FIELDS``).
        A client whose name, company or email matches a blocked client is refused (ConflictError
        naming the blocked one), unless ``force`` says it is someone else (R11)."""
        if not name.strip():
            raise InvalidValueError("name", "a client needs a name")
        checked = check_client_changes({"email": email, "legal_name": company, **details})
        moment = now()
        with self.db.writing() as session:
            if not force:
                blocked = session.scalars(
                    select(ClientRow).where(ClientRow.blocked.is_(True)).order_by(ClientRow.id)
                )
                matches = blocked_matches(
                    [client_record(row) for row in blocked], name=name, email=email, company=company
                )
                if matches:
                    named = "; ".join(
                        f"{c.ref} {c.name}" + (f" (blocked: {c.blocked_reason})" if c.blocked_reason else "")
                        for c in matches
                    )
                    raise ConflictError(
                        "client",
                        f"{name.strip()} matches a blocked client: {named}; add it anyway only if it is "
                        "someone else (--force)",
                    )
            row = ClientRow(
                name=name.strip(),
                email="",
                company="",
                business=business,
                blocked=False,
                blocked_reason="",
                created_at=moment,
                updated_at=moment,
                address="",
                postcode="",
                city="",
                country="FR",
                siren="",
                siret="",
                vat_number="",
                contact="",
                phone="",
                language="fr",
            )
            _apply_details(row, checked)
            session.add(row)
            session.flush()
            return client_record(row)

    def edit(self, ref: str, **changes: object) -> ClientRecord:
        """Change some fields of a client; documents issued before keep what they stated.

        Guards read the client (its name, whether a business): every mission of theirs changes
        version, so a fire that read the old client loses its optimistic check.
        """
        checked = check_client_changes(changes)
        with self.db.writing() as session:
            row = rows.client_row(session, ref)
            _apply_details(row, checked)
            row.updated_at = now()
            session.execute(
                update(MissionRow)
                .where(MissionRow.client_id == row.id)
                .values(version=MissionRow.version + 1)
                .execution_options(synchronize_session=False)
            )
            session.flush()
            return client_record(row)

    def get(self, ref: str) -> ClientRecord:
        """The client with this reference; ClientNotFoundError when there is none."""
        with self.db.reading() as session:
            return client_record(rows.client_row(session, ref))

    def list_all(self) -> list[ClientRecord]:
        """Every client, by name."""
        with self.db.reading() as session:
            found = session.scalars(select(ClientRow).order_by(ClientRow.name, ClientRow.id))
            return [client_record(row) for row in found]

    def set_blocked(self, ref: str, blocked: bool, reason: str = "") -> ClientRecord:
        """Block a client (R11: new leads from them cannot be qualified or accepted), or lift it."""
        if blocked and not reason.strip():
            raise InvalidValueError("reason", "say why the client is blocked")
        with self.db.writing() as session:
            row = rows.client_row(session, ref)
            apply_block(session, row, blocked, reason.strip() if blocked else "")
            return client_record(row)

    @staticmethod
    def block_with_exit(ref: str, trigger: str, note: str) -> Extra:
        """What blocks the mission's client in the transaction of a way out (R11): refused for a
        trigger that does not lead to an exit state, and a refused trigger blocks nobody."""

        def only_an_exit(mission: Mission) -> None:
            definition = load_workflow(mission.workflow, mission.workflow_version)
            transition = definition.transition(mission.state, trigger)
            if (
                transition is not None
                and definition.state(transition.dest_from(mission.state)).kind is not StateKind.EXIT
            ):
                raise InvalidValueError(
                    "block_client", f"only a way out (decline, terminate) blocks the client, not {trigger!r}"
                )

        def block(session: Session, mission_id: int) -> None:
            row = session.get(MissionRow, mission_id)
            client = session.get(ClientRow, row.client_id) if row is not None else None
            if client is None:  # pragma: no cover - foreign keys guarantee both
                raise MissionNotFoundError(ref)
            apply_block(session, client, True, note.strip() or f"{trigger} of {ref}")

        return Extra(prepare=only_an_exit, write=block)
