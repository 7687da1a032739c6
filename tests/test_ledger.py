"""The ledger holds against someone with SQL access but not the key: every tampering the red team
tried (and a few more) is found by Store.verify on SQLite and PostgreSQL, with the entry or the
row named, and a row that cannot be read is named instead of crashing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from missionflow import HistoryTamperedError, StorageError, Store, TransitionRecord
from missionflow.freelance import Payment
from missionflow.store import VerifyFailure
from missionflow.store.chain import entry_hash
from missionflow.store.ledger import entry_mac, head_mac
from missionflow.store.ledger_keys import load_keyring
from missionflow.testing import MONDAY, eur, lead, sign, signed_mission, start, working_mission

AT = MONDAY


@pytest.fixture
def raw(store_url: str) -> Iterator[Engine]:
    """A plain engine on the store's database, to tamper with it as an intruder would."""
    engine = create_engine(store_url)
    yield engine
    engine.dispose()


def mission_id(ref: str) -> int:
    return int(ref.split("-")[1])


def stamp(conn: Connection, moment: datetime) -> object:
    """A time as a raw statement writes it (SQLite keeps naive UTC text)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if conn.dialect.name == "sqlite" else moment


def named(failures: list[VerifyFailure]) -> list[tuple[str, str]]:
    """(mission, what) of the failures the ledger reports."""
    return [(f.mission, f.what) for f in failures if f.what]


def problems_of(failures: list[VerifyFailure], what: str) -> list[str]:
    return [f.problem for f in failures if f.what == what]


def test_ordinary_use_verifies_with_every_kind_of_row(store: Store) -> None:
    """Missions, history, contracts, payments, amendments, invoices, credit notes and settings
    written through the store all verify, and each write added a ledger entry."""
    ref = lead(store)
    store.set_rush_surcharge(ref, eur("20"))
    sign(store, ref)
    start(store, ref)
    store.amend_contract(ref, eur("100"), "one more page", at=AT)
    store.agree_extra_revision(ref, eur("50"), "homepage")
    deposit = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    store.issue_credit_note(deposit.number, "wrong amount", issued_on=date(2026, 3, 4))
    store.save_settings(store.get_settings().with_changes(payment_terms_days=45))
    assert store.verify() == []
    anchor = store.audit.anchor()
    assert anchor is not None
    assert anchor.seq > 15


def test_cutting_the_last_entry_and_fixing_the_mission_row_is_found(store: Store, raw: Engine) -> None:
    """The last history entry deleted and the mission row set back (length, head, state): the
    ledger still names the entry."""
    ref = working_mission(store)
    entries = store.history(ref)
    last, before = entries[-1], entries[-2]
    with raw.begin() as conn:
        conn.execute(
            text("DELETE FROM mf_history WHERE mission_id = :m AND position = :p"),
            {"m": mission_id(ref), "p": last.position},
        )
        conn.execute(
            text("UPDATE mf_missions SET history_length = :n, history_head = :h, state = :s WHERE id = :m"),
            {"n": before.position, "h": before.hash, "s": before.record.dest, "m": mission_id(ref)},
        )
    failures = store.verify()
    assert [f for f in failures if not f.what] == []  # the hash chain alone is fooled
    assert named(failures) == [(ref, f"history entry #{last.position}")]
    assert problems_of(failures, f"history entry #{last.position}")[0].startswith("is missing (deleted;")


def test_a_history_deleted_and_the_mission_reset_to_lead_is_found(store: Store, raw: Engine) -> None:
    """Every entry of a mission deleted and the mission put back to lead: each entry is named."""
    ref = working_mission(store)
    count = len(store.history(ref))
    with raw.begin() as conn:
        conn.execute(text("DELETE FROM mf_timers WHERE mission_id = :m"), {"m": mission_id(ref)})
        conn.execute(text("DELETE FROM mf_history WHERE mission_id = :m"), {"m": mission_id(ref)})
        conn.execute(
            text(
                "UPDATE mf_missions SET history_length = 0, history_head = :h, state = 'lead' WHERE id = :m"
            ),
            {"h": "0" * 64, "m": mission_id(ref)},
        )
    failures = store.verify()
    assert sorted(what for _, what in named(failures)) == sorted(
        f"history entry #{n}" for n in range(1, count + 1)
    )


def test_a_deleted_mission_is_found(store: Store, raw: Engine) -> None:
    """A whole mission deleted with its rows: the mission and each of its entries are named."""
    ref = lead(store)
    store.fire(ref, "qualify", at=AT)
    other = lead(store, client="Bob")
    with raw.begin() as conn:
        for table in ("mf_history", "mf_timers", "mf_criteria_answers"):
            conn.execute(text(f"DELETE FROM {table} WHERE mission_id = :m"), {"m": mission_id(ref)})
        conn.execute(text("DELETE FROM mf_missions WHERE id = :m"), {"m": mission_id(ref)})
    failures = store.verify()
    assert named(failures) == [(ref, "history entry #1"), (ref, "its row (reference, terms)")]
    assert store.verify(other) == [f for f in failures if not f.mission]


def test_a_consistent_reforge_of_the_hash_chain_is_found(store: Store, raw: Engine) -> None:
    """start_work forged without the deposit, its sha256 chain recomputed and the mission row
    updated: the chain verifies, the ledger names the forged entry."""
    ref = signed_mission(store)
    last = store.history(ref)[-1]
    forged = TransitionRecord("start_work", "contract_signed", "in_progress", "intruder", AT)
    position = last.position + 1
    digest = entry_hash(ref, position, forged, last.hash)
    with raw.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO mf_history (mission_id, position, trigger, source, dest, actor, at, note, data, "
                "guards, out_of_hours, prev_hash, hash) VALUES (:m, :p, 'start_work', 'contract_signed', "
                "'in_progress', 'intruder', :at, '', '{}', '[]', false, :prev, :hash)"
            ),
            {"m": mission_id(ref), "p": position, "at": stamp(conn, AT), "prev": last.hash, "hash": digest},
        )
        conn.execute(
            text(
                "UPDATE mf_missions SET state = 'in_progress', history_length = :p, history_head = :h WHERE id = :m"
            ),
            {"p": position, "h": digest, "m": mission_id(ref)},
        )
    assert store.get_mission(ref).state == "in_progress"
    failures = store.verify()
    assert [f for f in failures if not f.what] == []
    assert named(failures) == [(ref, f"history entry #{position}")]
    assert problems_of(failures, f"history entry #{position}") == [
        "is not in the ledger (written outside missionflow)"
    ]


def test_an_invoice_total_edited_is_found(store: Store, raw: Engine) -> None:
    """An invoice's total set to 0.01: the invoice is named with the value the ledger holds."""
    ref = working_mission(store)
    issued = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    with raw.begin() as conn:
        conn.execute(text("UPDATE mf_invoices SET total_cents = 1 WHERE number = :n"), {"n": issued.number})
    [problem] = problems_of(store.verify(), f"invoice {issued.number}")
    assert "total_cents is 1, the ledger says 30000" in problem


