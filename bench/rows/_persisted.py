"""What the persisted rows share: the hand-written fire the store is compared with (read, check
the guard, UPDATE with the version, INSERT the history entry, all in one transaction) for sqlite3
and psycopg alike, and the missions every contender fires on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from missionflow import Money
from missionflow.freelance import Contract, Deliverable, Payment, Specification

if TYPE_CHECKING:
    from missionflow import Store

AMOUNT = Money.of("4500", "EUR")
SPECIFICATION = Specification(
    objectives="A faster, accessible website",
    deliverables=(Deliverable("mockups"), Deliverable("website")),
    deadline=date.today() + timedelta(days=60),
    budget=AMOUNT,
    acceptance="Lighthouse score over 90 on every page",
)


# --- the hand-written fire -------------------------------------------------------------------


class Cursor(Protocol):
    """What the hand-written SQL needs of a DB-API cursor (sqlite3 and psycopg both fit)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Sequence[Sequence[object]] | None: ...

    def fetchone(self) -> Sequence[object] | None: ...

    def fetchall(self) -> Sequence[Sequence[object]]: ...


Execute = Callable[[str, Sequence[object]], Cursor]


@dataclass(frozen=True)
class Step:
    """One trigger as the hand-written code knows it: where from, where to, what it checks."""

    trigger: str
    source: str
    dest: str
    check_client: bool = False
    deliverable: str | None = None


QUALIFY = Step("qualify", "lead", "criteria_check", check_client=True)
DELIVER = Step("deliver", "in_progress", "in_progress", deliverable="website")


@dataclass(frozen=True)
class Dialect:
    """How one driver spells parameters, opens a write transaction and takes times and JSON."""

    placeholder: str
    begin: str | None
    time_value: Callable[[datetime], object]
    json_value: Callable[[object], object]

    def sql(self, text: str) -> str:
        """``text`` with ``{p}`` replaced by the driver's placeholder."""
        return text.replace("{p}", self.placeholder)


SQLITE3 = Dialect(
    placeholder="?",
    begin="BEGIN IMMEDIATE",
    # The store's SQLite format: naive UTC text with microseconds.
    time_value=lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    json_value=json.dumps,
)


class Conflict(Exception):
    """Another writer changed the mission between the read and the write: try again."""


