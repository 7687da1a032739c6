"""The commands of the trade (settings, criteria, rush, specification, contract, amendments,
payments, deliveries, revisions, tacit approval, termination) with their exit codes.

Missions are brought to the state a test needs through the library on the same database (SQLite
and PostgreSQL), then the command under test runs as a user types it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from missionflow import Money, Store, testing
from missionflow.freelance import Contract, Deliverable, Payment, Specification
from tests.cli_helpers import Cli

EUR = "EUR"
TODAY = date.today()
SPEC = Specification(
    objectives="A faster site",
    deliverables=(Deliverable("website"), Deliverable("admin access", "access_code")),
    deadline=TODAY + timedelta(days=60),
    budget=Money.of("4500", EUR),
    acceptance="Lighthouse over 90",
)


@pytest.fixture
def run(store_url: str) -> Cli:
    """A CLI bound to a fresh database (SQLite and PostgreSQL), where ``store`` sets the scene."""
    return Cli(store_url)


NOW = datetime.now(UTC) - timedelta(days=30)
"""When the missions of these tests start: a month ago, so that later steps can be dated before today."""
SIGNED_ON = (NOW + timedelta(days=5)).date()
PAID_ON = (NOW + timedelta(days=7)).date()


def lead(store: Store, client: str = "Atelier Dupont", at: datetime = NOW, **terms: object) -> str:
    """A 4500 EUR lead (30 % deposit) for a new client; returns its reference."""
    return testing.lead(store, client=client, title="Website", amount="4500", at=at, **terms)


def accepted(store: Store, **terms: object) -> str:
    """A mission qualified and accepted (every criterion yes), waiting for its specification."""
    ref = lead(store, **terms)
    testing.accept(store, ref, at=NOW)
    return ref


def signed(store: Store, acceptance_days: int | None = None) -> str:
    """A mission with its specification and signed contract."""
    ref = lead(store)
    testing.sign(store, ref, spec=SPEC, acceptance_days=acceptance_days, at=NOW)
    return ref


def working(store: Store, acceptance_days: int | None = None) -> str:
    """A mission whose deposit is paid and confirmed and whose work has started."""
    ref = signed(store, acceptance_days)
    testing.start(store, ref, at=NOW)
    return ref


# --- settings ----------------------------------------------------------------------------------


def test_settings_show_lists_every_setting_and_the_criteria(run: Cli) -> None:
    """`settings show` names identity, money, time and working-hours settings, and each criterion's kind."""
    out = run.ok("settings", "show")
    for key in (
        "name",
        "legal_name",
        "siret",
        "address",
        "legal_form",
        "postcode",
        "city",
        "vat_regime",
        "vat_rate",
        "iban",
        "bic",
        "logo",
        "quote_validity_days",
        "currency",
        "deposit_percent",
        "included_revisions",
        "minimum_lead_days",
        "payment_terms_days",
        "late_penalty_rate",
        "working_days",
        "working_hours",
    ):
        assert any(line.split()[0] == key for line in out.splitlines() if line.strip()), key
    assert "mon,tue,wed,thu,fri" in out
    assert "09:00-18:00" in out
    assert any(line.split()[:2] == ["budget_fits", "must-have"] for line in out.splitlines())
    assert any(line.split()[:2] == ["interesting", "nice-to-have"] for line in out.splitlines())
    shown = run.json("settings", "show")
    assert isinstance(shown, dict)
    assert shown["deposit_percent"] == "30"
    assert {
        "name": "interesting",
        "question": "Is the project interesting for my portfolio?",
        "must_have": False,
    } in shown["criteria"]


