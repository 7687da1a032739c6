"""The store's contract, on SQLite and on a real PostgreSQL: clients, missions, firing, records,
invoices, exact money, aware times, private default file, hidden passwords, indexed listings."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import traceback
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from missionflow import (
    InvalidValueError,
    MissionNotFoundError,
    Money,
    StorageError,
    Store,
    TransitionBlockedError,
    TransitionNotAllowedError,
    load_workflow,
    open_store,
    parse_workflow,
    register_workflow,
    testing,
)
from missionflow.errors import ClientNotFoundError, InvoiceNotFoundError
from missionflow.freelance import Contract, Criterion, Deliverable, Payment, Settings, Specification
from missionflow.store import default_database_url
from missionflow.testing import eur
from missionflow.workflow import definition_as_json, workflow_names

EUR = "EUR"
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, within working hours


def new_mission(store: Store, title: str = "Logo") -> str:
    """A new mission of 1000 EUR for a new client; returns its reference."""
    if not store.get_settings().siret:
        testing.identify(store)  # so that its invoices can be issued
    return store.create_mission(testing.add_client(store).ref, title, amount=eur("1000"), at=AT).ref


def to_specification(store: Store, ref: str) -> None:
    """Qualify and accept a mission, answering every criterion yes."""
    store.fire(ref, "qualify", at=AT)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.fire(ref, "accept", at=AT)


SPEC = Specification(
    objectives="A new logo",
    deliverables=(Deliverable("logo"), Deliverable("admin password", "access_code")),
    deadline=date(2026, 6, 1),
    budget=Money.of("1000", EUR),
    acceptance="The client approves in writing",
)


# --- clients -----------------------------------------------------------------------------------


def test_clients_get_short_refs_and_come_back_as_recorded(store: Store) -> None:
    """Clients get refs C-1, C-2 in order and read back with every field; unknown refs raise."""
    first = store.add_client("  Acme  ", email="a@acme.test", company="Acme SA")
    second = store.add_client("Bob", business=False)
    assert (first.ref, second.ref) == ("C-1", "C-2")
    assert store.get_client("c-1") == first
    assert first.name == "Acme"
    assert first.company == "Acme SA"
    assert first.email == "a@acme.test"
    assert not second.business
    assert not second.blocked
    assert [c.ref for c in store.list_clients()] == ["C-1", "C-2"]
    with pytest.raises(ClientNotFoundError):
        store.get_client("C-99")
    with pytest.raises(ClientNotFoundError):
        store.get_client("nonsense")
    with pytest.raises(InvalidValueError):
        store.add_client("   ")


def test_blocking_a_client_blocks_their_leads_and_bumps_their_missions(store: Store) -> None:
    """A blocked client's mission cannot be qualified, its version moved, and unblocking lifts it."""
    ref = new_mission(store)
    client = store.get_mission(ref).client.ref
    before = store.get_mission(ref).version
    blocked = store.block_client(client, "called on Saturday for work due yesterday")
    assert blocked.blocked
    assert blocked.as_client().blocked_reason.startswith("called")
    assert store.get_mission(ref).version > before
    with pytest.raises(TransitionBlockedError) as caught:
        store.fire(ref, "qualify", at=AT)
    assert "blocked" in caught.value.reasons[0]
    store.unblock_client(client)
    assert store.fire(ref, "qualify", at=AT).dest == "criteria_check"


# --- missions ----------------------------------------------------------------------------------


def test_missions_get_short_refs_defaults_and_their_workflow_version(store: Store) -> None:
    """New missions are M-1, M-2..., start in the initial state with the settings' defaults."""
    store.save_settings(Settings(deposit_percent=Decimal("40"), included_revisions=3, currency="EUR"))
    client = store.add_client("Acme").ref
    first = store.create_mission(client, "Logo", at=AT)
    second = store.create_mission(client, "Site", amount=eur("2500.50"), deadline=date(2026, 9, 1), at=AT)
    assert (first.ref, second.ref) == ("M-1", "M-2")
    assert first.state == "lead"
    assert first.workflow == "freelance-mission"
    assert first.workflow_version == load_workflow("freelance-mission").version
    assert first.deposit_percent == Decimal("40")
    assert first.included_revisions == 3
    assert first.client.ref == client
    assert first.amount is None
    shown = store.get_mission("m-2")
    assert shown.amount == eur("2500.50")
    assert shown.deadline == date(2026, 9, 1)
    assert shown.currency == EUR
    with pytest.raises(MissionNotFoundError):
        store.get_mission("M-3")
    with pytest.raises(ClientNotFoundError):
        store.create_mission("C-42", "Nobody's")
    with pytest.raises(InvalidValueError):
        store.create_mission(client, "Mixed", amount=Money.of("10", "USD"), currency="EUR")


