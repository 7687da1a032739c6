"""What the synchronous store refuses or leaves alone when an application embeds it: async code it
cannot await, an engine it was not asked to configure, the trade's operations on another domain's
subject, a mission without a client under rules that read the client; and migration 0004 keeps
the missions already there."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from missionflow import (
    ConflictError,
    GuardContext,
    Hooks,
    InvalidValueError,
    Money,
    Workflow,
    load_workflow,
    parse_workflow,
    register_guard,
    register_workflow,
)
from missionflow.diagrams import render_diagram
from missionflow.freelance import Client, Mission, Payment
from missionflow.reports import status_report, view_diagram
from missionflow.store import Store, open_store
from missionflow.store.database import downgrade, upgrade

NOTE = """
name: note
version: 1
title: Note
initial: open
states:
  - {id: open, label: Open}
  - {id: closed, label: Closed, final: true}
transitions:
  - trigger: close
    source: open
    dest: closed
"""


async def notify(event: object) -> None:
    """An async hook."""


def test_the_sync_store_refuses_async_hooks_and_providers_naming_the_async_store(store: Store) -> None:
    """An async def hook or facts provider given to the synchronous store is refused at once."""
    with pytest.raises(InvalidValueError, match="open_async_store"):
        store.hooks.after_commit()(notify)

    async def provider(subject: object, connection: object) -> dict[str, object]:
        return {}

    with pytest.raises(InvalidValueError, match="open_async_store"):
        store.provide_facts(provider)
    hooks = Hooks()
    hooks.after_commit()(notify)
    with pytest.raises(InvalidValueError, match="async store"):
        open_store("sqlite://", hooks=hooks)


def test_an_async_guard_is_refused_outside_the_async_store() -> None:
    """In memory (and in the synchronous store) an async guard is an error naming the async store, not a skipped check."""

    @register_guard("slow_check", reads=())
    async def slow_check(subject: object, ctx: object, params: object) -> str | None:
        await asyncio.sleep(0)
        return "never"

    definition = register_workflow(
        parse_workflow(NOTE.replace("    dest: closed\n", "    dest: closed\n    guards: [slow_check]\n"))
    )
    note = Mission(ref="N-1", workflow="note", state="open", client=Client("x"))
    with pytest.raises(InvalidValueError, match="open_async_store"):
        Workflow(definition).fire(note, "close")
    assert note.state == "open"
    with pytest.raises(InvalidValueError, match="open_async_store"):
        Workflow(definition).triggers(note)


def test_an_async_hook_in_memory_is_refused_before_anything_moves() -> None:
    """A Hooks object with an async after_commit hook is refused by the in-memory engine: the subject stays."""
    hooks = Hooks()
    hooks.after_commit()(notify)
    mission = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
    with pytest.raises(InvalidValueError, match="async store"):
        Workflow(load_workflow("freelance-mission")).fire(mission, "qualify", hooks=hooks)
    assert (mission.state, mission.history) == ("lead", [])


def test_open_store_changes_nothing_on_an_applications_engine_unless_asked(tmp_path: Path) -> None:
    """Without configure_engine no listener is installed and the journal mode stays; with it, WAL and BEGIN IMMEDIATE."""
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, statement, *a: statements.append(statement))
    with open_store(engine=engine) as store:
        ref = store.create_subject("freelance-mission", ref="plain").ref
        assert store.get_subject(ref).state == "lead"
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "delete"
    assert not any(s.startswith("BEGIN IMMEDIATE") for s in statements)
    with open_store(engine=engine, configure_engine=True) as store:
        store.create_subject("freelance-mission", ref="configured")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    assert any(s.startswith("BEGIN IMMEDIATE") for s in statements)
    engine.dispose()


def test_the_trades_operations_refuse_another_domains_subject(store: Store) -> None:
    """A payment, a mission read or a client block on a subject of another workflow is a conflict, nothing written."""
    register_workflow(parse_workflow(NOTE))
    ref = store.create_subject("note").ref
    with pytest.raises(ConflictError, match="not a freelance mission"):
        store.get_mission(ref)
    with pytest.raises(ConflictError):
        store.record_payment(ref, Payment(Money.of("10", "EUR"), date(2026, 3, 2)))
    with pytest.raises(ConflictError):
        store.fire(ref, "close", block_client=True, note="rude")
    assert store.list_missions() == []
    assert [s.ref for s in store.list_subjects()] == [ref]
    assert store.fire(ref, "close").dest == "closed"


def test_a_mission_needs_a_client_only_when_its_guards_read_one(store: Store) -> None:
    """The shipped lifecycle reads the client, so a mission without one is refused; a copy without those guards accepts it."""
    with pytest.raises(InvalidValueError, match="read the client"):
        store.create_mission(None, "Logo")
    text_of = (Path(load_workflow("freelance-mission").source)).read_text(encoding="utf-8")
    lean = text_of.replace("name: freelance-mission", "name: lean").replace(
        "client_not_blocked", "reason_given"
    )
    register_workflow(parse_workflow(lean, "lean.yaml"))
    mission = store.create_mission(None, "Logo", workflow="lean", amount=Money.of("100", "EUR"))
    assert (mission.client.name, mission.client.ref) == ("", "")
    assert store.list_missions()[0].client_ref == ""


def test_migration_0004_keeps_the_missions_already_there(empty_url: str) -> None:
    """A database at revision 0003 with a mission and its history migrates to 0004 with both intact, and back."""
    engine = create_engine(empty_url)
    try:
        upgrade(engine, "0003")
        upgrade(engine)  # nothing of 0004 yet: the store below writes the mission at head...
        with open_store(engine=engine) as store:
            ref = store.create_mission(store.add_client("Acme").ref, "Logo").ref
            store.fire(ref, "qualify")
        downgrade(engine, "0003")  # ...then back to 0003 with it, and up again
        upgrade(engine)
        with open_store(engine=engine) as store:
            mission = store.get_mission(ref)
            assert (mission.state, mission.client.name, len(mission.history)) == ("criteria_check", "Acme", 1)
            assert store.verify() == []
            store.create_subject("freelance-mission", ref="app-1")
        with pytest.raises(Exception, match="cannot hold them"):
            downgrade(engine, "0003")
    finally:
        engine.dispose()


def test_the_status_report_and_the_diagram_see_the_providers_facts(store: Store) -> None:
    """A mission whose guard reads an application's fact shows the same refusal in triggers, the status report and its diagram."""

    @register_guard("legal_cleared", words="cleared by the legal team", reads=())
    def legal_cleared(mission: object, ctx: GuardContext, params: object) -> str | None:
        said = ctx.facts.get("legal")
        return None if said == "cleared" else f"the legal team says {said}"

    source = Path(load_workflow("freelance-mission").source).read_text(encoding="utf-8")
    legal = source.replace("name: freelance-mission", "name: legal").replace(
        "guards: [client_not_blocked]\n", "guards: [client_not_blocked, legal_cleared]\n", 1
    )
    register_workflow(parse_workflow(legal, "legal.yaml"))
    store.provide_facts(lambda subject, connection: {"legal": "pending"}, workflow="legal")
    ref = store.create_mission(store.add_client("Acme").ref, "Logo", workflow="legal").ref
    reason = "the legal team says pending"
    assert next(o for o in store.triggers(ref) if o.trigger == "qualify").reasons == (reason,)
    assert reason in status_report(store, ref, fmt="md", lang="en")  # the client reads French by default
    assert reason in render_diagram(view_diagram(store.view(ref)), "mermaid").decode()