def test_settings_set_saves_valid_values(run: Cli) -> None:
    """Identity, percentages, days and hours are saved and shown back as typed."""
    run.ok("settings", "set", "legal_name", "Camille Martin EI")
    run.ok("settings", "set", "siret", "732 829 320 00074")
    run.ok("settings", "set", "deposit_percent", "40%")
    run.ok("settings", "set", "working_days", "mon,tue,thu")
    run.ok("settings", "set", "working_hours", "08:30-17:00")
    shown = run.json("settings", "show")
    assert isinstance(shown, dict)
    assert (shown["legal_name"], shown["siret"], shown["deposit_percent"]) == (
        "Camille Martin EI",
        "73282932000074",
        "40",
    )
    assert (shown["working_days"], shown["working_hours"]) == ("mon,tue,thu", "08:30-17:00")


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("deposit_percent", "150", "over 100 %"),
        ("deposit_percent", "0.3", "ambiguous"),
        ("late_penalty_rate", "lots", "plain decimal number"),
        ("late_penalty_rate", "1e999", "plain decimal number"),
        ("recovery_indemnity", "40,00", "without thousands separators"),
        ("minimum_lead_days", "-1", "whole number"),
        ("payment_terms_days", "90", "legal maximum of 60"),
        ("working_days", "mon,funday", "mon,tue"),
        ("working_hours", "18:00-09:00", "start must be before the end"),
        ("currency", "EURO", "ISO 4217 currency code"),
        ("currency", "XYZ", "ISO 4217 currency code"),
        ("siret", "1234", "14 digits"),
        ("timezone", "Mars/Olympus", "timezone"),
        ("name", " ", "cannot be empty"),
        ("favourite_colour", "blue", "keys: name, legal_name"),
    ],
)
def test_settings_set_refuses_bad_values_with_exit_2(run: Cli, key: str, value: str, says: str) -> None:
    """A bad value (or key) exits 2, says what is expected, and changes nothing."""
    before = run.json("settings", "show")
    result = run("settings", "set", "--", key, value)  # "--": a value may start with "-"
    assert result.exit_code == 2
    assert says in result.stderr
    assert run.json("settings", "show") == before


def test_settings_criterion_adds_changes_and_removes(run: Cli) -> None:
    """A criterion is added as a must-have or a nice-to-have, and removed; mistakes exit 2."""
    run.ok("settings", "criterion", "pays_on_time", "Did they pay past invoices on time?")
    run.ok("settings", "criterion", "near_me", "Can I meet them?", "--nice-to-have")
    criteria = run.json("settings", "show")["criteria"]  # type: ignore[index]
    assert criteria[-2:] == [
        {"name": "pays_on_time", "question": "Did they pay past invoices on time?", "must_have": True},
        {"name": "near_me", "question": "Can I meet them?", "must_have": False},
    ]
    run.ok("settings", "criterion", "near_me", "--remove")
    assert "near_me" not in run.ok("settings", "show")
    assert run("settings", "criterion", "near_me", "--remove").exit_code == 2
    assert run("settings", "criterion", "no_question").exit_code == 2


# --- criteria and rush (R1, R2) ----------------------------------------------------------------


def test_mission_assess_records_answers_and_accept_follows_them(run: Cli, store: Store) -> None:
    """Answers are recorded; accept exits 3 naming the must-have answered no, then passes."""
    ref = lead(store)
    store.fire(ref, "qualify")
    assert run.ok("mission", "assess", ref, "budget_fits", "no", "--note", "half my rate").strip() == (
        f"{ref}: budget_fits = no"
    )
    run.ok("mission", "assess", ref, "respectful", "yes")
    run.ok("mission", "assess", ref, "clear_need", "yes")
    blocked = run("fire", ref, "accept")
    assert blocked.exit_code == 3
    assert "must-have criterion 'budget_fits' is not met" in blocked.stderr
    run.ok("mission", "assess", ref, "budget_fits", "yes")
    run.ok("fire", ref, "accept")
    assert store.get_mission(ref).criteria_answers["budget_fits"].note == ""