def test_listing_is_most_recent_first_and_filters(store: Store) -> None:
    """list_missions orders by last update and filters by state, client, workflow and limit."""
    acme = store.add_client("Acme").ref
    bob = store.add_client("Bob").ref
    one = store.create_mission(acme, "One", at=AT).ref
    two = store.create_mission(bob, "Two", at=AT + timedelta(minutes=1)).ref
    three = store.create_mission(acme, "Three", workflow="coaching", at=AT + timedelta(minutes=2)).ref
    assert [m.ref for m in store.list_missions()] == [three, two, one]
    store.fire(one, "qualify", at=AT)  # now the most recently updated
    listed = store.list_missions()
    assert [m.ref for m in listed] == [one, three, two]
    assert listed[0].state == "criteria_check"
    assert listed[0].client_name == "Acme"
    assert listed[0].version == 1
    assert [m.ref for m in store.list_missions(state="lead")] == [three, two]
    assert [m.ref for m in store.list_missions(client=acme)] == [one, three]
    assert [m.ref for m in store.list_missions(workflow="coaching")] == [three]
    assert [m.ref for m in store.list_missions(limit=1)] == [one]
    assert store.count_by_state() == {"criteria_check": 1, "lead": 2}


def test_settings_round_trip_exactly(store: Store) -> None:
    """Saved settings come back equal, decimals, hours and criteria included."""
    assert store.get_settings() == Settings().with_changes(**testing.IDENTITY)
    custom = Settings(
        name="Jeanne",
        deposit_percent=Decimal("33.333"),
        working_days=(0, 2, 4),
        working_start=time(8, 30),
        criteria=(Criterion("pays_on_time", "Does the client pay on time?", True),),
    )
    store.save_settings(custom)
    assert store.get_settings() == custom
    store.save_settings(custom.with_changes(name="Jeanne D."))
    assert store.get_settings().name == "Jeanne D."


# --- firing and history ------------------------------------------------------------------------


def test_fire_writes_state_and_history_in_order(store: Store) -> None:
    """Each fire moves the state and appends one entry; history comes back in firing order."""
    ref = new_mission(store)
    fired = [store.fire(ref, "qualify", actor="jeanne", note="first call", at=AT)]
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    fired.append(store.fire(ref, "accept", actor="jeanne", at=AT + timedelta(hours=1)))
    mission = store.get_mission(ref)
    assert mission.state == "specification"
    assert mission.history == fired
    entries = store.history(ref)
    assert [e.position for e in entries] == [1, 2]
    assert [e.record for e in entries] == fired
    assert entries[1].prev_hash == entries[0].hash
    assert fired[0].actor == "jeanne"
    assert fired[0].note == "first call"
    assert fired[0].guards == ("client_not_blocked",)


