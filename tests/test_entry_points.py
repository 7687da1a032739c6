"""Extensions from an application's own package: a guard, a workflow and hooks declared through the
entry-point groups missionflow.guards, missionflow.workflows and missionflow.hooks, by the test
package tests/plugin_pkg (installed into .venv by the Makefile), validated like the shipped ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from missionflow import (
    TransitionBlockedError,
    Workflow,
    WorkflowDefinitionError,
    load_workflow,
    open_store,
    parse_workflow,
)
from missionflow.freelance import Mission
from missionflow.workflow import (
    HookMoment,
    HookRef,
    WorkflowRegistry,
    get_guard,
    guard_names,
    hook_names,
    load_workflow_file,
    workflow_names,
)

try:
    import mf_test_plugin
    from mf_test_plugin import hooks as plugin_hooks
except ImportError:  # pragma: no cover - a broken environment, not a test outcome
    pytest.fail(
        "the test plugin is not installed: run `make test`, or `.venv/bin/pip install -e tests/plugin_pkg`",
        pytrace=False,
    )

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SUNDAY = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
PLUGIN_FILE = Path(mf_test_plugin.__file__).parent / "workflows" / "studio-session.yaml"


@pytest.fixture(autouse=True)
def fresh_calls() -> Iterator[list[str]]:
    """The plugin's record of studio_log calls, emptied around each test."""
    plugin_hooks.CALLS.clear()
    yield plugin_hooks.CALLS
    plugin_hooks.CALLS.clear()


def session(ref: str = "S-1") -> Mission:
    """A studio session in memory, just requested."""
    return Mission(ref=ref, workflow="studio-session", state="requested")


# --- workflows ---------------------------------------------------------------------------------


def test_the_plugin_workflow_is_known_by_name() -> None:
    """The workflow a package declares is listed and loaded by name, like the shipped ones."""
    assert "studio-session" in workflow_names()
    assert {"freelance-mission", "studio-session"} <= set(WorkflowRegistry().names())
    definition = load_workflow("studio-session")
    assert Path(definition.source) == PLUGIN_FILE
    assert definition.initial == "requested"


def test_the_plugin_workflow_goes_through_the_same_validation() -> None:
    """The registry's definition is what the validator builds from the plugin's file, hooks included."""
    definition = load_workflow("studio-session")
    assert definition == load_workflow_file(PLUGIN_FILE)
    assert definition.hooks == (
        HookRef("studio_open_hours", HookMoment.BEFORE, trigger="book", line=definition.hooks[0].line),
        HookRef("studio_log", HookMoment.AFTER_COMMIT, line=definition.hooks[1].line),
    )


def test_an_invalid_plugin_workflow_is_reported_with_file_and_line_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package declaring a broken file makes discovery fail with its file:line, on every use until fixed."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(PLUGIN_FILE.read_text(encoding="utf-8").replace("dest: held", "dest: nowhere"))
    monkeypatch.setenv(mf_test_plugin.EXTRA_ENV, str(broken))
    registry = WorkflowRegistry()
    for _ in range(2):
        with pytest.raises(WorkflowDefinitionError) as caught:
            registry.names()
        assert {p.file for p in caught.value.problems} == {str(broken)}
        [problem] = [p for p in caught.value.problems if "unknown state 'nowhere'" in p.message]
        assert broken.read_text(encoding="utf-8").splitlines()[problem.line - 1] == "    dest: nowhere"
    monkeypatch.delenv(mf_test_plugin.EXTRA_ENV)
    assert "studio-session" in registry.names()


# --- guards ------------------------------------------------------------------------------------


def test_the_plugin_guards_are_registered_with_their_parameters() -> None:
    """Guards from entry points are known: a decorated one keeps its parameters, a plain one is named by the entry point."""
    assert {"room_available", "studio_booked"} <= set(guard_names())
    room = get_guard("room_available")
    assert room is not None
    assert dict(room.params) == {"room": str}
    assert room.describe() == "the studio room is free"
    booked = get_guard("studio_booked")
    assert booked is not None
    assert booked.describe() == "The session was booked."


