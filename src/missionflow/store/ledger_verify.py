"""Checking the ledger: its entries (sequence without gaps, chains, MACs under the right keys), its
head, an anchor kept elsewhere, every covered row against its latest entry, and the invoice number
series (no gap, no number used twice). Every problem is named; nothing here raises on a row
that cannot be read.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Table

from missionflow.store.chain import VerifyFailure
from missionflow.store.ledger import GENESIS, LEDGER_KIND, Anchor, entry_mac, head_mac
from missionflow.store.ledger_cover import (
    COVERED,
    INVOICE,
    LETTER,
    QUOTE,
    Coverage,
    Malformed,
    canonical_value,
    content_of,
    read_rows,
    read_table,
)
from missionflow.store.ledger_keys import KeyRing
from missionflow.store.ledger_models import HEAD, LEDGER
from missionflow.store.models import Base, InvoiceCounterRow, LetterCounterRow, QuoteCounterRow

_SERIES: dict[str, tuple[Table, str]] = {
    INVOICE.kind: (Base.metadata.tables[str(InvoiceCounterRow.__tablename__)], "invoice"),
    QUOTE.kind: (Base.metadata.tables[str(QuoteCounterRow.__tablename__)], "quote"),
    LETTER.kind: (Base.metadata.tables[str(LetterCounterRow.__tablename__)], "letter"),
}
"""The kinds numbered in a gapless yearly series, with the table of their counters."""
_SHOWN_FIELDS = 3


@dataclass(frozen=True)
class _Latest:
    """The newest entry of one covered row: where it is and what it says the row holds."""

    seq: int
    content: dict[str, object] | None


@dataclass
class _Walk:
    """What walking the entries learnt: the problems, and the newest entry of every row."""

    problems: list[VerifyFailure] = field(default_factory=list)
    latest: dict[tuple[str, str], _Latest] = field(default_factory=dict)
    numbered: dict[str, list[tuple[int, dict[str, object]]]] = field(default_factory=dict)
    """Every entry (seq, content) of a kind numbered in series (invoices, quotes), by kind."""
    last_seq: int = 0
    last_mac: str = GENESIS


def _entry(seq: object) -> str:
    return f"ledger entry #{seq}"


def verify_ledger(
    connection: Connection, keyring: KeyRing, since: Anchor | None = None
) -> list[VerifyFailure]:
    """Every problem of the ledger and of the rows it covers (an empty list: nothing was tampered with)."""
    head = next(read_table(connection, HEAD), None)
    if head is None:
        return [VerifyFailure("", 0, "is missing: the ledger cannot be checked", what="the ledger's head")]
    walk = _walk(read_table(connection, LEDGER, order=["seq"]), head, keyring, since)
    _check_head(walk, head, keyring)
    _check_rows(connection, walk)
    _check_series(connection, walk)
    return walk.problems


def _walk(
    entries: Iterable[dict[str, object]], head: dict[str, object], keyring: KeyRing, since: Anchor | None
) -> _Walk:
    walk = _Walk()
    ledger_id = str(head.get("ledger_id"))
    chain_key: str | None = None
    unknown_keys: set[str] = set()
    subject_last: dict[str, str] = {}
    linked = True
    for entry in entries:
        seq = entry.get("seq")
        broken = [str(v) for v in entry.values() if isinstance(v, Malformed)]
        if not isinstance(seq, int) or broken:
            walk.problems.append(
                VerifyFailure("", 0, f"cannot be read: {'; '.join(broken)}", what=_entry(seq))
            )
            linked = False
            continue
        subject, mac = str(entry["subject"]), str(entry["mac"])
        where = _entry(seq)
        if seq != walk.last_seq + 1:
            missing = (
                f"#{walk.last_seq + 1}" if seq == walk.last_seq + 2 else f"#{walk.last_seq + 1} to #{seq - 1}"
            )
            walk.problems.append(
                VerifyFailure("", walk.last_seq + 1, f"{missing} missing (deleted)", what="ledger entries")
            )
        elif linked and entry["prev"] != walk.last_mac:
            walk.problems.append(
                VerifyFailure(
                    subject, seq, "does not follow the entry before it (reordered or replaced)", what=where
                )
            )
        key_id = str(entry["key_id"])
        if chain_key is None:
            chain_key = key_id
        key = keyring.key(key_id)
        content_text = str(entry["content"])
        if key is None:
            if key_id not in unknown_keys:
                unknown_keys.add(key_id)
                walk.problems.append(
                    VerifyFailure(
                        "",
                        seq,
                        f"is sealed with key {key_id}, which is not in the key ring of {keyring.source} "
                        "(a lost key, or entries forged by someone else)",
                        what=where,
                    )
                )
        elif not hmac.compare_digest(
            entry_mac(
                key,
                ledger_id,
                seq,
                str(entry["kind"]),
                str(entry["row_key"]),
                subject,
                str(entry["subject_prev"]),
                str(entry["prev"]),
                content_text,
                str(canonical_value(entry["recorded_at"])),
                key_id,
            ),
            mac,
        ):
            walk.problems.append(
                VerifyFailure(
                    subject, seq, "does not match its MAC (edited, or forged without the key)", what=where
                )
            )
        elif key_id != chain_key and not (entry["kind"] == LEDGER_KIND and entry["row_key"] == "key"):
            walk.problems.append(
                VerifyFailure(
                    subject, seq, f"is sealed with key {key_id}, not the ledger's key {chain_key}", what=where
                )
            )
        if entry["subject_prev"] != subject_last.get(subject, GENESIS) and linked:
            walk.problems.append(
                VerifyFailure(subject, seq, "does not follow its subject's previous entry", what=where)
            )
        content = _content(content_text)
        if entry["kind"] == LEDGER_KIND and entry["row_key"] == "key" and isinstance(content, dict):
            chain_key = str(content.get("key"))
        _remember(walk, seq, str(entry["kind"]), str(entry["row_key"]), content)
        if since is not None and seq == since.seq and not since.matches(mac):
            walk.problems.append(
                VerifyFailure(
                    "", seq, f"is not the anchor {since}: the ledger was rewritten up to it", what=where
                )
            )
        subject_last[subject] = mac
        walk.last_seq, walk.last_mac, linked = seq, mac, True
    if since is not None and since.seq > walk.last_seq:
        walk.problems.append(
            VerifyFailure(
                "",
                walk.last_seq,
                f"is the last entry, before the anchor {since}: entries were removed",
                what=_entry(walk.last_seq),
            )
        )
    return walk


def _content(text: str) -> dict[str, object] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _remember(walk: _Walk, seq: int, kind: str, row_key: str, content: dict[str, object] | None) -> None:
    if kind not in COVERED:
        return
    if kind in _SERIES and content is not None:
        walk.numbered.setdefault(kind, []).append((seq, content))
    walk.latest[(kind, row_key)] = _Latest(seq, content)


def _check_head(walk: _Walk, head: dict[str, object], keyring: KeyRing) -> None:
    what = "the ledger's head"
    broken = [str(v) for v in head.values() if isinstance(v, Malformed)]
    if broken:
        walk.problems.append(VerifyFailure("", 0, f"cannot be read: {'; '.join(broken)}", what=what))
        return
    seq, mac, key_id = head["seq"], str(head["mac"]), str(head["key_id"])
    if seq != walk.last_seq or mac != walk.last_mac:
        walk.problems.append(
            VerifyFailure(
                "",
                walk.last_seq,
                f"says the ledger ends at #{seq} but its last entry is #{walk.last_seq} "
                "(entries cut from its end, or the head moved by hand)",
                what=what,
            )
        )
    key = keyring.key(key_id)
    if key is not None and not hmac.compare_digest(
        head_mac(key, str(head["ledger_id"]), int(str(seq)), mac, key_id), str(head["head_mac"])
    ):
        walk.problems.append(VerifyFailure("", walk.last_seq, "does not match its MAC", what=what))


def _check_rows(connection: Connection, walk: _Walk) -> None:
    """Each covered row must be the one its newest entry describes; each described row must exist."""
    described: dict[str, dict[str, _Latest]] = {}
    for (kind, row_key), latest in walk.latest.items():
        described.setdefault(kind, {})[row_key] = latest
    for coverage in COVERED.values():
        seen: set[str] = set()
        for values in read_rows(connection, coverage):
            row_key = coverage.row_key(values)
            seen.add(row_key)
            walk.problems.extend(
                _check_row(coverage, values, row_key, walk.latest.get((coverage.kind, row_key)))
            )
        for row_key, latest in described.get(coverage.kind, {}).items():
            if row_key not in seen and latest.content is not None:
                walk.problems.append(
                    VerifyFailure(
                        coverage.subject(latest.content),
                        latest.seq,
                        f"is missing (deleted; recorded by ledger entry #{latest.seq})",
                        what=coverage.describe(latest.content),
                    )
                )


def _check_row(
    coverage: Coverage, values: dict[str, object], row_key: str, latest: _Latest | None
) -> Iterator[VerifyFailure]:
    subject, what = coverage.subject(values), coverage.describe(values)
    content = content_of(coverage, values)
    if isinstance(content, list):
        yield VerifyFailure(subject, 0, f"cannot be read: {'; '.join(str(m) for m in content)}", what=what)
        return
    if latest is None or latest.content is None:
        yield VerifyFailure(subject, 0, "is not in the ledger (written outside missionflow)", what=what)
        return
    # a column the entry does not hold was added to the schema after it was sealed
    changed = [
        name
        for name in coverage.columns
        if name in latest.content and content.get(name) != latest.content.get(name)
    ]
    if changed:
        shown = ", ".join(
            f"{name} is {_short(content.get(name))}, the ledger says {_short(latest.content.get(name))}"
            for name in changed[:_SHOWN_FIELDS]
        )
        more = f" and {len(changed) - _SHOWN_FIELDS} more" if len(changed) > _SHOWN_FIELDS else ""
        yield VerifyFailure(
            subject, latest.seq, f"differs from ledger entry #{latest.seq}: {shown}{more}", what=what
        )


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_series(connection: Connection, walk: _Walk) -> None:
    """Invoice, quote and letter numbers: one series per year from 1 without a gap, no number given twice,
    and each year's counter at the last number (a counter set back would give a number again)."""
    for kind, (counters, noun) in _SERIES.items():
        _check_one_series(connection, walk, walk.numbered.get(kind, []), counters, noun)