def test_a_refused_fire_writes_nothing(store: Store) -> None:
    """Blocked or not-allowed triggers leave the state, the version and the history untouched."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    before = store.get_mission(ref)
    with pytest.raises(TransitionBlockedError) as blocked:
        store.fire(ref, "accept", at=AT)
    assert any("criterion" in reason for reason in blocked.value.reasons)
    with pytest.raises(TransitionNotAllowedError) as not_allowed:
        store.fire(ref, "invoice", at=AT)
    assert "accept" in not_allowed.value.allowed
    after = store.get_mission(ref)
    assert (after.state, after.version, after.history) == (before.state, before.version, before.history)
    assert len(store.history(ref)) == 1


def test_a_blocked_contract_signature_records_no_contract(store: Store) -> None:
    """sign_contract with an incomplete specification raises and leaves no contract behind."""
    ref = new_mission(store)
    to_specification(store, ref)
    contract = Contract(eur("1000"), "CGV-2026", date(2026, 3, 3), signed_by="Acme")
    with pytest.raises(TransitionBlockedError):
        store.sign_contract(ref, contract, at=AT)
    assert store.get_mission(ref).contract is None
    store.set_specification(ref, SPEC)
    record = store.sign_contract(ref, contract, actor="jeanne", at=AT)
    mission = store.get_mission(ref)
    assert record.dest == "contract_signed" == mission.state
    assert mission.contract == contract
    assert mission.specification == SPEC


def test_idempotency_key_returns_the_first_record_and_writes_nothing(store: Store) -> None:
    """Firing again with the same key gives the first record back, even after the state moved on."""
    ref = new_mission(store)
    first = store.fire(ref, "qualify", at=AT, idempotency_key="req-1")
    version = store.get_mission(ref).version
    again = store.fire(ref, "qualify", at=AT + timedelta(hours=1), idempotency_key="req-1")
    assert again == first
    assert store.get_mission(ref).version == version
    assert len(store.history(ref)) == 1
    with pytest.raises(InvalidValueError):
        store.fire(ref, "decline", note="no", idempotency_key="req-1")


def test_every_write_guards_read_bumps_the_version(store: Store) -> None:
    """Criteria, specification, payments, extras, surcharge and invoices each move the version by one."""
    ref = new_mission(store)
    writes = [
        lambda: store.answer_criterion(ref, "budget_fits", True),
        lambda: store.set_specification(ref, SPEC),
        lambda: store.record_payment(ref, Payment(eur("300"), date(2026, 3, 3))),
        lambda: store.set_rush_surcharge(ref, eur("200")),
        lambda: store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2)),
    ]
    for write in writes:
        before = store.get_mission(ref).version
        write()
        assert store.get_mission(ref).version == before + 1
    testing.sign(store, ref, spec=SPEC, at=AT)  # an extra round is agreed under a contract
    before = store.get_mission(ref).version
    store.agree_extra_revision(ref, eur("150"), "a fourth round")
    assert store.get_mission(ref).version == before + 1
    mission = store.get_mission(ref)
    assert mission.extra_revisions == 1
    assert mission.rush_surcharge == eur("200")
    assert mission.criteria_answers["budget_fits"].met


def test_invalid_records_are_refused_and_write_nothing(store: Store) -> None:
    """Unknown criteria, foreign currencies and non-positive payments raise InvalidValueError."""
    ref = new_mission(store)
    version = store.get_mission(ref).version
    with pytest.raises(InvalidValueError):
        store.answer_criterion(ref, "likes_cats", True)
    with pytest.raises(InvalidValueError):
        store.record_payment(ref, Payment(Money.of("10", "USD"), date(2026, 3, 3)))
    with pytest.raises(InvalidValueError):
        store.record_payment(ref, Payment(eur("0"), date(2026, 3, 3)))
    with pytest.raises(InvalidValueError):
        store.set_rush_surcharge(ref, Money.of("10", "USD"))
    with pytest.raises(MissionNotFoundError):
        store.record_payment("M-404", Payment(eur("1"), date(2026, 3, 3)))
    mission = store.get_mission(ref)
    assert mission.version == version
    assert mission.payments == []
    assert mission.rush_surcharge is None


def test_triggers_and_path_read_the_stored_facts(store: Store) -> None:
    """triggers() explains what is blocked and path_to() walks to a target, from stored facts."""
    ref = new_mission(store)
    store.fire(ref, "qualify", at=AT)
    options = {o.trigger: o for o in store.triggers(ref, at=AT)}
    assert not options["accept"].allowed
    assert options["decline"].reasons
    assert store.triggers(ref, at=AT, note="budget too small")[1].allowed
    report = store.path_to(ref, "in_progress", at=AT)
    assert report.reachable
    assert next(s.trigger for s in report.steps or ()) == "accept"
    with pytest.raises(InvalidValueError):
        store.path_to(ref, "nowhere")


# --- money and time ----------------------------------------------------------------------------


def test_money_is_exact_to_the_cent(store: Store) -> None:
    """0.10 + 0.20 is 0.30, thirds add back to the whole, and large amounts survive unchanged."""
    ref = new_mission(store)
    for amount in ("0.10", "0.20"):
        store.record_payment(ref, Payment(eur(amount), date(2026, 3, 3)))
    assert store.get_mission(ref).paid_total.amount == Decimal("0.30")
    thirds = new_mission(store, "Thirds")
    for amount in ("33.33", "33.33", "33.34"):
        store.record_payment(thirds, Payment(eur(amount), date(2026, 3, 3)))
    mission = store.get_mission(thirds)
    assert [p.amount.amount for p in mission.payments] == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    assert mission.paid_total == eur("100.00")
    client = store.get_mission(ref).client.ref
    big = store.create_mission(client, "Big", amount=eur("999999999999.99")).ref
    assert store.get_mission(big).amount == eur("999999999999.99")
    assert all(isinstance(p.amount.amount, Decimal) for p in mission.payments)


def test_times_come_back_timezone_aware_and_equal(store: Store) -> None:
    """A time given with an offset comes back aware (UTC) and equal to the same instant."""
    paris = timezone(timedelta(hours=2))
    moment = datetime(2026, 7, 1, 10, 30, 15, 123456, tzinfo=paris)
    ref = new_mission(store)
    record = store.fire(ref, "qualify", at=moment)
    stored = store.history(ref)[0].record
    assert stored == record
    assert stored.at == moment
    assert stored.at.utcoffset() == timedelta(0)
    mission = store.list_missions()[0]
    assert mission.updated_at.tzinfo is not None
    assert store.get_client(store.get_mission(ref).client.ref).created_at.tzinfo is not None
    with pytest.raises(InvalidValueError):
        store.fire(ref, "decline", note="x", at=datetime(2026, 7, 1, 10, 30))


# --- invoices ----------------------------------------------------------------------------------


def test_invoice_numbers_follow_the_year_without_gaps(store: Store) -> None:
    """Numbers run 2026-0001, 2026-0002, restart each year, and the mission lists its invoices."""
    ref = new_mission(store)
    deposit = store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    final = store.issue_invoice(
        ref,
        "final",
        eur("700"),
        date(2026, 5, 3),
        date(2026, 6, 2),
        lines=[{"label": "Logo", "amount": eur("700"), "quantity": Decimal("1")}],
    )
    credit = store.issue_invoice(
        ref, "credit", eur("100"), date(2026, 5, 4), date(2026, 5, 4), references=final.number
    )
    next_year = store.issue_invoice(ref, "final", eur("50"), date(2027, 1, 2), date(2027, 2, 1))
    assert [deposit.number, final.number, credit.number, next_year.number] == [
        "2026-0001",
        "2026-0002",
        "2026-0003",
        "2027-0001",
    ]
    assert final.lines == (
        {"label": "Logo", "amount": {"amount": "700.00", "currency": EUR}, "quantity": "1"},
    )
    assert credit.references == final.number
    assert store.list_invoices() == store.list_invoices(ref)
    assert [i.number for i in store.list_invoices()][2] == "2026-0003"
    assert store.list_invoices()[2].references == "2026-0002"
    mission = store.get_mission(ref)
    assert [i.number for i in mission.invoices] == ["2026-0001", "2026-0002", "2026-0003", "2027-0001"]
    assert mission.invoiced_total == eur("950")


def test_invoices_refuse_what_would_break_the_series(store: Store) -> None:
    """A date before the last invoice, an unknown reference or a wrong kind raise and take no number."""
    ref = new_mission(store)
    store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    with pytest.raises(InvalidValueError):
        store.issue_invoice(ref, "final", eur("700"), date(2026, 3, 1), date(2026, 4, 1))
    with pytest.raises(InvoiceNotFoundError):
        store.issue_invoice(
            ref, "credit", eur("1"), date(2026, 3, 4), date(2026, 3, 4), references="2026-0999"
        )
    with pytest.raises(InvalidValueError):
        store.issue_invoice(ref, "gift", eur("1"), date(2026, 3, 4), date(2026, 3, 4))
    with pytest.raises(InvalidValueError):
        store.issue_invoice(ref, "final", Money.of("1", "USD"), date(2026, 3, 4), date(2026, 3, 4))
    assert (
        store.issue_invoice(ref, "final", eur("700"), date(2026, 3, 4), date(2026, 4, 3)).number
        == "2026-0002"
    )


def test_an_issued_invoice_cannot_be_deleted(store: Store, store_url: str) -> None:
    """The database itself refuses to delete an issued invoice."""
    ref = new_mission(store)
    store.issue_invoice(ref, "deposit", eur("300"), date(2026, 3, 3), date(2026, 4, 2))
    engine = create_engine(store_url)
    try:
        with pytest.raises(Exception, match="cannot be deleted"), engine.begin() as conn:
            conn.execute(text("DELETE FROM mf_invoices"))
    finally:
        engine.dispose()
    assert len(store.list_invoices()) == 1


def to_in_progress(store: Store, ref: str) -> None:
    """Walk a 1000 EUR mission to in_progress: specification, contract, 30 % deposit paid and confirmed."""
    to_specification(store, ref)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(eur("1000"), "CGV-2026", date(2026, 3, 3)), at=AT)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 3)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)


def test_an_invoice_issued_with_its_transition_is_all_or_nothing(store: Store) -> None:
    """fire_with_invoice issues and moves together; refused, it takes no number and writes nothing."""
    ref = new_mission(store)
    to_in_progress(store, ref)
    with pytest.raises(TransitionNotAllowedError):
        store.fire_with_invoice(
            ref,
            "invoice",
            kind="final",
            total=eur("700"),
            issued_on=date(2026, 4, 1),
            due_on=date(2026, 5, 1),
        )
    assert store.list_invoices() == []
    for deliverable in ("logo", "admin password"):
        store.fire(ref, "deliver", data={"deliverable": deliverable}, at=AT)
    store.fire(ref, "approve", at=AT)
    record, invoice = store.fire_with_invoice(
        ref,
        "invoice",
        kind="final",
        total=eur("700"),
        issued_on=date(2026, 4, 1),
        due_on=date(2026, 5, 1),
        at=AT,
    )
    assert record.dest == "invoiced"
    assert invoice.number == "2026-0001"
    with pytest.raises(TransitionBlockedError):
        store.fire(ref, "settle", at=AT)
    store.record_payment(ref, Payment(eur("700"), date(2026, 4, 20)))
    assert store.fire(ref, "settle", at=AT).dest == "paid"
    assert store.verify(ref) == []


# --- workflows kept in the database ------------------------------------------------------------


def test_a_mission_keeps_its_workflow_text_for_another_process(store_url: str) -> None:
    """A mission under a workflow only this process knows is loaded and fired in a fresh process."""
    name = f"test-flow-{uuid.uuid4().hex[:8]}"
    register_workflow(
        parse_workflow(
            f"""
