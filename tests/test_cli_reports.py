"""``missionflow report status|clients|pipeline`` through click's CliRunner on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from missionflow import open_store
from tests.cli_helpers import Cli
from tests.reports_scenario import build, clock

ON = "2026-12-15"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A CLI bound to the scripted autumn (the report commands only read it)."""
    db = tmp_path_factory.mktemp("cli-reports") / "autumn.db"
    with open_store(db, clock=clock) as store:
        build(store)
    return Cli(db)


def test_status_prints_markdown_for_the_client(run: Cli) -> None:
    """`report status M` prints the Markdown report: where the mission stands and what it waits for."""
    out = run.ok("report", "status", "M-10", "--on", ON)
    assert out.startswith("# Status report: Catalogue\n")
    assert "For Atelier Dupont, from Camille Martin · As of 15 December 2026\n" in out
    assert "Next step: receiving the deposit." in out
    assert "- the deposit of 1,800.00 EUR (30 % of the contract): 1,300.00 EUR still to be paid" in out
    assert "Who acts next: you." in out


def test_status_in_french_as_html_to_a_file(run: Cli, tmp_path: Path) -> None:
    """--format html --lang fr -o FILE writes one French HTML page and prints its path."""
    target = tmp_path / "out" / "status.html"
    target.parent.mkdir()
    out = run.ok("report", "status", "M-3", "--format", "html", "--lang", "fr", "-o", str(target), "--on", ON)
    assert out.strip() == str(target)
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert "Prochaine étape : le règlement de la facture." in page
    assert "En retard (échéance passée) : 1\u00a0800,00 EUR" in page


def test_status_of_an_unknown_mission_exits_5(run: Cli) -> None:
    """A mission that does not exist is `not found`: exit code 5 and a one-line message."""
    result = run("report", "status", "M-99")
    assert result.exit_code == 5
    assert result.stderr.strip() == "error: no mission 'M-99'"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "status", "M-1", "--format", "docx"),
        ("report", "status", "M-1", "--lang", "de"),
        ("report", "status", "M-1", "--on", "yesterday"),
        ("report", "clients", "--format", "xml"),
        ("report", "clients", "--since", "1st of May"),
        ("report", "pipeline", "--format", "csv"),
    ],
    ids=["status-format", "status-lang", "status-on", "clients-format", "clients-since", "pipeline-format"],
)
def test_bad_options_exit_2(run: Cli, args: tuple[str, ...]) -> None:
    """An unknown format or language, or a malformed date, is a usage error: exit code 2."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.stderr or "is not a date" in result.stderr


def test_clients_table_ranks_the_clients(run: Cli) -> None:
    """The default table starts with the 80/20 headline and lists clients by revenue."""
    out = run.ok("report", "clients", "--on", ON)
    lines = out.splitlines()
    assert (
        lines[0]
        == "Clients, all time to 2026-12-15 (EUR): 2 of 5 clients (40\u00a0%) bring 80\u00a0% of the revenue."
    )
    names = [line.split(" (C-")[0] for line in lines if " (C-" in line]
    assert names == ["Atelier Dupont", "Brasserie Lune", "Cabinet Morel", "Studio Nord", "Dr Petit"]
    assert "1 effort point = 1 per transition" in out


def test_clients_csv_and_json(run: Cli) -> None:
    """CSV has one row per client with exact amounts; JSON the same figures and the totals."""
    rows = list(csv.DictReader(io.StringIO(run.ok("report", "clients", "--format", "csv", "--on", ON))))
    assert [(r["ref"], r["paid"], r["top_80"], r["costly"]) for r in rows] == [
        ("C-1", "10500.00", "true", "false"),
        ("C-2", "2200.00", "true", "false"),
        ("C-3", "2000.00", "false", "true"),
        ("C-5", "0.00", "false", "true"),
        ("C-4", "0.00", "false", "true"),
    ]
    document = json.loads(run.ok("report", "clients", "--format", "json", "--on", ON))
    assert document["totals"]["paid"] == "14700.00"
    assert document["totals"]["top_80_clients"] == 2


def test_clients_since_a_date(run: Cli) -> None:
    """--since keeps only December: Cabinet Morel's 1,400 leads."""
    document = json.loads(
        run.ok("report", "clients", "--since", "2026-12-01", "--format", "json", "--on", ON)
    )
    assert document["since"] == "2026-12-01"
    assert [(c["ref"], c["paid"]) for c in document["clients"][:3]] == [
        ("C-3", "1400.00"),
        ("C-2", "1000.00"),
        ("C-1", "500.00"),
    ]


def test_clients_html_to_a_file(run: Cli, tmp_path: Path) -> None:
    """--format html -o FILE writes the page with its Pareto chart."""
    target = tmp_path / "clients.html"
    run.ok("report", "clients", "--format", "html", "-o", str(target), "--on", ON)
    page = target.read_text(encoding="utf-8")
    assert 'class="chart pareto"' in page
    assert "Atelier Dupont" in page


def test_pipeline_table_json_and_html(run: Cli, tmp_path: Path) -> None:
    """The pipeline in its three formats: counts, money and the funnel agree."""
    table = run.ok("report", "pipeline", "--on", ON)
    assert (
        table.splitlines()[0] == "Pipeline on 2026-12-15 (EUR): 10 missions, 2 waiting on clients, 4 on you"
    )
    document = json.loads(run.ok("report", "pipeline", "--format", "json", "--on", ON))
    assert document["totals"]["signed"] == "28000.00"
    assert {s["state"]: s["missions"] for s in document["states"] if s["missions"]} == {
        "lead": 1,
        "criteria_check": 1,
        "specification": 1,
        "contract_signed": 1,
        "in_progress": 1,
        "invoiced": 1,
        "paid": 2,
        "declined": 1,
        "terminated": 1,
    }
    target = tmp_path / "pipeline.html"
    run.ok("report", "pipeline", "--format", "html", "-o", str(target), "--on", ON)
    assert 'class="chart funnel"' in target.read_text(encoding="utf-8")


def test_reports_on_an_empty_database(tmp_path: Path) -> None:
    """With no mission yet, the clients and pipeline reports still answer, with nothing to show."""
    run = Cli(tmp_path / "empty.db")
    assert "No revenue in this period." in run.ok("report", "clients")
    assert "0 missions" in run.ok("report", "pipeline")


def test_report_help_lists_the_three_reports(run: Cli) -> None:
    """`report --help` names status, clients and pipeline."""
    out = run.ok("report", "--help")
    for command in ("status", "clients", "pipeline"):
        assert f"  {command}" in out