def test_mission_assess_refuses_an_unknown_criterion_naming_the_known_ones(run: Cli, store: Store) -> None:
    """An unknown criterion exits 2 and lists the criteria; an answer other than yes/no exits 2."""
    ref = lead(store)
    result = run("mission", "assess", ref, "likes_cats", "yes")
    assert result.exit_code == 2
    assert "criteria: budget_fits, respectful, clear_need, interesting" in result.stderr
    assert run("mission", "assess", ref, "budget_fits", "maybe").exit_code == 2
    assert run("mission", "assess", "M-99", "budget_fits", "yes").exit_code == 5


def test_mission_rush_lets_a_tight_deadline_be_accepted(run: Cli, store: Store) -> None:
    """accept exits 3 on a deadline closer than the lead time; after `mission rush` it passes."""
    ref = lead(store, deadline=TODAY + timedelta(days=2))
    store.fire(ref, "qualify")
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    blocked = run("fire", ref, "accept")
    assert blocked.exit_code == 3
    assert "less than the minimum lead time of 7 days" in blocked.stderr
    assert run("mission", "rush", ref, "--amount", "-5").exit_code == 2
    assert (
        run.ok("mission", "rush", ref, "--amount", "300").strip()
        == f"{ref}: rush surcharge of 300.00 EUR agreed"
    )
    run.ok("fire", ref, "accept")
    assert store.get_mission(ref).rush_surcharge == Money.of("300", EUR)


# --- specification (R3) ------------------------------------------------------------------------


def test_spec_set_from_options_keeps_what_is_not_given(run: Cli, store: Store) -> None:
    """Options write the parts given and keep the others; the output says what is still missing."""
    ref = accepted(store)
    out = run.ok("spec", "set", ref, "--objectives", "A faster site", "--deliverable", "website")
    assert (
        out.strip()
        == f"{ref}: specification saved (still missing: a deadline, a budget, acceptance criteria)"
    )
    out = run.ok(
        "spec",
        "set",
        ref,
        "--access-code",
        "admin access",
        "--deliverable",
        "website",
        "--deadline",
        SPEC.deadline.isoformat() if SPEC.deadline else "",
        "--budget",
        "4500",
        "--acceptance",
        "Lighthouse over 90",
    )
    assert out.strip() == f"{ref}: specification saved (complete)"
    assert store.get_mission(ref).specification == Specification(
        objectives="A faster site",
        deliverables=(Deliverable("website"), Deliverable("admin access", "access_code")),
        deadline=SPEC.deadline,
        budget=SPEC.budget,
        acceptance="Lighthouse over 90",
    )
    assert run("spec", "set", ref, "--budget", "-1").exit_code == 2
    assert run("spec", "set", ref, "--deadline", "next week").exit_code == 2


def test_spec_set_reads_a_yaml_file(run: Cli, store: Store, tmp_path: Path) -> None:
    """A YAML file gives the whole specification; options given with it win."""
    ref = accepted(store)
    path = tmp_path / "spec.yaml"
    path.write_text(
        "objectives: A faster site\n"
        "deliverables: [website]\n"
        "access_codes:\n  - admin access\n"
        f"deadline: {SPEC.deadline}\n"
        "budget: 4500\n"
        "acceptance: Lighthouse over 80\n",
        encoding="utf-8",
    )
    run.ok("spec", "set", ref, "--file", str(path), "--acceptance", "Lighthouse over 90")
    assert store.get_mission(ref).specification == SPEC


def test_spec_set_reads_a_markdown_file(run: Cli, store: Store, tmp_path: Path) -> None:
    """A Markdown file with one heading per part (French headings too) gives the specification."""
    ref = accepted(store)
    path = tmp_path / "cahier.md"
    path.write_text(
        "# Cahier des charges\n\n## Objectifs\nA faster site\n\n## Livrables\n- website\n\n"
        "## Codes d'accès\n- admin access\n\n"
        f"## Échéance\n{SPEC.deadline}\n\n## Budget\n4500 €\n\n## Critères d'acceptation\nLighthouse over 90\n",
        encoding="utf-8",
    )
    assert run.ok("spec", "set", ref, "--file", str(path)).strip() == f"{ref}: specification saved (complete)"
    assert store.get_mission(ref).specification == SPEC