def test_a_fake_payment_that_let_the_deposit_pass_is_found(store: Store, raw: Engine) -> None:
    """A payment row inserted by hand lets confirm_deposit pass; verify names that payment."""
    ref = signed_mission(store)
    with raw.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO mf_payments (mission_id, amount_cents, currency, received_on, method, reference, "
                "recorded_at) VALUES (:m, 30000, 'EUR', :d, 'transfer', '', :at)"
            ),
            {"m": mission_id(ref), "d": date(2026, 3, 2), "at": stamp(conn, AT)},
        )
        payment_id = conn.execute(text("SELECT max(id) FROM mf_payments")).scalar_one()
    store.fire(ref, "confirm_deposit", at=AT)
    failures = store.verify()
    assert named(failures) == [(ref, f"payment #{payment_id}")]


def test_a_contract_amount_changed_is_found(store: Store, raw: Engine) -> None:
    """The signed contract's amount edited: the contract is named."""
    ref = signed_mission(store)
    with raw.begin() as conn:
        conn.execute(
            text("UPDATE mf_contracts SET amount_cents = 100 WHERE mission_id = :m"), {"m": mission_id(ref)}
        )
    [problem] = problems_of(store.verify(), "the contract")
    assert "amount_cents is 100, the ledger says 100000" in problem


def test_an_amendment_and_the_mission_terms_edited_are_found(store: Store, raw: Engine) -> None:
    """An amendment's amount and the mission's deposit percentage edited: both are named."""
    ref = signed_mission(store)
    store.amend_contract(ref, eur("500"), "a blog", at=AT)
    with raw.begin() as conn:
        conn.execute(
            text("UPDATE mf_amendments SET amount_cents = 50 WHERE mission_id = :m"), {"m": mission_id(ref)}
        )
        conn.execute(
            text("UPDATE mf_missions SET deposit_percent = '0' WHERE id = :m"), {"m": mission_id(ref)}
        )
    failures = store.verify()
    assert {what for _, what in named(failures)} == {"amendment #1", "its row (reference, terms)"}