def test_a_plugin_guard_is_usable_and_checked_in_any_workflow_file(tmp_path: Path) -> None:
    """A workflow file of the application uses the plugin's guard; a wrong parameter is reported with its line."""
    text = """\
name: rehearsal
version: 1
initial: planned
states:
  - {id: planned, label: {en: Planned, fr: Prévue}}
  - {id: done, label: {en: Done, fr: Faite}, final: true}
transitions:
  - trigger: book
    source: planned
    dest: done
    guards:
      - room_available: {room: B}
"""
    definition = parse_workflow(text, "rehearsal.yaml")
    mission = Mission(ref="R-1", workflow="rehearsal", state="planned")
    with pytest.raises(TransitionBlockedError, match="room B is taken"):
        Workflow(definition).fire(mission, "book", at=MONDAY)
    assert Workflow(definition).fire(mission, "book", at=MONDAY, data={"room": "C"}).dest == "done"

    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(text.replace("{room: B}", "{room: 3}"), "rehearsal.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("rehearsal.yaml", 12)
    assert "parameter 'room' of guard 'room_available' must be str" in problem.message


# --- hooks -------------------------------------------------------------------------------------


def test_the_plugin_hooks_are_listed() -> None:
    """hook_names() lists what installed packages declare in missionflow.hooks."""
    assert {"studio_log", "studio_open_hours"} <= set(hook_names())


def test_hooks_declared_in_the_workflow_file_run_in_memory(fresh_calls: list[str]) -> None:
    """The file's before-hook vetoes a Sunday booking; its after_commit hook sees every transition."""
    flow = Workflow(load_workflow("studio-session"))
    mission = session()
    with pytest.raises(TransitionBlockedError) as caught:
        flow.fire(mission, "book", at=SUNDAY)
    assert caught.value.reasons == ("the studio is closed on Sundays",)
    assert fresh_calls == []
    flow.fire(mission, "book", at=MONDAY)
    flow.fire(mission, "hold", at=MONDAY)
    assert fresh_calls == ["S-1:book:booked", "S-1:hold:held"]


def test_hooks_declared_in_the_workflow_file_run_on_the_store(store_url: str, fresh_calls: list[str]) -> None:
    """A store subscribes the file's hooks automatically, before the application's own."""
    with open_store(store_url) as store:
        order: list[str] = []
        store.hooks.after_commit()(lambda event: order.append(f"app saw {len(fresh_calls)}"))
        ref = store.create_mission(
            store.add_client("Studio client").ref, "Mix", workflow="studio-session", at=MONDAY
        ).ref
        with pytest.raises(TransitionBlockedError, match="closed on Sundays"):
            store.fire(ref, "book", at=SUNDAY)
        store.fire(ref, "book", at=MONDAY)
        assert fresh_calls == [f"{ref}:book:booked"]
        assert order == ["app saw 1"]
        assert store.get_mission(ref).state == "booked"


def test_a_workflow_file_naming_an_unknown_hook_is_refused_with_file_and_line() -> None:
    """Hooks the file names must be installed, run at a known moment and listen to what exists."""
    text = PLUGIN_FILE.read_text(encoding="utf-8").replace(
        "  - {name: studio_log, when: after_commit}",
        "  - {name: no_such_hook, when: after}\n"
        "  - {name: studio_log, when: during}\n"
        "  - {name: studio_log, when: after, trigger: rebook}\n"
        "  - {name: studio_log, when: after, trigger: hold, source: requested}",
    )
    lines = text.splitlines()
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse_workflow(text, "studio.yaml")
    found = {(p.line, p.message.split(":")[0]) for p in caught.value.problems}
    assert found == {
        (lines.index("  - {name: no_such_hook, when: after}") + 1, "unknown hook 'no_such_hook'"),
        (
            lines.index("  - {name: studio_log, when: during}") + 1,
            "'when' of hook 'studio_log' must be one of before, after, after_commit, got 'during'",
        ),
        (
            lines.index("  - {name: studio_log, when: after, trigger: rebook}") + 1,
            "'trigger' of hook 'studio_log' is 'rebook', which is not a trigger of the workflow",
        ),
        (
            lines.index("  - {name: studio_log, when: after, trigger: hold, source: requested}") + 1,
            "hook 'studio_log' would never run",
        ),
    }
    assert all(p.file == "studio.yaml" for p in caught.value.problems)


def test_compiling_a_definition_whose_hook_is_gone_is_refused() -> None:
    """A definition naming a hook no package declares any more cannot be compiled (its rules would be incomplete)."""
    definition = dataclasses.replace(
        load_workflow("studio-session"), hooks=(HookRef("uninstalled_hook", HookMoment.AFTER, line=7),)
    )
    with pytest.raises(WorkflowDefinitionError) as caught:
        Workflow(definition)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (str(PLUGIN_FILE), 7)
    assert "uninstalled_hook" in problem.message