def test_spec_set_refuses_a_bad_file_with_exit_2(run: Cli, store: Store, tmp_path: Path) -> None:
    """Unknown parts, a budget in another currency or broken YAML exit 2 and save nothing."""
    ref = accepted(store)
    for name, text, says in [
        ("a.yaml", "objectives: x\ncolour: blue\n", "unknown part 'colour'"),
        ("b.md", "## Budget\n100 USD\n", "USD is not the mission's currency EUR"),
        ("c.yaml", "deliverables: [website\n", "YAML syntax error"),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run("spec", "set", ref, "--file", str(path))
        assert result.exit_code == 2, name
        assert says in result.stderr
    assert run("spec", "set", ref, "--file", str(tmp_path / "missing.yaml")).exit_code == 2
    assert store.get_mission(ref).specification is None


def test_spec_show_says_what_is_missing_and_what_was_delivered(run: Cli, store: Store) -> None:
    """`spec show` lists the parts, the missing ones and each deliverable's delivery."""
    empty = accepted(store)
    assert "still missing: objectives, at least one deliverable" in run.ok("spec", "show", empty)
    ref = working(store)
    store.fire(ref, "deliver", data={"deliverable": "website"})
    out = run.ok("spec", "show", ref)
    assert f"{ref}  specification (complete)" in out
    assert "Lighthouse over 90" in out
    shown = run.json("spec", "show", ref)
    assert isinstance(shown, dict)
    assert (shown["complete"], shown["missing"], shown["budget"]) == (
        True,
        [],
        {"amount": "4500.00", "currency": "EUR"},
    )
    assert shown["deliverables"] == [
        {"name": "website", "kind": "deliverable", "delivered": True, "price": None},
        {"name": "admin access", "kind": "access_code", "delivered": False, "price": None},
    ]
    assert run("spec", "show", "M-99").exit_code == 5


# --- contract and amendments (R4) --------------------------------------------------------------


def test_contract_sign_is_refused_with_exit_3_while_the_spec_is_incomplete(run: Cli, store: Store) -> None:
    """With no deadline in the specification, sign exits 3 naming it and records no contract."""
    ref = accepted(store)
    store.set_specification(ref, Specification(objectives="x", deliverables=(Deliverable("site"),)))
    result = run("contract", "sign", ref, "--amount", "4500", "--terms-version", "CGV-2026-1")
    assert result.exit_code == 3
    assert "specification incomplete: missing a deadline, a budget, acceptance criteria" in result.stderr
    assert run.ok("contract", "show", ref).strip() == f"{ref}: no signed contract yet"
    assert store.get_mission(ref).state == "specification"


def test_contract_sign_records_every_term_and_moves_the_mission(run: Cli, store: Store) -> None:
    """Amount, currency, terms version, date, signer and acceptance period are recorded with the step."""
    ref = accepted(store)
    store.set_specification(ref, SPEC)
    out = run.ok(
        "contract",
        "sign",
        ref,
        "--amount",
        "4500",
        "--terms-version",
        "CGV-2026-1",
        "--signed-on",
        SIGNED_ON.isoformat(),
        "--by",
        "camille",
        "--acceptance-days",
        "15",
    )
    assert (
        out.strip() == f"{ref}: contract CGV-2026-1 signed for 4,500.00 EUR; specification -> contract_signed"
    )
    mission = store.get_mission(ref)
    assert mission.contract == Contract(Money.of("4500", EUR), "CGV-2026-1", SIGNED_ON, "camille", 15)
    assert mission.state == "contract_signed"
    assert run("contract", "sign", ref, "--amount", "4500", "--terms-version", "CGV-2026-1").exit_code == 4


def test_contract_sign_takes_pro_bono_and_refuses_bad_values(run: Cli, store: Store) -> None:
    """An explicit 0 is a pro bono contract; a missing amount, a negative one or a bad date exit 2."""
    ref = accepted(store)
    store.set_specification(ref, SPEC)
    assert run("contract", "sign", ref, "--terms-version", "CGV-2026-1").exit_code == 2
    assert run("contract", "sign", ref, "--amount", "-1", "--terms-version", "CGV").exit_code == 2
    assert (
        run(
            "contract", "sign", ref, "--amount", "0", "--terms-version", "CGV", "--signed-on", "soon"
        ).exit_code
        == 2
    )
    assert (
        run(
            "contract", "sign", ref, "--amount", "0", "--terms-version", "CGV", "--acceptance-days", "0"
        ).exit_code
        == 2
    )
    assert store.get_mission(ref).contract is None
    run.ok("contract", "sign", ref, "--amount", "0", "--terms-version", "CGV-2026-1")
    assert "0.00 EUR (pro bono)" in run.ok("contract", "show", ref)


def test_contract_amend_records_amendments_beside_the_signed_contract(run: Cli, store: Store) -> None:
    """Amendments (raising or lowering the price) are listed with the total; the contract is unchanged."""
    ref = working(store)
    original = store.get_mission(ref).contract
    run.ok("contract", "amend", ref, "--amount", "600", "--reason", "a blog section")
    run.ok("contract", "amend", ref, "--amount", "-100", "--reason", "no favicon after all")
    run.ok("revision", "extra", ref, "--amount", "250", "--note", "a third round")
    assert store.get_mission(ref).contract == original
    shown = run.json("contract", "show", ref)
    assert isinstance(shown, dict)
    assert shown["total"] == {"amount": "5250.00", "currency": "EUR"}
    assert [(a["kind"], a["amount"]["amount"], a["reason"]) for a in shown["amendments"]] == [
        ("amendment", "600.00", "a blog section"),
        ("amendment", "-100.00", "no favicon after all"),
        ("extra_revision", "250.00", "a third round"),
    ]
    out = run.ok("contract", "show", ref)
    assert "a blog section" in out
    assert "5,250.00 EUR" in out


def test_contract_amend_refuses_with_exit_8_or_2(run: Cli, store: Store) -> None:
    """Before the signature amend is refused by a rule of the trade (exit 8); without a reason, with a
    bad amount or below 0 it exits 2; nothing is recorded."""
    unsigned = accepted(store)
    result = run("contract", "amend", unsigned, "--amount", "100", "--reason", "more pages")
    assert result.exit_code == 8
    assert "no signed contract to amend" in result.stderr
    ref = signed(store)
    assert run("contract", "amend", ref, "--amount", "100", "--reason", " ").exit_code == 2
    assert run("contract", "amend", ref, "--amount", "a lot", "--reason", "more").exit_code == 2
    below = run("contract", "amend", ref, "--amount", "-4500.01", "--reason", "free")
    assert below.exit_code == 2
    assert "-0.01 EUR" in below.stderr
    assert store.list_amendments(ref) == []


# --- payments and deposit (R5, R7) -------------------------------------------------------------


def test_payment_add_and_start_work_follow_the_deposit(run: Cli, store: Store) -> None:
    """start_work exits 3 with the amount still due; payments are recorded; once the deposit is paid,
    start_work still exits 3 until confirm_deposit is fired; then work starts."""
    ref = signed(store)
    blocked = run("fire", ref, "start_work")
    assert blocked.exit_code == 3
    assert "deposit not received: 0.00 of 1,350.00 EUR (30 %), 1,350.00 EUR still due" in blocked.stderr
    out = run.ok(
        "payment", "add", ref, "1000", "--on", PAID_ON.isoformat(), "--method", "transfer", "--ref", "VIR-42"
    )
    assert out.strip() == f"{ref}: 1,000.00 EUR received; paid 1,000.00 EUR, deposit due 1,350.00 EUR"
    assert "350.00 EUR still due" in run("fire", ref, "start_work").stderr
    run.ok("payment", "add", ref, "350")
    unconfirmed = run("fire", ref, "start_work")
    assert unconfirmed.exit_code == 3
    assert "still due" not in unconfirmed.stderr
    assert (
        "a deposit of 30 % was agreed: confirm it (confirm_deposit) before starting work"
        in unconfirmed.stderr
    )
    assert "contract_signed --confirm_deposit--> deposit_received" in run.ok("fire", ref, "confirm_deposit")
    assert "deposit_received --start_work--> in_progress" in run.ok("fire", ref, "start_work")
    received = [p for p in store.get_mission(ref).payments if p.reference == "VIR-42"]
    assert received == [Payment(Money.of("1000", EUR), PAID_ON, "transfer", "VIR-42")]


def test_payment_add_refuses_bad_values_with_exit_2(run: Cli, store: Store) -> None:
    """Zero, negative or non-numeric amounts and bad dates exit 2 and record nothing."""
    ref = signed(store)
    for args in (["0"], ["-5"], ["lots"], ["10", "--on", "yesterday"]):
        assert run("payment", "add", ref, *args).exit_code == 2, args
    assert store.get_mission(ref).payments == []


def test_zero_deposit_work_starts_right_after_the_signature(run: Cli, store: Store) -> None:
    """With a 0 % deposit, start_work passes straight from contract_signed."""
    ref = accepted(store, deposit_percent=0)
    store.set_specification(ref, SPEC)
    run.ok("contract", "sign", ref, "--amount", "4500", "--terms-version", "CGV-2026-1")
    assert "contract_signed --start_work--> in_progress" in run.ok("fire", ref, "start_work")


# --- deliveries, revisions, approval (R8, R10) -------------------------------------------------


def test_deliver_records_a_deliverable_and_refuses_others_with_exit_3(run: Cli, store: Store) -> None:
    """A deliverable of the specification is delivered; anything else exits 3 naming the expected ones."""
    ref = working(store)
    assert run.ok("deliver", ref, "website", "--note", "deployed").strip() == f"{ref}: website delivered"
    result = run("deliver", ref, "video")
    assert result.exit_code == 3
    assert "'video' is not a deliverable of the specification (expected one of: website, admin access)" in (
        result.stderr
    )
    assert [name for name, _ in store.get_mission(ref).deliveries()] == ["website"]


def test_revision_extra_opens_one_more_round(run: Cli, store: Store) -> None:
    """Past the included rounds request_revision exits 3; `revision extra` lets one more through."""
    ref = lead(store, included_revisions=0)
    store.fire(ref, "qualify")
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.fire(ref, "accept")
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(Money.of("4500", EUR), "CGV-2026-1", TODAY))
    store.record_payment(ref, Payment(Money.of("1350", EUR), TODAY))
    store.fire(ref, "confirm_deposit")
    store.fire(ref, "start_work")
    run.ok("deliver", ref, "website")
    blocked = run("fire", ref, "request_revision")
    assert blocked.exit_code == 3
    assert "all 0 revision rounds are used (0 included, 0 extra)" in blocked.stderr
    out = run.ok("revision", "extra", ref, "--amount", "250", "--note", "homepage")
    assert out.strip() == f"{ref}: one extra revision round agreed for 250.00 EUR"
    run.ok("fire", ref, "request_revision")
    assert run("revision", "extra", ref, "--amount", "-1").exit_code == 2