def test_settings_edited_by_hand_are_found(store: Store, raw: Engine) -> None:
    """The settings' late-payment rate edited: the settings are named."""
    store.save_settings(store.get_settings().with_changes(payment_terms_days=30))
    with raw.begin() as conn:
        conn.execute(text("UPDATE mf_settings SET data = :d"), {"d": '{"late_penalty_rate": "0"}'})
    assert named(store.verify()) == [("", "settings")]


def test_a_renumbered_invoice_is_found(store: Store, raw: Engine) -> None:
    """An invoice given another number: it is named, and the gap it leaves in the series too."""
    ref = working_mission(store)
    first = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    with raw.begin() as conn:
        conn.execute(
            text("UPDATE mf_invoices SET number = '2026-0009', sequence = 9 WHERE number = :n"),
            {"n": first.number},
        )
    failures = store.verify()
    assert named(failures) == [(ref, "invoice 2026-0009")]
    assert 'number is "2026-0009", the ledger says "2026-0001"' in failures[-1].problem


def test_a_deleted_invoice_whose_number_is_given_again_is_found(store: Store, raw: Engine) -> None:
    """The no-delete trigger dropped, the last invoice deleted and the counter set back: the next
    invoice takes the same number; verify names the deleted invoice and the number given twice."""
    ref = working_mission(store)
    store.issue_invoice(ref, "deposit", eur("100"), date(2026, 3, 3), date(2026, 4, 2))
    second = store.issue_invoice(ref, "deposit", eur("200"), date(2026, 3, 3), date(2026, 4, 2))
    with raw.begin() as conn:
        drop = "DROP TRIGGER mf_invoices_no_delete"
        conn.execute(text(drop if conn.dialect.name == "sqlite" else drop + " ON mf_invoices"))
        conn.execute(text("DELETE FROM mf_invoices WHERE number = :n"), {"n": second.number})
        conn.execute(text("UPDATE mf_invoice_counters SET last_sequence = 1"))
    failures = store.verify()
    assert ("", "the invoice counter of 2026") in named(failures)
    again = store.issue_invoice(ref, "deposit", eur("250"), date(2026, 3, 4), date(2026, 4, 2))
    assert again.number == second.number
    failures = store.verify()
    assert problems_of(failures, f"invoice number {second.number}")[0].startswith("was given twice")


def malformed_values(conn: Connection) -> tuple[str, str]:
    """A time and a data value that cannot be read: SQLite stores anything; PostgreSQL checks
    types, but stores ``infinity`` and JSON that is not an object."""
    if conn.dialect.name == "sqlite":
        return "garbage", "{not json"
    return "infinity", '"a text"'


def test_a_malformed_history_row_is_named_not_a_crash(store: Store, raw: Engine) -> None:
    """at='garbage' (infinity on PostgreSQL) and data that is not JSON: verify and history name the
    entries; reading the mission gives a StorageError, never a crash."""
    ref = working_mission(store)
    with raw.begin() as conn:
        bad_time, bad_data = malformed_values(conn)
        conn.execute(
            text("UPDATE mf_history SET at = :at WHERE mission_id = :m AND position = 2"),
            {"at": bad_time, "m": mission_id(ref)},
        )
        conn.execute(
            text("UPDATE mf_history SET data = :d WHERE mission_id = :m AND position = 3"),
            {"d": bad_data, "m": mission_id(ref)},
        )
    failures = store.verify()
    readable = [(f.mission, f.position, f.problem.lower()) for f in failures if not f.what]
    assert (ref, 2, f"cannot be read: at holds {bad_time!r}, which is not a valid value") in readable
    assert problems_of(failures, "history entry #3")[0].startswith(("cannot be read", "differs"))
    with pytest.raises(HistoryTamperedError, match=rf"mission {ref}: history entry #2 cannot be read"):
        store.history(ref)
    with pytest.raises(StorageError):
        store.get_mission(ref)