def _check_one_series(
    connection: Connection,
    walk: _Walk,
    entries: list[tuple[int, dict[str, object]]],
    counters: Table,
    noun: str,
) -> None:
    by_number: dict[str, tuple[int, dict[str, object]]] = {}
    years: dict[int, set[int]] = {}
    prefixes: dict[int, str] = {}
    for seq, content in entries:
        number, year, sequence = content.get("number"), content.get("year"), content.get("sequence")
        if not isinstance(year, int) or not isinstance(sequence, int) or not isinstance(number, str):
            continue
        # An issued document never changes: the same number with other content is a second one.
        first = by_number.setdefault(number, (seq, content))
        if first[1] != content:
            walk.problems.append(
                VerifyFailure(
                    INVOICE.subject(content),
                    seq,
                    f"was given twice (ledger entries #{first[0]} and #{seq})",
                    what=f"{noun} number {number}",
                )
            )
        years.setdefault(year, set()).add(sequence)
        prefixes.setdefault(year, number.rpartition("-")[0])
    for year, sequences in sorted(years.items()):
        gaps = sorted(set(range(1, max(sequences) + 1)) - sequences)
        if gaps:
            listed = ", ".join(f"{prefixes[year]}-{n:04d}" for n in gaps[:5]) + (
                " ..." if len(gaps) > 5 else ""
            )
            walk.problems.append(
                VerifyFailure(
                    "", 0, f"has a gap: no {noun} was issued as {listed}", what=f"the {noun} series of {year}"
                )
            )
    for counter in read_table(connection, counters, order=["year"]):
        year, last = counter.get("year"), counter.get("last_sequence")
        if isinstance(year, int) and isinstance(last, int) and year in years and last < max(years[year]):
            walk.problems.append(
                VerifyFailure(
                    "",
                    0,
                    f"is at {last} but {prefixes[year]}-{max(years[year]):04d} was issued: "
                    f"the next {noun} would reuse a number",
                    what=f"the {noun} counter of {year}",
                )
            )