name: {name}
version: 3
initial: draft
states:
  - id: draft
  - id: done
    final: true
transitions:
  - trigger: finish
    source: draft
    dest: done
    guards: [client_not_blocked]
"""
        )
    )
    with open_store(store_url) as store:
        client = store.add_client("Acme").ref
        ref = store.create_mission(client, "Custom", workflow=name).ref
    script = (
        "import sys; from missionflow import open_store\n"
        "with open_store(sys.argv[1], create=False) as s:\n"
        "    m = s.get_mission(sys.argv[2])\n"
        "    print(m.workflow, m.workflow_version, s.fire(sys.argv[2], 'finish').dest)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, store_url, ref], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == [name, "3", "done"]


@pytest.mark.parametrize("name", workflow_names())
def test_a_definition_written_as_json_reads_back_the_same(name: str) -> None:
    """The JSON form stored for in-memory workflows parses back to the same rules."""
    definition = load_workflow(name)
    again = parse_workflow(definition_as_json(definition), definition.source)

    # Line numbers differ between the file and the JSON text; everything else must not.
    assert _without_lines(again) == _without_lines(definition)


def _without_lines(value: object) -> object:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(
            (f.name, _without_lines(getattr(value, f.name)))
            for f in dataclasses.fields(value)
            if f.name != "line"
        )
    if isinstance(value, tuple | list):
        return tuple(_without_lines(v) for v in value)
    return value


# --- opening, files, URLs ----------------------------------------------------------------------


def test_default_database_is_a_private_file_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without MISSIONFLOW_DB the store is a 0600 file in a 0700 folder of the user's data dir."""
    monkeypatch.delenv("MISSIONFLOW_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(os, "umask", os.umask)  # restored by monkeypatch, whatever the test does
    old = os.umask(0o022)
    try:
        url = default_database_url()
        with open_store() as store:
            store.add_client("Acme")
            assert store.url_for_display == url
    finally:
        os.umask(old)
    folder = tmp_path / "data" / "missionflow"
    assert url == f"sqlite:///{folder / 'missionflow.db'}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "missionflow.db").stat().st_mode) == 0o600


def test_missionflow_db_variable_and_plain_paths_are_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MISSIONFLOW_DB chooses the database, and a plain file path works like a sqlite URL."""
    target = tmp_path / "chosen.db"
    monkeypatch.setenv("MISSIONFLOW_DB", str(target))
    assert default_database_url() == f"sqlite:///{target}"
    with open_store() as store:
        store.add_client("Acme")
    with open_store(target, create=False) as store:
        assert [c.name for c in store.list_clients()] == ["Acme"]


def test_open_without_create_refuses_an_empty_database(tmp_path: Path) -> None:
    """create=False on a database without missionflow's tables raises StorageError saying so."""
    with pytest.raises(StorageError, match="no missionflow tables"):
        open_store(str(tmp_path / "empty.db"), create=False)


def test_password_never_appears_in_errors() -> None:
    """A failed connection's error and traceback never show the URL's password."""
    # Built here so that the traceback's own source lines do not quote the password.
    secret = "s3" + "cret"
    url = f"postgresql+psycopg://user:{secret}@127.0.0.1:1/x"
    with pytest.raises(StorageError) as caught:
        open_store(url)
    assert secret not in str(caught.value)
    assert secret not in "".join(traceback.format_exception(caught.value))
    assert "***" in str(caught.value)
    with pytest.raises(StorageError) as plain:
        open_store(url.replace("+psycopg", ""))  # the bare scheme picks the installed psycopg 3
    assert "postgresql+psycopg://user:***@127.0.0.1:1/x" in str(plain.value)
    malformed_url = url.replace(":1/", ":notaport/")
    with pytest.raises(StorageError) as malformed:
        open_store(malformed_url)
    assert secret not in "".join(traceback.format_exception(malformed.value))


def test_url_for_display_hides_the_password(store: Store, store_url: str, db_kind: str) -> None:
    """The store shows its URL with the password replaced."""
    if db_kind == "postgresql":
        password = store_url.split(":")[2].split("@")[0]
        assert password not in store.url_for_display
        assert "***" in store.url_for_display
    else:
        assert store.url_for_display == store_url


def test_an_application_engine_keeps_its_own_tables(tmp_path: Path) -> None:
    """open_store(engine=...) adds missionflow's tables beside the application's and leaves the engine open."""
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE app_users (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(text("INSERT INTO app_users (name) VALUES ('ada')"))
    with open_store(engine=engine) as store:
        store.add_client("Acme")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM app_users")).scalar_one() == "ada"
        assert conn.execute(text("SELECT count(*) FROM mf_clients")).scalar_one() == 1
    engine.dispose()


def test_listing_one_state_uses_an_index(tmp_path: Path) -> None:
    """On SQLite, the query behind list_missions(state=...) searches an index instead of scanning."""
    engine = create_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    statements: list[tuple[str, tuple[object, ...]]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(
        conn: object, cursor: object, statement: str, params: tuple[object, ...], *args: object
    ) -> None:
        statements.append((statement, params))

    with open_store(engine=engine) as store:
        client = store.add_client("Acme").ref
        for number in range(20):
            store.create_mission(client, f"Mission {number}")
        statements.clear()
        store.list_missions(state="lead")
    listing = [(s, p) for s, p in statements if s.lstrip().startswith("SELECT") and "FROM mf_missions" in s]
    assert len(listing) == 1
    statement, params = listing[0]
    with engine.connect() as conn:
        plan = " | ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
    engine.dispose()
    assert "SEARCH mf_missions USING INDEX ix_mf_missions_state_updated" in plan
    assert "SCAN mf_missions" not in plan
    assert "TEMP B-TREE" not in plan
