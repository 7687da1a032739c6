"""The tamper-evident ledger: every write of a covered row (history entries, invoices, payments,
contracts, amendments, missions' terms, settings; see ledger_cover) appends an entry in the same
transaction, chained to the entry before it and to its subject's previous entry, and sealed with
an HMAC-SHA256 under a key kept outside the database (ledger_keys).

Writes ``note`` what they changed; the transaction ``seal``s the notes as its last statements, so
the one lock every writer takes (the head row) is held only for the end of a transaction and
never before another lock: no deadlock, a sequence without gaps. The head row holds where the
chain ends, sealed too, so that cutting the tail of the ledger shows; it is checked before every
append, so that a tampered ledger refuses writes instead of sealing over the damage.

An anchor ("SEQ:MAC", the MAC shortened to 32 hex digits) names the head at one moment: printed
on issued invoices and by ``missionflow verify --anchor``, kept elsewhere, it proves later that
nothing before it was rewritten, even by someone who holds the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, inspect, select
from sqlalchemy.orm import Session

from missionflow.errors import HistoryTamperedError, InvalidValueError, LedgerKeyError
from missionflow.store.chain import VerifyFailure
from missionflow.store.ledger_cover import (
    COVERED,
    Coverage,
    Malformed,
    Values,
    canonical_value,
    content_of,
    content_text,
    read_row,
    read_rows,
)
from missionflow.store.ledger_keys import KeyRing
from missionflow.store.ledger_models import HEAD, HEAD_ID, LEDGER
from missionflow.store.ledger_models import HEAD_QUERY as _HEAD_QUERY
from missionflow.store.ledger_models import INSERT_ENTRIES as _INSERT_ENTRIES
from missionflow.store.ledger_models import MOVE_HEAD as _MOVE_HEAD

GENESIS = "0" * 64
"""The ``prev`` of the first entry, and the ``subject_prev`` of a subject's first entry."""
ANCHOR_DIGITS = 32
LEDGER_KIND = "ledger"
"""Entries about the ledger itself: its opening and key rotations."""
_PENDING = "missionflow_ledger_pending"


@dataclass(frozen=True)
class Anchor:
    """The ledger's head at one moment: its sequence number and (the start of) its last MAC.

    >>> str(Anchor(12, "ab" * 32))
    '12:abababababababababababababababab'
    >>> Anchor.parse("12:ABABABABABABABABABABABABABABABAB").seq
    12
    """

    seq: int
    mac: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.mac[:ANCHOR_DIGITS]}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """An anchor as printed by ``verify --anchor`` (InvalidValueError otherwise)."""
        seq_text, sep, mac = text.strip().partition(":")
        mac = mac.strip().lower()
        if (
            not sep
            or not seq_text.isascii()
            or not seq_text.isdigit()
            or len(seq_text) > 9
            or not 8 <= len(mac) <= 64
            or any(c not in "0123456789abcdef" for c in mac)
        ):
            raise InvalidValueError("anchor", "write it as printed by verify --anchor, like 12:9f86d081...")
        return cls(int(seq_text), mac)

    def matches(self, mac: str) -> bool:
        """True when ``mac`` is the MAC this anchor names."""
        return hmac.compare_digest(mac[: len(self.mac)], self.mac)


# --- sealing --------------------------------------------------------------------------------------


def entry_mac(
    key: bytes,
    ledger_id: str,
    seq: int,
    kind: str,
    row_key: str,
    subject: str,
    subject_prev: str,
    prev: str,
    content: str,
    recorded_at: str,
    key_id: str,
) -> str:
    """The HMAC-SHA256 of an entry: every field, in one unambiguous JSON array."""
    fields = [ledger_id, seq, kind, row_key, subject, subject_prev, prev, content, recorded_at, key_id]
    message = json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_mac(key: bytes, ledger_id: str, seq: int, mac: str, key_id: str) -> str:
    """The HMAC of the head: where the chain ends. It is stored nowhere else, so an intruder who
    cuts the tail cannot write the head the shorter chain would have."""
    message = json.dumps(["head", ledger_id, seq, mac, key_id], separators=(",", ":")).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Note:
    """A covered row a transaction wrote: read back at sealing time, or given whole."""

    coverage: Coverage
    key: Mapping[str, object]
    content: Mapping[str, object] | None = None


