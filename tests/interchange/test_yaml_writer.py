"""definition_to_yaml writes workflow files the validator reads back to the same workflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from missionflow.workflow import (
    definition_to_yaml,
    load_workflow,
    load_workflow_file,
    parse_workflow,
    shipped_workflow_dir,
)
from tests.interchange.normal_form import normal_form

HERE = Path(__file__).parent
FILES = [
    *sorted(shipped_workflow_dir().glob("*.yaml")),
    HERE / "machines" / "tricky.yaml",
    HERE / "machines" / "languages.yaml",
    *sorted((HERE.parent / "machines" / "valid").glob("*.yaml")),
]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_a_written_workflow_reads_back_to_the_same_workflow(path: Path) -> None:
    """Every shipped and sample workflow, written and read again, has the same normal form."""
    definition = load_workflow_file(path)
    assert normal_form(parse_workflow(definition_to_yaml(definition))) == normal_form(definition)


def test_the_layout_is_the_one_of_the_shipped_files() -> None:
    """Sections apart, list items indented under their key, labels, timers and short lists on one line."""
    text = definition_to_yaml(load_workflow("freelance-mission"))
    assert text.startswith("name: freelance-mission\nversion: 3\ntitle: Freelance mission\n")
    assert (
        "    after: {days: {fact: acceptance_days}, since_last: [deliver], unless_fired_since: [request_revision]}\n"
        in text
    )
    assert "\n\nstates:\n  - id: lead\n    label: {en: Lead, fr: Prospect}\n" in text
    assert (
        "  - trigger: decline\n    source: [lead, criteria_check, specification]\n    dest: declined\n"
        in text
    )
    assert "    guards: [criteria_met, client_not_blocked, lead_time_respected]\n" in text


def test_defaults_are_left_out_and_parameters_written_inline() -> None:
    """No dest for an internal transition, no kind for an active state; `guard: {param: value}` items."""
    text = definition_to_yaml(load_workflow_file(HERE / "machines" / "tricky.yaml"))
    note = text[text.index("  - trigger: note") : text.index("  - trigger: redo")]
    assert "dest" not in note
    assert "      - lead_time_respected: {minimum_days: 3}\n" in text
    assert text.count("kind: exit") == 1


def test_what_a_workflow_declares_is_written_as_the_shipped_files_say_it() -> None:
    """The language and parties in the header, tags, effects and labels in every language on
    one line, and '*' before the other sources."""
    text = definition_to_yaml(load_workflow_file(HERE / "machines" / "languages.yaml"))
    assert "language: fr\nparties: [atelier, client]\ninitial: demande\n" in text
    assert "    label: {fr: Demande, de: Anfrage, pt-BR: Pedido}\n    tags: [accueil, tri]\n" in text
    assert "    outcome: {fr: C'est livré., de: Geliefert., en: Delivered.}\n" in text
    assert "    effects: [issue_final_invoice]\n" in text
    assert "    source: ['*', pause]\n" in text
    assert "kind: active" not in text


def test_yaml_1_1_words_stay_text() -> None:
    """A state called `on` and labels `yes`/`no` are quoted, so that no reader takes them for booleans."""
    text = definition_to_yaml(load_workflow_file(HERE.parent / "machines" / "valid" / "yaml11_words.yaml"))
    assert "  - id: 'on'\n    label: {en: 'yes', fr: 'no'}\n" in text


def test_hooks_are_written_after_the_transitions() -> None:
    """The hooks a workflow subscribes end the file, with their filters."""
    text = definition_to_yaml(load_workflow("studio-session"))
    assert text.endswith(
        "hooks:\n  - name: studio_open_hours\n    when: before\n    trigger: book\n  - name: studio_log\n    when: after_commit\n"
    )
