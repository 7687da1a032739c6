"""The exports behave like missionflow in the real engines: xstate v5 and python-statemachine.

For each shipped workflow, 300 seeded random sequences of 30 steps (valid and invalid
triggers, random guard verdicts) are replayed in the three engines and compared at every step.
Deliberately broken exports must make the comparison fail: the test of the test.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from missionflow.workflow import (
    WorkflowDefinition,
    WorkflowRegistry,
    export_workflow,
    load_workflow,
    load_workflow_file,
)
from tests.interchange.differential import (
    Replay,
    explore,
    node_problem,
    register_verdict_guard,
    run_python_statemachine,
    run_xstate,
)
from tests.shipped import SHIPPED, shipped

INSTALLED = "studio-session"  # from tests/plugin_pkg: guard parameters, hooks, a `cancel` trigger
LANGUAGES = Path(__file__).parent / "machines" / "languages.yaml"  # '*' and a non-final exit state
SEQUENCES = 300
LENGTH = 30
SCXML = "{http://www.w3.org/2005/07/scxml}"


@pytest.fixture(autouse=True)
def _verdicts(isolated: WorkflowRegistry) -> None:
    """The guard that reads the test's verdicts exists only while a test runs (the registries
    are put back after each test)."""
    register_verdict_guard()


@pytest.fixture(scope="module", autouse=True)
def _node() -> None:
    """xstate must run: a missing node or npm install fails the tests, it never skips them."""
    problem = node_problem()
    if problem is not None:
        pytest.fail(problem)


def replay(
    definition: WorkflowDefinition,
    *,
    count: int = SEQUENCES,
    machine: Callable[[dict[str, object]], None] | None = None,
    chart: Callable[[ET.Element], None] | None = None,
) -> Replay:
    """Explore ``definition`` in missionflow and replay it in xstate and python-statemachine,
    after ``machine`` and ``chart`` (when given) have altered the exports."""
    found = explore(definition, count=count, length=LENGTH, seed=sum(map(ord, definition.name)))
    config = json.loads(export_workflow(definition, "xstate"))
    if machine is not None:
        machine(config)
    found.runs["xstate"] = run_xstate(config, found.sequences)
    scxml = export_workflow(definition, "scxml")
    if chart is not None:
        root = ET.fromstring(scxml)
        chart(root)
        scxml = ET.tostring(root, encoding="unicode")
    found.runs["python-statemachine"] = run_python_statemachine(scxml, found.sequences)
    return found


@pytest.mark.parametrize("name", [*SHIPPED, INSTALLED, LANGUAGES.stem])
def test_the_three_engines_agree_at_every_step(name: str) -> None:
    """Every step of 300 random sequences ends in the same state, with the same exits and entries,
    in missionflow, xstate and python-statemachine."""
    if name == LANGUAGES.stem:
        definition = load_workflow_file(LANGUAGES)
    else:
        definition = shipped(name) if name in SHIPPED else load_workflow(name)
    found = replay(definition)
    assert found.steps == SEQUENCES * LENGTH
    mismatches = found.mismatches()
    assert mismatches == [], "\n".join(map(str, mismatches[:5]))
    outcomes = [o for observed in found.runs["missionflow"] for o in observed]
    # the sequences exercise what matters: moves, refusals, self-loops and internal transitions
    assert sum(o.taken for o in outcomes) > SEQUENCES
    assert sum(not o.taken for o in outcomes) > SEQUENCES
    assert {o.state for o in outcomes} == set(definition.state_ids)


def test_the_sequences_go_through_self_loops_and_internal_transitions() -> None:
    """freelance-mission's sequences re-enter `revisions` and stay in states without leaving them."""
    found = explore(load_workflow("freelance-mission"), count=SEQUENCES, length=LENGTH, seed=1)
    outcomes = [o for observed in found.runs["missionflow"] for o in observed]
    assert any(o.trace == ("exit:revisions", "enter:revisions") for o in outcomes)
    assert any(o.taken and o.trace == () for o in outcomes)