_READ = (
    "SELECT m.state, m.version, m.history_length, m.history_head, c.blocked "
    "FROM mf_missions m JOIN mf_clients c ON c.id = m.client_id WHERE m.id = {p}"
)
_HAS_DELIVERABLE = "SELECT count(*) FROM mf_deliverables WHERE mission_id = {p} AND name = {p}"
_UPDATE = (
    "UPDATE mf_missions SET state = {p}, version = version + 1, history_length = {p}, history_head = {p}, "
    "updated_at = {p} WHERE id = {p} AND version = {p}"
)
_INSERT = (
    "INSERT INTO mf_history (mission_id, position, trigger, source, dest, actor, at, note, data, guards, "
    "out_of_hours, idempotency_key, prev_hash, hash) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)


def write_fire(
    execute: Execute, dialect: Dialect, ref: str, step: Step, ledger_key: bytes | None = None
) -> None:
    """The body of the transaction: raise Conflict when the version moved, RuntimeError when refused.

    With ``ledger_key``, the history entry is also sealed in the ledger as the store does (see
    :func:`write_ledger_entry`): what the ledger adds to the issue's minimal transaction."""
    ident = mission_id(ref)
    row = execute(dialect.sql(_READ), (ident,)).fetchone()
    if row is None:
        raise RuntimeError(f"{ref} does not exist")
    state, version, length, head = str(row[0]), int(str(row[1])), int(str(row[2])), str(row[3])
    if state != step.source:
        raise RuntimeError(f"{ref} is in {state}, not {step.source}")
    if step.check_client and row[4]:
        raise RuntimeError(f"the client of {ref} is blocked")
    guards = ["client_not_blocked"] if step.check_client else []
    data: dict[str, str] = {}
    if step.deliverable is not None:
        found = execute(dialect.sql(_HAS_DELIVERABLE), (ident, step.deliverable)).fetchone()
        if not found or not found[0]:
            raise RuntimeError(f"{step.deliverable} is not a deliverable of {ref}")
        guards, data = ["deliverable_in_specification"], {"deliverable": step.deliverable}
    now = datetime.now(UTC)
    position = length + 1
    text = "|".join(
        [ref, str(position), step.trigger, step.source, step.dest, "bench", now.isoformat(), head]
    )
    digest = hashlib.sha256(text.encode()).hexdigest()
    moved = execute(
        dialect.sql(_UPDATE), (step.dest, position, digest, dialect.time_value(now), ident, version)
    )
    if moved.rowcount != 1:
        raise Conflict(ref)
    execute(
        dialect.sql(_INSERT),
        (ident, position, step.trigger, step.source, step.dest, "bench", dialect.time_value(now), "",
         dialect.json_value(data), dialect.json_value(guards), False, None, head, digest),
    )  # fmt: skip
    if ledger_key is not None:
        content = {
            "mission_id": ident, "position": position, "trigger": step.trigger, "source": step.source,
            "dest": step.dest, "actor": "bench", "at": now.isoformat(timespec="microseconds"), "note": "",
            "data": data, "guards": guards, "out_of_hours": False, "idempotency_key": None,
            "prev_hash": head, "hash": digest,
        }  # fmt: skip
        write_ledger_entry(execute, dialect, ledger_key, ref, f"{ident}:{position}", content)


# --- the ledger by hand ------------------------------------------------------------------------

BENCH_LEDGER_KEY = hashlib.sha256(b"missionflow bench ledger key").digest()
"""The key the persisted rows' stores seal with (``open_store(ledger_key=...)``), known to the
hand-written code too, so that its entries verify and the store's next write accepts the head."""
_HEAD = "SELECT ledger_id, seq, mac, key_id, head_mac, (SELECT mac FROM mf_ledger WHERE subject = {p} ORDER BY seq DESC LIMIT 1) FROM mf_ledger_head WHERE id = 1"
_ENTRY = (
    "INSERT INTO mf_ledger (seq, kind, row_key, subject, subject_prev, prev, content, recorded_at, key_id, mac) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)
_MOVE = "UPDATE mf_ledger_head SET seq = {p}, mac = {p}, key_id = {p}, head_mac = {p} WHERE id = 1"


def _mac(key: bytes, fields: list[object]) -> str:
    message = json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def write_ledger_entry(
    execute: Execute, dialect: Dialect, key: bytes, subject: str, row_key: str, content: dict[str, object]
) -> None:
    """Seal one history entry in the ledger: lock and check the head, chain the entry to the last
    one and to the subject's last one, insert it, move the head (the store's format)."""
    lock = " FOR UPDATE" if dialect.placeholder == "%s" else ""
    found = execute(dialect.sql(_HEAD) + lock, (subject,)).fetchone()
    if found is None:
        raise RuntimeError("the ledger has no head")
    ledger_id, seq, mac, key_id, sealed = (
        str(found[0]),
        int(str(found[1])),
        str(found[2]),
        str(found[3]),
        found[4],
    )
    if not hmac.compare_digest(_mac(key, ["head", ledger_id, seq, mac, key_id]), str(sealed)):
        raise RuntimeError("the ledger's head does not verify under the bench key")
    subject_prev = str(found[5]) if found[5] is not None else "0" * 64
    moment = datetime.now(UTC)
    stamp = moment.isoformat(timespec="microseconds")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    seq += 1
    new_mac = _mac(key, [ledger_id, seq, "history", row_key, subject, subject_prev, mac, text, stamp, key_id])
    execute(
        dialect.sql(_ENTRY),
        (
            seq,
            "history",
            row_key,
            subject,
            subject_prev,
            mac,
            text,
            dialect.time_value(moment),
            key_id,
            new_mac,
        ),
    )
    execute(dialect.sql(_MOVE), (seq, new_mac, key_id, _mac(key, ["head", ledger_id, seq, new_mac, key_id])))


# --- missions to fire on ------------------------------------------------------------------


def mission_id(ref: str) -> int:
    """The row id behind a reference like "M-12" (what hand-written SQL needs)."""
    return int(ref.rsplit("-", 1)[-1])


def new_leads(store: Store, client: str, count: int, execute: Execute, dialect: Dialect) -> list[str]:
    """``count`` fresh missions in ``lead``: one made through the public API, the others copies of
    its row (creating them is not what is measured, and one at a time it dominates a run).

    The copies are one transaction that the caller commits (``dialect.begin`` opens it here).
    """
    template = mission_id(store.create_mission(client, "Website", amount=AMOUNT).ref)
    if dialect.begin is not None:
        execute(dialect.begin, ())
    shape = execute(dialect.sql("SELECT * FROM mf_missions WHERE id = {p}"), (template,)).description or ()
    columns = [str(d[0]) for d in shape if d[0] != "id"]
    names = ", ".join(columns)
    copy = dialect.sql(f"INSERT INTO mf_missions ({names}) SELECT {names} FROM mf_missions WHERE id = {{p}}")
    for _ in range(count - 1):
        execute(copy, (template,))
    found = execute(dialect.sql("SELECT id FROM mf_missions WHERE id >= {p} ORDER BY id"), (template,))
    refs = [f"M-{row[0]}" for row in found.fetchall()]
    if len(refs) != count:
        raise RuntimeError(f"expected {count} new leads, found {len(refs)}")
    return refs


def mission_in_progress(store: Store, client: str) -> str:
    """A mission walked through the public API to in_progress, ready for deliveries."""
    ref = store.create_mission(client, "Website redesign", amount=AMOUNT, deadline=SPECIFICATION.deadline).ref
    store.fire(ref, "qualify", actor="bench")
    for criterion in ("budget_fits", "respectful", "clear_need"):
        store.answer_criterion(ref, criterion, True)
    store.fire(ref, "accept", actor="bench")
    store.set_specification(ref, SPECIFICATION)
    store.sign_contract(ref, Contract(AMOUNT, "CGV-2026-1", date.today()), actor="bench")
    store.record_payment(ref, Payment(Money.of("1350", "EUR"), date.today()))
    store.fire(ref, "confirm_deposit", actor="bench")
    store.fire(ref, "start_work", actor="bench")
    return ref
