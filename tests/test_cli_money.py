"""The money commands through click's CliRunner on a real SQLite file: invoice, plan, overdue, tick
and the payment warning, with their exit codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from missionflow import open_store
from missionflow.freelance import Contract, Deliverable, Payment, Specification
from missionflow.testing import add_client, eur, identify
from tests.cli_helpers import Cli

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    """A CLI bound to a fresh database file of a freelancer whose identity is set."""
    with open_store(tmp_path / "missions.db") as store:
        identify(store)
    return Cli(tmp_path / "missions.db")


def make_mission(run: Cli, *, state: str = "approved", business: bool = True, client: str = "Acme") -> str:
    """A 1000 EUR mission (30 % deposit) walked with the library up to ``state``; returns its reference."""
    with open_store(run.db) as store:
        if not store.get_settings().siret:
            identify(store)
        ref = store.create_mission(
            add_client(store, client, business=business).ref,
            "Logo",
            amount=eur("1000"),
            deposit_percent=Decimal("30"),
            at=AT,
        ).ref
        if state == "lead":
            return ref
        store.fire(ref, "qualify", at=AT)
        for criterion in store.get_settings().criteria:
            store.answer_criterion(ref, criterion.name, True)
        store.fire(ref, "accept", at=AT)
        store.set_specification(
            ref,
            Specification("A logo", (Deliverable("logo"),), date(2026, 6, 1), eur("1000"), "in writing"),
        )
        store.sign_contract(ref, Contract(eur("1000"), "CGV-2026", date(2026, 3, 2)), at=AT)
        if state == "contract_signed":
            return ref
        store.record_payment(ref, Payment(eur("300"), date(2026, 3, 2)))
        store.fire(ref, "confirm_deposit", at=AT)
        store.fire(ref, "start_work", at=AT)
        store.fire(ref, "deliver", data={"deliverable": "logo"}, at=AT)
        store.fire(ref, "approve", at=AT)
    return ref


def test_invoice_deposit_issues_the_next_number_or_exits_8_2_or_5(run: Cli) -> None:
    """`invoice deposit` prints the number; twice or without a contract is refused by a rule of the
    trade (exit 8); a malformed date exits 2; an unknown mission exits 5."""
    ref = make_mission(run, state="contract_signed")
    out = run.ok("invoice", "deposit", ref, "--on", "2026-03-03")
    assert out.strip() == f"{ref}: deposit invoice 2026-0001 for 300.00 EUR, due 2026-04-02"
    again = run("invoice", "deposit", ref, "--on", "2026-03-03")
    assert again.exit_code == 8
    assert "already has the deposit invoice 2026-0001" in again.stderr
    assert run("invoice", "deposit", make_mission(run, state="lead", client="Globex")).exit_code == 8
    assert run("invoice", "deposit", "M-99").exit_code == 5
    assert run("invoice", "deposit", ref, "--on", "03/03/2026").exit_code == 2


def test_firing_invoice_issues_the_final_invoice(run: Cli) -> None:
    """`fire M invoice` leaves an invoice behind; `invoice final` does the same and prints its number."""
    ref = make_mission(run)
    run.ok("fire", ref, "invoice", "--at", "2026-04-01T12:00+02:00")
    listed = run.json("invoice", "list", "--mission", ref)
    assert isinstance(listed, list)
    assert [(i["number"], i["kind"], i["total"]["amount"]) for i in listed] == [
        ("2026-0001", "final", "1000.00")
    ]
    other = make_mission(run, client="Globex")
    out = run.ok("invoice", "final", other, "--at", "2026-04-02T12:00+02:00")
    assert f"{other}: final invoice 2026-0002 for 1,000.00 EUR, due 2026-05-02" in out
    assert run("invoice", "final", other).exit_code == 4


def test_invoice_list_gives_each_invoice_with_paid_and_status(run: Cli) -> None:
    """`invoice list --json` objects carry number, kind, mission, dates, total, paid and status."""
    ref = make_mission(run, state="contract_signed")
    run.ok("invoice", "deposit", ref, "--on", "2026-03-03")
    run.ok("invoice", "cancel", "2026-0001", "--reason", "wrong rate", "--on", "2026-03-03")
    run.ok("invoice", "deposit", ref, "--on", "2026-03-04")
    run.ok("payment", "add", ref, "100", "--on", "2026-03-05")
    listed = run.json("invoice", "list", "--on", "2026-03-10")
    assert isinstance(listed, list)
    assert {"number", "kind", "mission", "issued_on", "due_on", "total", "paid", "status"} <= set(listed[0])
    assert [(i["number"], i["kind"], i["paid"]["amount"], i["status"]) for i in listed] == [
        ("2026-0001", "deposit", "0.00", "cancelled"),
        ("2026-0002", "credit", "0.00", "credit"),
        ("2026-0003", "deposit", "100.00", "partially_paid"),
    ]
    assert listed[2]["due_on"] == "2026-04-03"
    text = run.ok("invoice", "list", "--on", "2026-04-04")
    assert re.search(
        r"2026-0003\s+deposit\s+M-1\s+2026-03-04\s+2026-04-03\s+300.00 EUR\s+100.00 EUR\s+overdue", text
    )
    assert run("invoice", "list", "--mission", "M-7").exit_code == 5


def test_invoice_cancel_issues_a_credit_note_once(run: Cli) -> None:
    """`invoice cancel` exits 0 with the credit note, 8 the second time (a rule of the trade), 5 for
    an unknown number, 2 without a reason."""
    ref = make_mission(run, state="contract_signed")
    run.ok("invoice", "deposit", ref, "--on", "2026-03-03")
    out = run.ok("invoice", "cancel", "2026-0001", "--reason", "sent twice", "--on", "2026-03-04")
    assert out.strip() == f"{ref}: credit note 2026-0002 cancels invoice 2026-0001 (300.00 EUR)"
    assert run("invoice", "cancel", "2026-0001", "--reason", "again").exit_code == 8
    assert run("invoice", "cancel", "2026-0042", "--reason", "nothing").exit_code == 5
    assert run("invoice", "cancel", "2026-0001").exit_code == 2  # --reason is required


def test_invoice_reissue_after_the_final_invoice_is_cancelled(run: Cli) -> None:
    """`invoice reissue` exits 8 while the final invoice stands and 0 once it is cancelled."""
    ref = make_mission(run)
    run.ok("invoice", "final", ref, "--at", "2026-04-01T12:00+02:00")
    assert run("invoice", "reissue", ref, "--on", "2026-04-02").exit_code == 8
    run.ok("invoice", "cancel", "2026-0001", "--reason", "wrong client address", "--on", "2026-04-02")
    assert "final invoice 2026-0003" in run.ok("invoice", "reissue", ref, "--on", "2026-04-02")


def test_invoice_show_writes_the_clients_document_in_four_formats(run: Cli, tmp_path: Path) -> None:
    """text, md, html and pdf state the identity, the terms and the penalties in the client's
    language (French, with French formats), --lang en in English; the mission stays off it."""
    ref = make_mission(run, state="contract_signed")
    run.ok("invoice", "deposit", ref, "--on", "2026-03-03")
    text = run.ok("invoice", "show", "2026-0001")
    for expected in (
        "FACTURE D'ACOMPTE",
        "Numéro : 2026-0001",
        "Date d'émission : 3 mars 2026",
        "Camille Martin (EI)",
        "SIRET : 73282932000074",
        "Acme",
        "SIREN : 552100554",
        "Total TTC : 300,00\u00a0€",
        "au plus tard le 2 avril 2026",
        "taux annuel de 12 %",
        "40,00\u00a0€",
        "TVA non applicable, art. 293 B du CGI",
        "Pas d'escompte pour paiement anticipé.",
    ):
        assert expected in text, expected
    assert ref not in text
    english = run.ok("invoice", "show", "2026-0001", "--lang", "en")
    for expected in ("DEPOSIT INVOICE", "Total incl. VAT: €300.00", "by 2 April 2026", "annual rate of 12%"):
        assert expected in english, expected
    markdown = run.ok("invoice", "show", "2026-0001", "--format", "md")
    assert markdown.startswith("# Facture d'acompte")
    page = run.ok("invoice", "show", "2026-0001", "--format", "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "@page" in page
    assert "Camille Martin" in page
    for external in ("http://", "https://", "src=", "<link", "url(", "@import", "<script"):
        assert external not in page
    target = tmp_path / "out" / "2026-0001.pdf"
    target.parent.mkdir()  # -o never makes folders
    assert run.ok("invoice", "show", "2026-0001", "--format", "pdf", "-o", str(target)).strip() == str(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert run("invoice", "show", "2026-0001", "--format", "pdf").stdout_bytes.startswith(b"%PDF-")
    assert run("invoice", "show", "2026-0099").exit_code == 5
    assert run("invoice", "show", "2026-0001", "--format", "docx").exit_code == 2


def test_invoice_show_states_no_indemnity_to_a_consumer(run: Cli) -> None:
    """A consumer's invoice carries the penalty rate but not the fixed business indemnity."""
    ref = make_mission(run, state="contract_signed", business=False)
    run.ok("invoice", "deposit", ref, "--on", "2026-03-03")
    text = run.ok("invoice", "show", "2026-0001")
    assert "taux annuel de 12 %" in text
    assert "recouvrement" not in text


