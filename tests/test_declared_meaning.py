"""What a transition means is declared in the workflow file, never read from its name: a copy of
freelance-mission whose `invoice` is renamed `bill` still issues the final invoice, and a workflow
of another domain may call a trigger `invoice` without any contract or invoice being involved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from missionflow import Store, parse_workflow, register_workflow
from missionflow.freelance import DEFAULT_WORKFLOW
from missionflow.store import open_store
from missionflow.testing import approve, identify, lead, sign, start, working_mission
from missionflow.workflow import load_workflow, shipped_workflow_dir

EXECUTABLE = Path(sys.executable).with_name("missionflow")
SHIPPED = shipped_workflow_dir() / f"{DEFAULT_WORKFLOW}.yaml"


def renamed_copy() -> str:
    """freelance-mission with its `invoice` trigger renamed `bill` and `invoiced` renamed `billed`."""
    text = SHIPPED.read_text(encoding="utf-8").replace("name: freelance-mission", "name: freelance-renamed")
    text = text.replace("trigger: invoice\n", "trigger: bill\n")
    text = text.replace("id: invoiced\n", "id: billed\n").replace("dest: invoiced\n", "dest: billed\n")
    return text.replace("source: invoiced\n", "source: billed\n")


GALLERY = """
name: gallery-print
version: 1
title: A print ordered from a gallery
initial: ordered
states:
  - {id: ordered, label: {en: Ordered}}
  - {id: invoiced, label: {en: Invoiced}}
  - {id: shipped, label: {en: Shipped}, final: true}
transitions:
  - {trigger: invoice, source: ordered, dest: invoiced}
  - {trigger: ship, source: invoiced, dest: shipped}
"""
"""Another domain's workflow: its `invoice` means nothing to the freelance trade (no effect declared)."""


def test_the_renamed_copy_really_renames() -> None:
    """The copy has `bill` into `billed` and no `invoice` trigger or `invoiced` state left."""
    definition = parse_workflow(renamed_copy(), "renamed.yaml")
    assert "bill" in definition.triggers
    assert "invoice" not in definition.triggers
    assert definition.has_state("billed")
    assert not definition.has_state("invoiced")
    assert definition.transition("approved", "bill") is not None


def test_a_renamed_invoicing_trigger_still_issues_the_final_invoice(store: Store) -> None:
    """Firing `bill` from approved issues the final invoice in the same transaction, and
    issue_final_invoice finds `bill` by its declared effect."""
    register_workflow(parse_workflow(renamed_copy(), "renamed.yaml"))
    ref = working_mission(store, workflow="freelance-renamed")
    approve(store, ref)
    record = store.fire(ref, "bill")
    assert (record.source, record.dest) == ("approved", "billed")
    invoices = store.list_invoices(ref)
    assert [(i.kind, str(i.total)) for i in invoices] == [("final", "1,000.00 EUR")]
    other = working_mission(store, workflow="freelance-renamed", client="Globex")
    approve(store, other)
    fired, invoice = store.issue_final_invoice(other)
    assert (fired.trigger, fired.dest, invoice.kind) == ("bill", "billed", "final")


def test_another_domains_invoice_trigger_needs_no_contract_and_issues_nothing(store: Store) -> None:
    """A workflow whose `invoice` declares no effect moves without a contract and writes no invoice."""
    register_workflow(parse_workflow(GALLERY, "gallery.yaml"))
    ref = lead(store, workflow="gallery-print")
    assert store.fire(ref, "invoice").dest == "invoiced"
    assert store.list_invoices(ref) == []
    assert store.fire(ref, "ship").dest == "shipped"


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `missionflow` executable on ``db``, in a fresh process."""
    env = {**os.environ, "MISSIONFLOW_DB": str(db)}
    return subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_the_command_line_follows_what_the_files_declare(tmp_path: Path, db_kind: str) -> None:
    """Through the installed CLI (a process that never saw these files: it reads their stored
    text), `fire M bill` issues the final invoice and `fire M invoice` of the gallery workflow
    moves without one."""
    db = tmp_path / "cli.db"
    with open_store(db) as store:
        identify(store)
        register_workflow(parse_workflow(renamed_copy(), "renamed.yaml"))
        register_workflow(parse_workflow(GALLERY, "gallery.yaml"))
        billed = lead(store, workflow="freelance-renamed")
        sign(store, billed)
        start(store, billed)
        approve(store, billed)
        print_order = lead(store, workflow="gallery-print", client="Gallery")
    done = run_cli(db, "fire", billed, "bill")
    assert done.returncode == 0, done.stderr
    assert f"{billed}: approved --bill--> billed" in done.stdout
    listed = run_cli(db, "invoice", "list", "--mission", billed)
    assert "final" in listed.stdout
    assert "1,000.00 EUR" in listed.stdout
    moved = run_cli(db, "fire", print_order, "invoice")
    assert moved.returncode == 0, moved.stderr
    assert run_cli(db, "invoice", "list", "--mission", print_order).stdout.strip() == "(none)"
    assert load_workflow(DEFAULT_WORKFLOW).transition("approved", "invoice") is not None
