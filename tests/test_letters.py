"""Reminder letters written by `tick` (freelance-mission v3): a first reminder the day after a due
date, a second one after 15 days, a formal notice with interest and indemnity after 30, each once,
numbered in their own series, in the client's language, as PDF and text; on SQLite and
PostgreSQL, and through the commands."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import create_engine, text

from missionflow import Store, open_store, testing
from missionflow.freelance import Payment, render_document
from missionflow.freelance.documents import extract_xml
from tests.cli_helpers import Cli

ISSUED = datetime(2026, 3, 10, 10, tzinfo=UTC)  # the final invoice, due on 9 April 2026
FIRST = datetime(2026, 4, 11, 12, tzinfo=UTC)
SECOND = datetime(2026, 4, 25, 12, tzinfo=UTC)
NOTICE = datetime(2026, 5, 12, 12, tzinfo=UTC)


def invoiced(store: Store, *, business: bool = True, language: str = "fr") -> str:
    """A mission whose final invoice (700 EUR left after the 30 % deposit) was issued on 10 March."""
    ref = testing.approved_mission(store, business=business)
    store.edit_client(store.get_mission(ref).client.ref, language=language)
    store.issue_final_invoice(ref, at=ISSUED)
    return ref


def text_of(store: Store, number: str, language: str | None = None) -> str:
    """A letter as the client reads it in text."""
    return render_document(store.letter_document(number, language=language), "text").decode("utf-8")


def test_the_escalation_writes_three_letters_each_once(store: Store) -> None:
    """The three timers write a first reminder, a second reminder and a formal notice, numbered
    REL-2026-0001 to 0003 with the timer that wrote each; ticking again writes nothing more."""
    ref = invoiced(store)
    for moment in (FIRST, SECOND, NOTICE, NOTICE):
        store.tick(moment)
    letters = store.list_letters()
    assert [(x.number, x.kind, x.trigger, x.issued_on, x.mission) for x in letters] == [
        ("REL-2026-0001", "first_reminder", "remind_payment", date(2026, 4, 11), ref),
        ("REL-2026-0002", "second_reminder", "remind_payment_again", date(2026, 4, 25), ref),
        ("REL-2026-0003", "formal_notice", "send_formal_notice", date(2026, 5, 12), ref),
    ]
    assert all(x.sent_at is None for x in letters)
    assert store.list_letters(ref, unsent=True) == letters
    assert store.get_letter("REL-2026-0002") == letters[1]
    assert store.verify() == []


def test_the_formal_notice_claims_interest_and_the_indemnity(store: Store) -> None:
    """The formal notice to a business claims the 700 EUR, 33 days of interest at 12 % (7.59 EUR)
    and the 40 EUR indemnity; to a private client, interest but no indemnity."""
    business = invoiced(store)
    private = invoiced(store, business=False)
    store.tick(NOTICE)
    notices = {x.mission: x.number for x in store.list_letters() if x.kind == "formal_notice"}
    said = text_of(store, notices[business])
    assert said.startswith("MISE EN DEMEURE DE PAYER\n")
    for line in (
        "2026-0001 | 10 mars 2026 | 9 avril 2026 | 33 | 700,00\u00a0€",
        "Principal : 700,00\u00a0€",
        "Pénalités de retard : 7,59\u00a0€",
        "Indemnités forfaitaires : 40,00\u00a0€",
        "Total réclamé : 747,59\u00a0€",
    ):
        assert line in said, line
    to_private = text_of(store, notices[private])
    assert "Pénalités de retard : 7,59\u00a0€" in to_private
    assert "Total réclamé : 707,59\u00a0€" in to_private
    assert "Indemnités forfaitaires" not in to_private


def test_a_letter_speaks_the_clients_language(store: Store) -> None:
    """A client who reads English gets "PAYMENT REMINDER" with English formats; asked in French,
    the same letter is a "RELANCE"."""
    invoiced(store, language="en")
    store.tick(FIRST)
    [letter] = store.list_letters()
    english = text_of(store, letter.number)
    assert english.startswith("PAYMENT REMINDER\nNumber: REL-2026-0001\nIssue date: 11 April 2026\n")
    assert "2026-0001 | 10 March 2026 | 9 April 2026 | 2 | €700.00" in english
    assert text_of(store, letter.number, "fr").startswith("RELANCE")


def test_a_paid_invoice_gets_no_further_letter(store: Store) -> None:
    """Paid after the first reminder, the invoice gets no second reminder and no formal notice."""
    ref = invoiced(store)
    store.tick(FIRST)
    store.record_payment(ref, Payment(testing.eur("700"), date(2026, 4, 20)))
    store.tick(NOTICE)
    assert [x.kind for x in store.list_letters()] == ["first_reminder"]


def test_tick_writes_the_letters_as_pdf_and_text_and_letter_commands_show_them(tmp_path: Path) -> None:
    """`tick --out DIR` writes each new letter as NUMBER.pdf (PDF/A-3b, no invoice XML) and
    NUMBER.txt; `letter list` and `letter show` read them back; an unknown letter exits 5."""
    run = Cli(tmp_path / "missions.db")
    with open_store(run.db) as store:
        testing.identify(store)
        ref = invoiced(store)
    out = tmp_path / "letters"
    nowhere = run("tick", "--now", NOTICE.isoformat(), "--out", str(out))
    assert nowhere.exit_code == 2  # refused before any timer fires
    assert "does not exist" in nowhere.stderr
    out.mkdir()
    said = run.ok("tick", "--now", NOTICE.isoformat(), "--out", str(out))
    assert f"{ref}: letter REL-2026-0001 (first reminder) written" in said
    assert f"{ref}: letter REL-2026-0003 (formal notice) written" in said
    assert sorted(p.name for p in out.iterdir()) == [
        f"REL-2026-000{n}.{ext}" for n in (1, 2, 3) for ext in ("pdf", "txt")
    ]
    pdf = (out / "REL-2026-0003.pdf").read_bytes()
    assert extract_xml(pdf) is None
    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in metadata or b'pdfaid:part="3"' in metadata
    notice = (out / "REL-2026-0003.txt").read_text(encoding="utf-8")
    assert notice.startswith("MISE EN DEMEURE DE PAYER")
    assert run.ok("letter", "show", "REL-2026-0003") == notice
    listed = run.json("letter", "list", "--mission", ref)
    assert isinstance(listed, list)
    assert [(x["number"], x["kind"], x["sent_at"]) for x in listed] == [
        ("REL-2026-0001", "first_reminder", None),
        ("REL-2026-0002", "second_reminder", None),
        ("REL-2026-0003", "formal_notice", None),
    ]
    target = tmp_path / "relance.pdf"
    run.ok("letter", "show", "REL-2026-0001", "--format", "pdf", "--lang", "en", "-o", str(target))
    assert target.read_bytes().startswith(b"%PDF-")
    missing = run("letter", "show", "REL-2026-0009")
    assert missing.exit_code == 5
    assert "letter" in missing.stderr
    assert run.ok("tick", "--now", NOTICE.isoformat(), "--out", str(out)).strip() == "0 timers processed"


def test_a_letter_or_sending_edited_outside_missionflow_is_found(store: Store, store_url: str) -> None:
    """Letters and sendings are in the ledger: a letter's date changed and a sending inserted by
    hand (to make a letter look sent) are each named by `verify`."""
    ref = invoiced(store)
    store.tick(FIRST)
    assert store.verify() == []
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE mf_letters SET issued_on = :d"), {"d": date(2026, 4, 30)})
        conn.execute(
            text(
                "INSERT INTO mf_sendings (mission_id, document, recipient, message_id, actor, sent_at) "
                "VALUES (:m, 'REL-2026-0001', 'x@example.org', '<x@example.org>', 'me', :at)"
            ),
            {"m": int(ref.split("-")[1]), "at": FIRST},
        )
    engine.dispose()
    named = {failure.what for failure in store.verify()}
    assert "letter REL-2026-0001" in named
    assert "sending of REL-2026-0001" in named