def test_plan_set_and_show_with_exit_codes(run: Cli) -> None:
    """`plan set` accepts an exact plan within 60 days and exits 2 otherwise; `plan show` gives statuses."""
    ref = make_mission(run)
    run.ok("invoice", "final", ref, "--at", "2026-04-01T12:00+02:00")
    assert run.ok("plan", "show", ref).strip() == f"{ref}: no installment plan"
    assert run.json("plan", "show", ref) is None
    short = run("plan", "set", ref, "--installment", "2026-05-01:350", "--installment", "2026-05-31:349.99")
    assert short.exit_code == 2
    assert "not the 700.00 EUR due" in short.stderr
    late = run("plan", "set", ref, "--installment", "2026-05-01:350", "--installment", "2026-06-01:350")
    assert late.exit_code == 2
    assert "legal maximum" in late.stderr
    assert run("plan", "set", ref, "--installment", "May:350").exit_code == 2
    assert run("plan", "set", ref, "--installment", "2026-05-01:-700").exit_code == 2
    assert run("plan", "set", "M-9", "--installment", "2026-05-01:700").exit_code == 5
    out = run.ok(
        "plan",
        "set",
        ref,
        "--installment",
        "2026-05-01:350",
        "--installment",
        "2026-05-31:350",
        "--on",
        "2026-04-02",
    )
    assert "plan of 700.00 EUR" in out
    run.ok("payment", "add", ref, "350", "--on", "2026-04-30")
    shown = run.json("plan", "show", ref, "--on", "2026-06-01")
    assert isinstance(shown, dict)
    assert [(i["due_on"], i["status"]) for i in shown["installments"]] == [
        ("2026-05-01", "paid"),
        ("2026-05-31", "overdue"),
    ]