def test_approve_waits_for_every_deliverable(run: Cli, store: Store) -> None:
    """approve exits 3 naming the missing access code, then passes once it is delivered."""
    ref = working(store)
    run.ok("deliver", ref, "website")
    blocked = run("fire", ref, "approve")
    assert blocked.exit_code == 3
    assert "not delivered yet: admin access (access code)" in blocked.stderr
    run.ok("deliver", ref, "admin access")
    run.ok("fire", ref, "approve")


def test_approve_tacit_before_the_period_or_without_one_exits_3(run: Cli, store: Store) -> None:
    """Right after the last delivery, or with no acceptance period, tacit approval exits 3 and says why."""
    ref = working(store, acceptance_days=15)
    run.ok("deliver", ref, "website")
    run.ok("deliver", ref, "admin access")
    early = run("mission", "approve-tacit", ref)
    assert early.exit_code == 3
    assert "15 days after the last delivery" in early.stderr
    plain = working(store)
    run.ok("deliver", plain, "website")
    run.ok("deliver", plain, "admin access")
    result = run("mission", "approve-tacit", plain)
    assert result.exit_code == 3
    assert "tacit approval needs an acceptance period in the contract" in result.stderr


def test_approve_tacit_after_the_period_approves_with_the_note(run: Cli, store: Store) -> None:
    """Deliveries made 16 days ago with a 15-day period: approve-tacit approves, noted in the history."""
    ref = working(store, acceptance_days=15)
    long_ago = (datetime.now(UTC) - timedelta(days=16)).isoformat()
    for name in ("website", "admin access"):
        run.ok("fire", ref, "deliver", "--data", f"deliverable={name}", "--at", long_ago)
    out = run.ok("mission", "approve-tacit", ref, "--by", "camille")
    assert out.strip() == f"{ref}: in_progress --approve--> approved (tacit approval)"
    last = run.json("mission", "history", ref)[-1]  # type: ignore[index]
    assert (last["trigger"], last["note"], last["data"], last["actor"]) == (
        "approve",
        "tacit approval",
        {"tacit": "yes"},
        "camille",
    )


