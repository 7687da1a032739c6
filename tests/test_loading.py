"""Loading workflows: the shipped files, the registry by name and version, and unreadable files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from missionflow import (
    WorkflowDefinition,
    WorkflowDefinitionError,
    WorkflowNotFoundError,
    load_workflow,
    parse_workflow,
)
from missionflow.freelance import DEFAULT_WORKFLOW
from missionflow.workflow import (
    StateKind,
    WorkflowRegistry,
    load_workflow_file,
    shipped_workflow_dir,
    workflow_names,
)

MINIMAL = Path(__file__).parent / "machines" / "valid" / "minimal.yaml"
SHIPPED = sorted(shipped_workflow_dir().glob("*.yaml"))

# The table of DOMAIN.md, one row per transition: (trigger, sources, destination or None when the
# state stays, guards). start_work has two rows: from deposit_received, and from contract_signed only
# when the deposit is 0 %.
FREELANCE_TABLE: list[tuple[str, frozenset[str], str | None, tuple[str, ...]]] = [
    ("qualify", frozenset({"lead"}), "criteria_check", ("client_not_blocked",)),
    (
        "accept",
        frozenset({"criteria_check"}),
        "specification",
        ("criteria_met", "client_not_blocked", "lead_time_respected"),
    ),
    ("decline", frozenset({"lead", "criteria_check", "specification"}), "declined", ("reason_given",)),
    (
        "sign_contract",
        frozenset({"specification"}),
        "contract_signed",
        ("specification_complete", "contract_signed"),
    ),
    ("confirm_deposit", frozenset({"contract_signed"}), "deposit_received", ("deposit_satisfied",)),
    ("start_work", frozenset({"deposit_received"}), "in_progress", ("contract_signed", "deposit_satisfied")),
    (
        "start_work",
        frozenset({"contract_signed"}),
        "in_progress",
        ("contract_signed", "deposit_satisfied", "no_deposit_agreed"),
    ),
    ("deliver", frozenset({"in_progress", "revisions"}), None, ("deliverable_in_specification",)),
    (
        "request_revision",
        frozenset({"in_progress", "revisions"}),
        "revisions",
        ("delivered_since_last_round", "revision_round_left"),
    ),
    ("approve", frozenset({"in_progress", "revisions"}), "approved", ("deliverables_complete",)),
    ("invoice", frozenset({"approved"}), "invoiced", ()),
    ("settle", frozenset({"invoiced"}), "paid", ("fully_paid",)),
    (
        "terminate",
        frozenset({"contract_signed", "deposit_received", "in_progress", "revisions", "approved"}),
        "terminated",
        ("reason_given",),
    ),
]


def minimal_with_version(version: int, name: str = "versioned") -> WorkflowDefinition:
    """The minimal sample renamed and at ``version``."""
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("name: minimal", f"name: {name}").replace("version: 1", f"version: {version}")
    return parse_workflow(text, f"{name}-{version}.yaml")


def test_the_three_workflows_are_shipped() -> None:
    """freelance-mission (its newest version, and versions 1 and 2 kept as published), coaching and
    retainer are shipped and known by name."""
    assert [p.stem for p in SHIPPED] == [
        "coaching",
        "freelance-mission",
        "freelance-mission@1",
        "freelance-mission@2",
        "retainer",
    ]
    assert {"coaching", "freelance-mission", "retainer"} <= set(workflow_names())


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_workflow_validates(path: Path) -> None:
    """Every file in workflows/ passes the strict validator and is named after its file
    (``name@version.yaml`` holds that version)."""
    definition = load_workflow_file(path)
    name, _, version = path.stem.partition("@")
    assert definition.name == name
    assert definition.version == int(version) if version else definition.version >= 1
    assert definition.final_states


@pytest.mark.parametrize("version", [1, 2])
def test_freelance_mission_is_exactly_the_domain_table(version: int) -> None:
    """Both versions of freelance-mission have exactly the transitions of DOMAIN.md that a person
    fires: triggers, sources, destinations and guards (in order), each once."""
    definition = load_workflow(DEFAULT_WORKFLOW, version)
    found = [
        (t.trigger, frozenset(t.sources), t.dest, tuple(g.name for g in t.guards))
        for t in definition.transitions
        if not t.timed
    ]
    assert Counter(found) == Counter(FREELANCE_TABLE)


def test_freelance_mission_2_adds_the_reminders_as_timers() -> None:
    """Version 2 adds four timed transitions, each with the guard that decides whether it still applies."""
    found = [
        (t.trigger, frozenset(t.sources), t.dest, tuple(g.name for g in t.guards))
        for t in load_workflow(DEFAULT_WORKFLOW, 2).transitions
        if t.timed
    ]
    assert found == [
        ("remind_deposit", frozenset({"contract_signed"}), None, ("deposit_missing",)),
        ("remind_approval", frozenset({"in_progress", "revisions"}), None, ("deliverables_complete",)),
        ("approve_tacitly", frozenset({"in_progress", "revisions"}), "approved", ("deliverables_complete",)),
        ("remind_payment", frozenset({"invoiced"}), None, ("payment_overdue",)),
    ]


def test_freelance_mission_states_and_exits() -> None:
    """The default lifecycle starts at lead, ends in paid, and leaves by declined or terminated."""
    definition = load_workflow(DEFAULT_WORKFLOW)
    assert definition.initial == "lead"
    assert definition.state_ids == (
        "lead",
        "criteria_check",
        "specification",
        "contract_signed",
        "deposit_received",
        "in_progress",
        "revisions",
        "approved",
        "invoiced",
        "paid",
        "declined",
        "terminated",
    )
    assert set(definition.final_states) == {"paid", "declined", "terminated"}
    assert {s.id for s in definition.states if s.kind is StateKind.EXIT} == {"declined", "terminated"}
    assert all(s.label.languages == ("en", "fr") for s in definition.states)


def test_load_workflow_by_name_and_version() -> None:
    """load_workflow finds a shipped workflow by name (its newest version), and by name and version
    (``name@version.yaml`` for an earlier one)."""
    assert load_workflow("coaching").name == "coaching"
    assert load_workflow("coaching", 1).version == 1
    assert load_workflow("freelance-mission") is load_workflow(DEFAULT_WORKFLOW, 3)
    second = load_workflow(DEFAULT_WORKFLOW, 2)
    assert (second.version, Path(second.source).name) == (2, "freelance-mission@2.yaml")
    first = load_workflow(DEFAULT_WORKFLOW, 1)
    assert (first.version, Path(first.source).name) == (1, "freelance-mission@1.yaml")


def test_unknown_workflow_names_the_known_ones() -> None:
    """An unknown name raises WorkflowNotFoundError listing the workflows that exist."""
    with pytest.raises(WorkflowNotFoundError) as caught:
        load_workflow("freelance")
    assert caught.value.name == "freelance"
    assert "freelance-mission" in caught.value.known
    assert "unknown workflow 'freelance' (known: " in str(caught.value)


def test_unknown_version_is_refused() -> None:
    """A known name at a version that does not exist raises WorkflowNotFoundError with the version."""
    with pytest.raises(WorkflowNotFoundError) as caught:
        load_workflow(DEFAULT_WORKFLOW, 99)
    assert caught.value.version == 99
    assert "freelance-mission version 99" in str(caught.value)


def test_registry_keeps_every_version_and_serves_the_newest() -> None:
    """A registry holds several versions of one name; without a version it gives the newest."""
    registry = WorkflowRegistry()
    one, two = minimal_with_version(1), minimal_with_version(2)
    registry.register(two)
    registry.register(one)
    assert registry.get("versioned", 1) is one
    assert registry.get("versioned", 2) is two
    assert registry.get("versioned") is two
    assert "versioned" in registry.names()
    assert two in registry.latest()


def test_registering_the_same_key_twice_keeps_the_first() -> None:
    """A second definition with the same name and version does not replace the rules in use."""
    registry = WorkflowRegistry()
    first = minimal_with_version(1)
    again = minimal_with_version(1)
    assert registry.register(first) is first
    assert registry.register(again) is first
    assert registry.get("versioned", 1) is first


def test_a_fresh_registry_discovers_the_shipped_workflows() -> None:
    """A new registry finds the shipped workflows on first use."""
    registry = WorkflowRegistry()
    assert registry.get(DEFAULT_WORKFLOW).name == DEFAULT_WORKFLOW
    assert [d.name for d in registry.latest()] == registry.names()


def test_missing_file_is_a_definition_problem(tmp_path: Path) -> None:
    """Loading a file that does not exist names the path and says so."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.message) == (str(path), 0, "no such file")