def test_a_malformed_ledger_entry_is_named(store: Store, raw: Engine) -> None:
    """A ledger entry whose time cannot be read is named by its number."""
    lead(store)
    with raw.begin() as conn:
        bad_time, _ = malformed_values(conn)
        conn.execute(text("UPDATE mf_ledger SET recorded_at = :at WHERE seq = 2"), {"at": bad_time})
    [first, *_] = store.verify()
    assert (first.what, first.problem.lower()) == (
        "ledger entry #2",
        f"cannot be read: recorded_at holds {bad_time!r}, which is not a valid value",
    )


def resealed(conn: Connection, key: bytes, start: int) -> None:
    """Recompute the MAC of every entry from ``start`` on, and the head, under ``key``: what an
    intruder must do after editing an entry (with the real key, what its holder can do)."""
    ledger_id = conn.execute(text("SELECT ledger_id FROM mf_ledger_head")).scalar_one()
    rows = conn.execute(
        text(
            "SELECT seq, kind, row_key, subject, subject_prev, prev, content, recorded_at, key_id FROM mf_ledger ORDER BY seq"
        )
    ).all()
    macs: dict[int, str] = {}
    last_of: dict[str, str] = {}
    mac = "0" * 64
    for row in rows:
        if row.seq >= start:
            at = (
                row.recorded_at
                if isinstance(row.recorded_at, datetime)
                else datetime.fromisoformat(row.recorded_at)
            )
            at_text = at.replace(tzinfo=at.tzinfo or UTC).astimezone(UTC).isoformat(timespec="microseconds")
            subject_prev = last_of.get(row.subject, "0" * 64)
            mac = entry_mac(
                key,
                ledger_id,
                row.seq,
                row.kind,
                row.row_key,
                row.subject,
                subject_prev,
                mac,
                row.content,
                at_text,
                row.key_id,
            )
            macs[row.seq] = mac
            conn.execute(
                text("UPDATE mf_ledger SET mac = :mac, prev = :prev, subject_prev = :sp WHERE seq = :seq"),
                {"mac": mac, "prev": prev_of(macs, conn, row.seq), "sp": subject_prev, "seq": row.seq},
            )
        else:
            mac = conn.execute(text("SELECT mac FROM mf_ledger WHERE seq = :s"), {"s": row.seq}).scalar_one()
        last_of[row.subject] = mac
    seq, key_id = rows[-1].seq, rows[-1].key_id
    conn.execute(
        text("UPDATE mf_ledger_head SET seq = :seq, mac = :mac, head_mac = :hm"),
        {"seq": seq, "mac": mac, "hm": head_mac(key, ledger_id, seq, mac, key_id)},
    )


def prev_of(macs: dict[int, str], conn: Connection, seq: int) -> str:
    if seq == 1:
        return "0" * 64
    return (
        macs.get(seq - 1)
        or conn.execute(text("SELECT mac FROM mf_ledger WHERE seq = :s"), {"s": seq - 1}).scalar_one()
    )


def edit_invoice_and_its_entry(conn: Connection, number: str) -> int:
    """Set an invoice's total to 0.01 in its row and in its ledger entry's content; the entry's seq."""
    conn.execute(text("UPDATE mf_invoices SET total_cents = 1 WHERE number = :n"), {"n": number})
    seq, content = conn.execute(
        text("SELECT seq, content FROM mf_ledger WHERE kind = 'invoice' ORDER BY seq DESC")
    ).first()
    conn.execute(
        text("UPDATE mf_ledger SET content = :c WHERE seq = :s"),
        {"c": content.replace('"total_cents":30000', '"total_cents":1'), "s": seq},
    )
    return int(seq)


def test_a_reforge_of_the_ledger_without_the_key_is_found(store: Store, raw: Engine) -> None:
    """An invoice and its ledger entry edited, and the whole chain resealed under a guessed key:
    the edited entry is named first, as not matching its MAC."""
    ref = working_mission(store)
    issued = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    with raw.begin() as conn:
        seq = edit_invoice_and_its_entry(conn, issued.number)
        resealed(conn, b"a key the intruder guessed, 32 b", seq)
    failures = store.verify()
    assert failures[0] == VerifyFailure(
        ref, seq, "does not match its MAC (edited, or forged without the key)", what=f"ledger entry #{seq}"
    )
    assert problems_of(failures, "the ledger's head") == ["does not match its MAC"]
    with pytest.raises(HistoryTamperedError, match="the ledger's head"):
        store.record_payment(ref, Payment(eur("1"), date(2026, 3, 5)))


