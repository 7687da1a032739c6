"""Reading the record back and proving it was not tampered with: a mission's history, ``verify``
(the history chains, the ledger and every row it covers, from an anchor kept elsewhere), the
ledger's current anchor, and the rotation of its key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import Connection, select

from missionflow.errors import ConflictError, HistoryTamperedError, MissionNotFoundError
from missionflow.store import history, ledger
from missionflow.store.chain import HistoryEntry, VerifyFailure
from missionflow.store.database import translated
from missionflow.store.ledger import Anchor
from missionflow.store.ledger_verify import verify_ledger
from missionflow.store.models import MissionRow
from missionflow.store.records import mission_ref
from missionflow.store.session import Database, unreadable
from missionflow.store.subjects import subject_id


class Audit:
    """The history, the ledger and their verification."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction that sees one moment of the database on both databases (PostgreSQL's
        default isolation would let a writer move the head between two reads of ``verify``)."""
        engine = self.db.engine
        options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        with (
            translated(self.db.url),
            unreadable(self.db.url_for_display),
            engine.connect().execution_options(**options) as connection,
            connection.begin(),
        ):
            yield connection

    def history(self, ref: str) -> list[HistoryEntry]:
        """The subject's history entries, oldest first, with their chain hashes (HistoryTamperedError
        naming an entry that cannot be read)."""
        with self.db.reading() as session:
            return history.entries(session, _id(session.connection(), ref), ref)

    def verify(self, ref: str | None = None, *, since: str | Anchor | None = None) -> list[VerifyFailure]:
        """Every problem found (empty: nothing was tampered with): the history chains of the missions
        (or of one), and the ledger, its head and every row it covers; with ``since``, an anchor
        printed earlier by ``verify --anchor``, also that nothing before it was rewritten."""
        anchor = Anchor.parse(since) if isinstance(since, str) else since
        with self.snapshot() as connection:
            subject = _id(connection, ref) if ref is not None else None
            failures = history.verify(connection, subject)
            found = verify_ledger(connection, self.db.keyring, anchor)
            # the ledger knows subjects by their id ("M-7"); a person by their reference
            refs = {
                mission_ref(int(row.id)): str(row.ref)
                for row in connection.execute(
                    select(MissionRow.id, MissionRow.ref).where(MissionRow.ref.is_not(None))
                )
            }
        found = [replace(f, mission=refs.get(f.mission, f.mission)) for f in found]
        if subject is not None:
            own = {refs.get(mission_ref(subject), mission_ref(subject))}
            found = [f for f in found if f.mission in own or not f.mission]
        return failures + found

    def check(self, ref: str | None = None) -> None:
        """Raise HistoryTamperedError naming every problem :meth:`verify` finds."""
        failures = self.verify(ref)
        if failures:
            raise HistoryTamperedError(failures)

    def anchor(self) -> Anchor | None:
        """The ledger's head now, to keep elsewhere (None before the ledger exists)."""
        with self.db.read_connection() as connection:
            return ledger.current_anchor(connection)

    def rotate_key(self) -> Anchor:
        """Seal from now on with the newest key of the key ring: an entry under it names the key it
        replaces. The ring keeps the old keys, which verify the entries they sealed."""
        keyring = self.db.keyring
        with self.db.write_connection() as connection:
            current = ledger.current_key_id(connection)
            if current == keyring.current_id:
                raise ConflictError(
                    "ledger",
                    f"the ledger is already sealed with the newest key of {keyring.source} ({current}); "
                    "add a new key to the ring first",
                )
            return ledger.rotate(connection, keyring, keyring)


def _id(connection: Connection, ref: str) -> int:
    found = subject_id(connection, ref)
    if found is None:
        raise MissionNotFoundError(ref)
    return found