def broken(state: str, event: str, key: str, attribute: str, count: int) -> Replay:
    """freelance-mission replayed with exports that lost, on ``event`` from ``state``, the key
    ``key`` of the XState transition and the attribute ``attribute`` of the SCXML one."""

    def machine(config: dict[str, object]) -> None:
        states = config["states"]
        assert isinstance(states, dict)
        del states[state]["on"][event][key]

    def chart(root: ET.Element) -> None:
        found = root.find(f"{SCXML}state[@id='{state}']/{SCXML}transition[@event='{event}']")
        assert found is not None
        del found.attrib[attribute]

    return replay(load_workflow("freelance-mission"), count=count, machine=machine, chart=chart)


def test_a_dropped_guard_is_caught_in_both_exports() -> None:
    """An export that forgets the guard of `qualify` lets it through where missionflow refuses."""
    mismatches = broken("lead", "qualify", "guard", "cond", count=40).mismatches()
    assert mismatches
    # once an engine went elsewhere, the rest of its sequence differs too: look at where it parted
    first = {m.sequence: m for m in reversed(mismatches)}
    for mismatch in first.values():
        assert mismatch.event.trigger == "qualify"
        assert not mismatch.event.verdicts["client_not_blocked"]
        assert not mismatch.observed["missionflow"].taken
        assert {mismatch.observed["xstate"].state, mismatch.observed["python-statemachine"].state} == {
            "criteria_check"
        }


def test_a_self_loop_without_reentry_is_caught_by_the_exits_and_entries() -> None:
    """A self-loop exported without re-entry (XState without reenter, SCXML without target)
    reaches the same state without leaving and entering it again: only the comparison of exits
    and entries sees it, and it does."""
    mismatches = broken("revisions", "request_revision", "reenter", "target", count=60).mismatches()
    assert mismatches
    for mismatch in mismatches:
        mine, theirs = mismatch.observed["missionflow"], mismatch.observed["xstate"]
        assert (mismatch.event.trigger, mine.state, theirs.state) == (
            "request_revision",
            "revisions",
            "revisions",
        )
        assert mine.trace == ("exit:revisions", "enter:revisions")
        assert theirs == mismatch.observed["python-statemachine"]
        assert theirs.trace == ()


def test_the_sequences_fire_timers_and_send_timed_triggers_by_hand() -> None:
    """freelance-mission's sequences fire timers (a tacit approval moves to approved, a reminder
    stays) and send timed triggers as ordinary events, which no engine takes."""
    definition = load_workflow("freelance-mission")
    found = explore(definition, count=SEQUENCES, length=LENGTH, seed=1)
    steps = [
        (event, observed)
        for sequence, events in enumerate(found.sequences)
        for event, observed in zip(events, found.runs["missionflow"][sequence], strict=True)
    ]
    timed = {t.trigger for t in definition.transitions if t.timed}
    assert any(
        e.timer and e.trigger == "approve_tacitly" and o.taken and o.state == "approved" for e, o in steps
    )
    assert any(e.timer and e.trigger == "remind_deposit" and o.taken and o.trace == () for e, o in steps)
    assert any(e.timer and not o.taken for e, o in steps)  # a guard said no: skipped
    assert any(not e.timer and e.trigger in timed and not o.taken for e, o in steps)


def test_a_timer_exported_as_an_ordinary_event_is_caught() -> None:
    """An export that turns the tacit approval into an event (XState `on`, an SCXML event named
    after the trigger) takes it when it is sent by hand and misses the timer: the comparison fails."""

    def machine(config: dict[str, object]) -> None:
        states = config["states"]
        assert isinstance(states, dict)
        for state in ("in_progress", "revisions"):
            states[state]["on"]["approve_tacitly"] = states[state]["after"].pop("approve_tacitly")

    def chart(root: ET.Element) -> None:
        for found in root.iter(f"{SCXML}transition"):
            if found.get("event") == "mf-after.approve_tacitly":
                found.set("event", "approve_tacitly")

    mismatches = replay(
        load_workflow("freelance-mission"), count=60, machine=machine, chart=chart
    ).mismatches()
    assert mismatches
    first = {m.sequence: m for m in reversed(mismatches)}
    assert {m.event.trigger for m in first.values()} == {"approve_tacitly"}
    assert {m.observed["xstate"] == m.observed["python-statemachine"] for m in first.values()} == {True}