def note(bind: Session | Connection, coverage: Coverage, values: Values) -> None:
    """Record that the transaction wrote the covered row named by ``values`` (its key columns are
    enough); what it holds is read back when the transaction seals."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    key = {name: values[name] for name in coverage.key}
    connection.info.setdefault(_PENDING, []).append(_Note(coverage, key))


def note_written(connection: Connection, coverage: Coverage, values: Values) -> None:
    """Record a covered row from the exact values just inserted (no read back: the hot path)."""
    content = content_of(coverage, values)
    if isinstance(content, list):  # pragma: no cover - values given by a write are never malformed
        raise InvalidValueError(coverage.kind, "; ".join(str(m) for m in content))
    key = {name: values[name] for name in coverage.key}
    connection.info.setdefault(_PENDING, []).append(_Note(coverage, key, content))


def mark(connection: Connection) -> int:
    """How many notes the transaction holds now (to drop only a failed block's own, see discard)."""
    return len(connection.info.get(_PENDING) or ())


def discard(connection: Connection, since: int = 0) -> None:
    """Forget the notes taken after ``since`` (all by default: the transaction rolled back, or a new
    one starts on the connection)."""
    pending = connection.info.get(_PENDING)
    if pending:
        del pending[since:]


def _head_query(connection: Connection, subject: str) -> tuple[str, int, str, str, str, str | None] | None:
    """The head, locked until the transaction ends, and the subject's last MAC, in one statement."""
    found = connection.execute(_HEAD_QUERY, {"subject": subject}).first()
    if found is None:
        return None
    ledger_id, seq, mac, key_id, sealed, last = found
    return str(ledger_id), int(seq), str(mac), str(key_id), str(sealed), last


def _subject_prev(connection: Connection, subject: str) -> str:
    found = connection.execute(
        select(LEDGER.c.mac).where(LEDGER.c.subject == subject).order_by(LEDGER.c.seq.desc()).limit(1)
    ).scalar()
    return str(found) if found is not None else GENESIS


@dataclass(frozen=True)
class _Pending:
    coverage_kind: str
    row_key: str
    subject: str
    content: str


def _resolve(connection: Connection, pending: list[_Note]) -> list[_Pending]:
    resolved = []
    for item in pending:
        coverage = item.coverage
        content: Mapping[str, object] | list[Malformed] | None = item.content
        values: Values = item.key
        if content is None:
            found = read_row(connection, coverage, item.key)
            if found is not None:
                values = found
                content = content_of(coverage, found)
        if isinstance(content, list):  # pragma: no cover - the transaction just wrote the row
            raise InvalidValueError(coverage.kind, "; ".join(str(m) for m in content))
        resolved.append(
            _Pending(
                coverage.kind,
                coverage.row_key(values),
                coverage.subject(values),
                content_text(content) if content is not None else "null",
            )
        )
    return resolved


def seal(connection: Connection, keyring: KeyRing) -> None:
    """Append what the transaction noted to the ledger, as its last statements."""
    notes: list[_Note] = connection.info.get(_PENDING) or []
    if not notes:
        return
    entries = _resolve(connection, notes)
    discard(connection)
    head = _head_query(connection, entries[0].subject)
    if head is None:
        raise HistoryTamperedError([VerifyFailure("", 0, "is missing", what="the ledger's head")])
    ledger_id, seq, mac, key_id, sealed, first_prev = head
    key = keyring.key(key_id)
    if key is None:
        raise LedgerKeyError(
            f"the ledger is sealed with key {key_id}, which is not in the key ring of {keyring.source}; "
            "nothing was written"
        )
    if not hmac.compare_digest(head_mac(key, ledger_id, seq, mac, key_id), sealed):
        raise HistoryTamperedError(
            [
                VerifyFailure(
                    "",
                    seq,
                    "does not verify: run missionflow verify; nothing was written",
                    what="the ledger's head",
                )
            ]
        )
    known = {entries[0].subject: first_prev or GENESIS}
    append(connection, key, key_id, (ledger_id, seq, mac), entries, known)


def append(
    connection: Connection,
    key: bytes,
    key_id: str,
    head: tuple[str, int, str],
    entries: list[_Pending],
    known_prev: dict[str, str],
) -> tuple[int, str]:
    """Chain and seal ``entries`` after ``head`` (the head row is locked), then move the head."""
    ledger_id, seq, mac = head
    moment = canonical_value(datetime.now(UTC))
    assert isinstance(moment, str)
    recorded_at = datetime.fromisoformat(moment)
    last_of: dict[str, str] = {}
    rows = []
    for entry in entries:
        subject_prev = last_of.get(entry.subject) or known_prev.get(entry.subject)
        if subject_prev is None:
            subject_prev = _subject_prev(connection, entry.subject)
        seq += 1
        new_mac = entry_mac(
            key,
            ledger_id,
            seq,
            entry.coverage_kind,
            entry.row_key,
            entry.subject,
            subject_prev,
            mac,
            entry.content,
            moment,
            key_id,
        )
        rows.append(
            {
                "seq": seq,
                "kind": entry.coverage_kind,
                "row_key": entry.row_key,
                "subject": entry.subject,
                "subject_prev": subject_prev,
                "prev": mac,
                "content": entry.content,
                "recorded_at": recorded_at,
                "key_id": key_id,
                "mac": new_mac,
            }
        )
        mac = new_mac
        last_of[entry.subject] = new_mac
    # One row (a fire's entry) as one execute: a list of one goes the executemany way, slower.
    connection.execute(_INSERT_ENTRIES, rows[0] if len(rows) == 1 else rows)
    connection.execute(
        _MOVE_HEAD,
        {
            "new_seq": seq,
            "new_mac": mac,
            "new_key_id": key_id,
            "new_head_mac": head_mac(key, ledger_id, seq, mac, key_id),
        },
    )
    return seq, mac


def ledger_entry(kind: str, row_key: str, content: Mapping[str, object], subject: str = "") -> _Pending:
    """An entry about the ledger itself (its opening, a key rotation)."""
    return _Pending(kind, row_key, subject, content_text(content))


def current_key_id(connection: Connection) -> str | None:
    """The id of the key the ledger seals with now."""
    found = connection.execute(select(HEAD.c.key_id).where(HEAD.c.id == HEAD_ID)).scalar()
    return str(found) if found is not None else None


def current_anchor(connection: Connection) -> Anchor | None:
    """The committed head (None before the ledger exists), read without locking it."""
    found = connection.execute(select(HEAD.c.seq, HEAD.c.mac).where(HEAD.c.id == HEAD_ID)).first()
    return Anchor(int(found.seq), str(found.mac)) if found is not None else None


# --- opening a ledger on a database (migration 0007) --------------------------------------------


def open_ledger(connection: Connection, keyring: KeyRing) -> int:
    """Create the head and make every covered row of the database the ledger's first entries (one
    per row, after an opening entry that counts them); returns how many rows were adopted."""
    ledger_id = secrets.token_hex(16)
    key, key_id = keyring.current, keyring.current_id
    connection.execute(
        insert(HEAD).values(
            id=HEAD_ID,
            ledger_id=ledger_id,
            seq=0,
            mac=GENESIS,
            key_id=key_id,
            head_mac=head_mac(key, ledger_id, 0, GENESIS, key_id),
        )
    )
    adopted: list[_Pending] = []
    counts: dict[str, int] = {}
    for coverage in COVERED.values():
        if not inspect(connection).has_table(coverage.table.name):
            continue  # a later migration creates it (letters and sendings, 0009): nothing to adopt
        # Only the columns the schema has now: a later migration may add covered columns.
        present = {column["name"] for column in inspect(connection).get_columns(coverage.table.name)}
        coverage = replace(coverage, columns=tuple(c for c in coverage.columns if c in present))
        for values in read_rows(connection, coverage):
            content = content_of(coverage, values)
            if isinstance(content, list):
                continue  # a row that cannot be read stays out: verify names it
            adopted.append(
                _Pending(
                    coverage.kind, coverage.row_key(values), coverage.subject(values), content_text(content)
                )
            )
            counts[coverage.kind] = counts.get(coverage.kind, 0) + 1
    opening = ledger_entry(LEDGER_KIND, "open", {"ledger_id": ledger_id, "adopted": counts})
    entries = [opening, *adopted]
    for start in range(0, len(entries), 1000):
        head = connection.execute(select(HEAD.c.ledger_id, HEAD.c.seq, HEAD.c.mac)).one()
        append(connection, key, key_id, (head[0], head[1], head[2]), entries[start : start + 1000], {})
    return len(adopted)


def rotate(connection: Connection, old: KeyRing, new: KeyRing) -> Anchor:
    """Seal a key rotation: an entry under the new key naming the old one; every entry after it
    must be sealed with the new key. The head must verify under the old ring first."""
    head = connection.execute(
        select(HEAD.c.ledger_id, HEAD.c.seq, HEAD.c.mac, HEAD.c.key_id, HEAD.c.head_mac)
        .where(HEAD.c.id == HEAD_ID)
        .with_for_update()
    ).first()
    if head is None:
        raise HistoryTamperedError([VerifyFailure("", 0, "is missing", what="the ledger's head")])
    ledger_id, seq, mac, key_id, sealed = head
    key = old.key(key_id)
    if key is None:
        raise LedgerKeyError(f"the ledger is sealed with key {key_id}, which is not in {old.source}")
    if not hmac.compare_digest(head_mac(key, ledger_id, seq, mac, key_id), sealed):
        raise HistoryTamperedError([VerifyFailure("", seq, "does not verify", what="the ledger's head")])
    entry = ledger_entry(LEDGER_KIND, "key", {"previous_key": key_id, "key": new.current_id})
    seq, mac = append(connection, new.current, new.current_id, (ledger_id, seq, mac), [entry], {})
    return Anchor(seq, mac)