def test_the_key_holder_cannot_rewrite_what_an_anchor_covers(store: Store, raw: Engine) -> None:
    """Resealed with the real key, an edit verifies, except from an anchor kept elsewhere."""
    ref = working_mission(store)
    issued = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    anchor = store.audit.anchor()
    assert anchor is not None
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 5)))
    key = load_keyring().current  # the key ring the tests seal with
    with raw.begin() as conn:
        seq = edit_invoice_and_its_entry(conn, issued.number)
        resealed(conn, key, seq)
    assert store.verify() == []
    failures = store.verify(since=str(anchor))
    assert [f.what for f in failures] == [f"ledger entry #{anchor.seq}"]
    assert failures[0].problem == f"is not the anchor {anchor}: the ledger was rewritten up to it"


def test_a_database_set_back_to_an_older_copy_is_found_from_a_later_anchor(store: Store, raw: Engine) -> None:
    """The last writes removed and the head put back as an old backup had it: every MAC is right,
    only an anchor taken later shows that entries were removed."""
    ref = working_mission(store)
    with raw.begin() as conn:
        old_head = conn.execute(text("SELECT seq, mac, key_id, head_mac FROM mf_ledger_head")).one()
    store.record_payment(ref, Payment(eur("10"), date(2026, 3, 5)))
    later = store.audit.anchor()
    with raw.begin() as conn:
        conn.execute(text("DELETE FROM mf_payments WHERE amount_cents = 1000"))
        conn.execute(text("DELETE FROM mf_ledger WHERE seq > :s"), {"s": old_head.seq})
        conn.execute(
            text("UPDATE mf_ledger_head SET seq = :seq, mac = :mac, key_id = :k, head_mac = :hm"),
            {"seq": old_head.seq, "mac": old_head.mac, "k": old_head.key_id, "hm": old_head.head_mac},
        )
    assert store.verify() == []
    failures = store.verify(since=str(later))
    assert [(f.what, f.problem) for f in failures] == [
        (
            f"ledger entry #{old_head.seq}",
            f"is the last entry, before the anchor {later}: entries were removed",
        )
    ]


def test_cutting_the_ledger_tail_is_found_and_stops_writes(store: Store, raw: Engine) -> None:
    """The last ledger entry and its payment deleted: the head names the cut, and the next write
    refuses to seal over it."""
    ref = working_mission(store)
    store.record_payment(ref, Payment(eur("10"), date(2026, 3, 5)))
    with raw.begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM mf_ledger")).scalar_one()
        conn.execute(text("DELETE FROM mf_payments WHERE amount_cents = 1000"))
        conn.execute(text("DELETE FROM mf_ledger WHERE seq = :s"), {"s": last})
    failures = store.verify()
    assert [f.what for f in failures] == ["the ledger's head"]
    assert failures[0].problem.startswith(
        f"says the ledger ends at #{last} but its last entry is #{last - 1}"
    )


def test_a_gap_in_the_ledger_and_a_lost_head_are_named(store: Store, raw: Engine) -> None:
    """An entry deleted from the middle is named by its number; without the head, writes refuse."""
    ref = working_mission(store)
    with raw.begin() as conn:
        conn.execute(text("DELETE FROM mf_ledger WHERE seq = 3"))
    failures = store.verify()
    assert VerifyFailure("", 3, "#3 missing (deleted)", what="ledger entries") in failures
    with raw.begin() as conn:
        conn.execute(text("DELETE FROM mf_ledger_head"))
    assert store.verify() == [
        VerifyFailure("", 0, "is missing: the ledger cannot be checked", what="the ledger's head")
    ]
    with pytest.raises(HistoryTamperedError, match="the ledger's head is missing"):
        store.fire(ref, "deliver", data={"deliverable": "website"}, at=AT + timedelta(hours=1))


def test_an_issued_invoice_carries_the_head_it_was_issued_under(store: Store) -> None:
    """The invoice keeps the ledger's head at its issue, prints it, and that anchor verifies later."""
    from missionflow.freelance import render_invoice

    ref = working_mission(store)
    before = store.audit.anchor()
    issued = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    assert issued.ledger_anchor == str(before)
    assert store.get_invoice(issued.number).ledger_anchor == str(before)
    assert f"Ledger anchor: {before}" in render_invoice(issued, "text")
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 5)))
    assert store.verify(since=issued.ledger_anchor) == []