def test_overdue_lists_interest_and_indemnity_for_a_fixed_date(run: Cli) -> None:
    """`overdue --on` gives days late, interest at 12 % and 40 EUR for a business client, none for a consumer."""
    business = make_mission(run)
    consumer = make_mission(run, business=False, client="Jeanne")
    run.ok("invoice", "final", business, "--at", "2026-04-01T12:00+02:00")
    run.ok("invoice", "final", consumer, "--at", "2026-04-01T12:00+02:00")
    assert run.json("overdue", "--on", "2026-05-01") == []
    items = run.json("overdue", "--on", "2026-05-31")
    assert isinstance(items, list)
    assert [
        (i["mission"], i["reference"], i["days_late"], i["interest"]["amount"], i["indemnity"]["amount"])
        for i in items
    ] == [(business, "2026-0001", 30, "6.90", "40.00"), (consumer, "2026-0002", 30, "6.90", "0.00")]
    assert items[0]["total"]["amount"] == "746.90"
    text = run.ok("overdue", "--on", "2026-05-31")
    assert "invoice 2026-0001" in text
    assert run("overdue", "--on", "tomorrow").exit_code == 2


def test_tick_acts_once_and_says_so(run: Cli) -> None:
    """`tick --now` fires the deposit reminder once and says so; the same tick again processes
    nothing; `timers` lists it as fired; a bad moment exits 2."""
    ref = make_mission(run, state="contract_signed")
    assert run.ok("timers", "--mission", ref, "--pending").splitlines()[1].split()[:3] == [
        ref,
        "remind_deposit",
        "contract_signed",
    ]
    first = run.ok("tick", "--now", "2026-03-10T12:00+01:00")
    assert f"{ref}: remind_deposit (due 2026-03-09 10:00 UTC): fired" in first
    assert first.strip().endswith("1 timer processed")
    assert run.ok("tick", "--now", "2026-03-10T12:00+01:00").strip() == "0 timers processed"
    assert run.json("tick", "--now", "2026-03-11T12:00+01:00") == []
    history = run.json("mission", "history", ref)
    assert isinstance(history, list)
    assert [(h["trigger"], h["actor"]) for h in history if h["trigger"] == "remind_deposit"] == [
        ("remind_deposit", "timer")
    ]
    listed = run.json("timers", "--mission", ref)
    assert isinstance(listed, list)
    assert [(t["trigger"], t["status"], t["outcome"]) for t in listed] == [
        ("remind_deposit", "fired", "fired")
    ]
    assert run.ok("timers", "--pending").strip() == "(none)"
    assert run("tick", "--now", "soon").exit_code == 2
    refused = run("fire", ref, "remind_deposit")
    assert refused.exit_code == 4
    assert "its timer fires it" in refused.stderr
    run.ok("verify")


def test_tick_skips_a_reminder_that_no_longer_applies(run: Cli) -> None:
    """A deposit paid in time: tick says the reminder is skipped and why, in text and JSON."""
    ref = make_mission(run, state="contract_signed")
    run.ok("payment", "add", ref, "300", "--on", "2026-03-03")
    [result] = run.json("tick", "--now", "2026-03-10T12:00+01:00")  # type: ignore[misc]
    assert result == {
        "mission": ref,
        "trigger": "remind_deposit",
        "source": "contract_signed",
        "due_at": "2026-03-09T10:00:00+00:00",
        "fired": False,
        "outcome": "skipped: the deposit of 300.00 EUR is received",
        "dest": None,
    }


def test_payment_add_warns_when_no_invoice_asks_for_it(run: Cli) -> None:
    """A payment before any invoice warns on stderr about the deposit invoice; after one, no warning."""
    ref = make_mission(run, state="contract_signed")
    early = run("payment", "add", ref, "100", "--on", "2026-03-02")
    assert early.exit_code == 0
    assert "French practice asks for a deposit invoice" in early.stderr
    assert "warning" not in early.stdout
    run.ok("invoice", "deposit", ref, "--on", "2026-03-03")
    later = run("payment", "add", ref, "200", "--on", "2026-03-04")
    assert later.exit_code == 0
    assert later.stderr == ""
    listed = run.json("invoice", "list", "--mission", ref)
    assert isinstance(listed, list)
    assert listed[0]["status"] == "paid"