# --- ending it (R11) and working hours (R12) ---------------------------------------------------


def test_terminate_with_block_client_blocks_their_next_lead(run: Cli, store: Store) -> None:
    """terminate --block-client ends the mission and blocks the client; their new lead exits 3 with the reason."""
    ref = working(store)
    client = store.get_mission(ref).client.ref
    refused = run("fire", ref, "terminate", "--block-client")
    assert refused.exit_code == 3
    assert "a reason is required" in refused.stderr
    assert not store.get_client(client).blocked
    run.ok(
        "fire", ref, "terminate", "--reason", "called on Saturday for work due yesterday", "--block-client"
    )
    assert store.get_mission(ref).state == "terminated"
    new = store.create_mission(client, "Another site").ref
    blocked = run("fire", new, "qualify")
    assert blocked.exit_code == 3
    assert "client Atelier Dupont is blocked: called on Saturday for work due yesterday" in blocked.stderr


def test_decline_before_the_contract_and_block_only_with_an_exit(run: Cli, store: Store) -> None:
    """decline exits 4 after the contract and terminate before it; --block-client on another trigger exits 2."""
    ref = lead(store)
    assert run("fire", ref, "terminate", "--reason", "rude").exit_code == 4
    assert run("fire", ref, "qualify", "--block-client").exit_code == 2
    assert store.get_mission(ref).state == "lead"
    run.ok("fire", ref, "decline", "--reason", "rude on the phone", "--block-client")
    assert store.get_mission(ref).client.blocked_reason == "rude on the phone"
    after = lead(store, client="Brasserie Lune")
    testing.sign(store, after, spec=SPEC, at=NOW)
    assert run("fire", after, "decline", "--reason", "changed my mind").exit_code == 4


def test_history_shows_steps_out_of_working_hours(run: Cli, store: Store) -> None:
    """A step fired on a Saturday is marked out of hours in `mission history`, text and JSON."""
    ref = lead(store, at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    run.ok("fire", ref, "qualify", "--at", "2026-03-02T11:00+01:00")  # a Monday morning
    run.ok("fire", ref, "decline", "--reason", "no", "--at", "2026-03-07T11:00+01:00")  # a Saturday
    lines = run.ok("mission", "history", ref).splitlines()
    assert "(out of hours)" not in lines[1]
    assert "2026-03-07 11:00 (out of hours)" in lines[2]
    assert [e["out_of_hours"] for e in run.json("mission", "history", ref)] == [False, True]  # type: ignore[union-attr, index]