def test_folder_is_a_definition_problem(tmp_path: Path) -> None:
    """Loading a folder says it is a folder, not a workflow file."""
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(tmp_path)
    (problem,) = caught.value.problems
    assert problem.message == "is a folder, not a workflow file"


def test_non_utf8_file_is_a_definition_problem(tmp_path: Path) -> None:
    """A Latin-1 file is refused with the offset of the first byte that is not UTF-8."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (1, "not UTF-8 text (byte 9)")


def test_parse_workflow_names_its_source() -> None:
    """Text parsed without a file name is reported as <string>."""
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow("name: x")
    assert {p.file for p in caught.value.problems} == {"<string>"}


def test_a_versioned_file_must_hold_the_version_its_name_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`name@3.yaml` holding version 2 is a problem of that file, line 1; `name@2.yaml` is found
    by its version without reading `name.yaml`."""
    import missionflow.workflow.registry as registry_module

    (tmp_path / "versioned.yaml").write_text(
        MINIMAL.read_text(encoding="utf-8")
        .replace("name: minimal", "name: versioned")
        .replace("version: 1", "version: 3"),
        encoding="utf-8",
    )
    (tmp_path / "versioned@2.yaml").write_text(
        MINIMAL.read_text(encoding="utf-8")
        .replace("name: minimal", "name: versioned")
        .replace("version: 1", "version: 2"),
        encoding="utf-8",
    )
    monkeypatch.setattr(registry_module, "shipped_workflow_dir", lambda: tmp_path)
    parsed: list[str] = []
    read = registry_module.load_workflow_file
    monkeypatch.setattr(
        registry_module, "load_workflow_file", lambda path: parsed.append(path.name) or read(path)
    )
    fresh = WorkflowRegistry()
    assert Path(fresh.get("versioned", 2).source).name == "versioned@2.yaml"
    assert parsed == ["versioned@2.yaml"]
    assert fresh.get("versioned", 3).version == 3
    assert parsed == ["versioned@2.yaml", "versioned.yaml"]
    (tmp_path / "versioned@1.yaml").write_text(
        (tmp_path / "versioned@2.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(WorkflowDefinitionError) as caught:
        WorkflowRegistry().names()
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.message) == (
        "versioned@1.yaml",
        1,
        "the file name says versioned version 1, the file holds versioned version 2",
    )
