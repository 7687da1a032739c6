"""Random event sequences replayed in three engines, and what each one did at every step.

missionflow's own engine explores: at each step it is given a trigger (mostly one that leaves
the current state, sometimes any trigger of the workflow or one that does not exist), or a timer
of the current state falls due, with a random verdict for every guard; what it does is recorded.
A timer step is the timer's event in each engine: a fire with ``timer=True`` in missionflow, the
delayed event of XState's ``after``, the ``mf-after.<trigger>`` event of the SCXML; a timed
trigger sent as an ordinary event must do nothing anywhere. The same steps are then replayed in
the real xstate v5 (run by node on the XState export) and in python-statemachine (loading the
SCXML export), and the three records are compared step by step: whether a transition was
taken, the state reached, and the states exited and entered on the way.
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from missionflow.errors import TransitionBlockedError, TransitionNotAllowedError
from missionflow.workflow import (
    GuardContext,
    GuardParam,
    GuardRef,
    StateKind,
    TransitionRecord,
    Workflow,
    WorkflowDefinition,
    register_guard,
)

NODE_DIR = Path(__file__).with_name("node")
RUNNER = NODE_DIR / "run-xstate.mjs"
UNKNOWN_TRIGGER = "no_such_trigger"
VERDICT_GUARD = "_differential_verdict"


@dataclass(frozen=True)
class Step:
    """One event of a sequence: a trigger (or a timer falling due) and the verdict of every guard."""

    trigger: str
    verdicts: Mapping[str, bool]
    timer: bool = False


@dataclass(frozen=True)
class Observation:
    """What an engine did for one step: a transition taken or not, the state reached, and the
    states exited and entered (``exit:x``, ``enter:y``) in order."""

    taken: bool
    state: str
    trace: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mismatch:
    """A step where the engines disagree, with what each one did."""

    sequence: int
    step: int
    event: Step
    observed: Mapping[str, Observation]

    def __str__(self) -> str:
        seen = "; ".join(f"{engine}: {obs}" for engine, obs in self.observed.items())
        return f"sequence {self.sequence} step {self.step} {self.event.trigger} {dict(self.event.verdicts)}: {seen}"


@dataclass
class Replay:
    """The steps of every sequence and each engine's observations, for one workflow."""

    sequences: list[list[Step]] = field(default_factory=list)
    runs: dict[str, list[list[Observation]]] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """How many steps there are in all sequences."""
        return sum(len(steps) for steps in self.sequences)

    def mismatches(self) -> list[Mismatch]:
        """Every step where some engine did something else than missionflow."""
        found = []
        for number, steps in enumerate(self.sequences):
            for index, event in enumerate(steps):
                observed = {engine: runs[number][index] for engine, runs in self.runs.items()}
                if len(set(observed.values())) > 1:
                    found.append(Mismatch(number, index, event, observed))
        return found


@dataclass
class Subject:
    """What the engine moves in these tests: the guards read the test's verdicts, not a mission."""

    ref: str
    workflow: str
    state: str
    workflow_version: int = 1
    history: list[TransitionRecord] = field(default_factory=list)


def _verdict(subject: Subject, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
    """Allows when the test said yes for the guard named in ``params["guard"]``."""
    return None if ctx.data.get(str(params["guard"])) == "yes" else f"the test refused {params['guard']}"


def register_verdict_guard() -> None:
    """Registers the guard that reads the test's verdicts (in the test's isolated registries)."""
    register_guard(VERDICT_GUARD, params={"guard": str}, reads=())(_verdict)


def guard_names(definition: WorkflowDefinition) -> list[str]:
    """Every guard a workflow names, in file order, once each."""
    return list(dict.fromkeys(g.name for t in definition.transitions for g in t.guards))


def with_verdicts(definition: WorkflowDefinition) -> WorkflowDefinition:
    """A copy of ``definition`` whose guards read the test's verdicts instead of the mission:
    each guard becomes the verdict guard naming it, in the same place."""
    transitions = tuple(
        dataclasses.replace(
            t, guards=tuple(GuardRef(VERDICT_GUARD, {"guard": g.name}, g.line) for g in t.guards)
        )
        for t in definition.transitions
    )
    return dataclasses.replace(definition, transitions=transitions, hooks=())


class _MissionflowEngine:
    """missionflow's engine on the verdict copy, with its states' exits and entries recorded.

    The engine has no entry or exit actions of its own; what ``transitions`` runs on a move is
    read from the compiled machine's states, which is what a self-loop is about.
    """

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self.flow: Workflow[Subject] = Workflow(with_verdicts(definition))
        self.trace: list[str] = []
        # A private attribute of the engine, on purpose: exits and entries are what `transitions`
        # does inside a move, and no public API shows them (hooks see the source and the
        # destination, not whether a self-loop left the state). The library never reads it.
        machine = self.flow._machine
        for state in definition.state_ids:
            machine.get_state(state).add_callback("enter", self._recorder(f"enter:{state}"))
            machine.get_state(state).add_callback("exit", self._recorder(f"exit:{state}"))

    def _recorder(self, what: str) -> object:
        return lambda event: self.trace.append(what)

    def step(self, subject: Subject, event: Step) -> Observation:
        self.trace.clear()
        data = {name: "yes" if ok else "no" for name, ok in event.verdicts.items()}
        try:
            self.flow.fire(subject, event.trigger, data=data, timer=event.timer)
        except (TransitionNotAllowedError, TransitionBlockedError):
            return Observation(False, subject.state, tuple(self.trace))
        return Observation(True, subject.state, tuple(self.trace))


def explore(definition: WorkflowDefinition, count: int, length: int, seed: int) -> Replay:
    """``count`` random sequences of ``length`` steps, run in missionflow's engine."""
    rng = random.Random(seed)
    engine = _MissionflowEngine(definition)
    guards = guard_names(definition)
    everything = [*definition.triggers, UNKNOWN_TRIGGER]
    exits = {state.id: state.kind is StateKind.EXIT for state in definition.states}
    replay = Replay(runs={"missionflow": []})
    for number in range(count):
        subject = Subject(ref=f"S-{number}", workflow=definition.name, state=definition.initial)
        steps: list[Step] = []
        observed: list[Observation] = []
        for _ in range(length):
            leaving = definition.transitions_from(subject.state)
            timed = definition.timed_from(subject.state)
            if timed and rng.random() < 0.2:
                event = Step(rng.choice(timed).trigger, {name: rng.random() < 0.75 for name in guards}, True)
                steps.append(event)
                observed.append(engine.step(subject, event))
                continue
            if leaving and rng.random() < 0.85:
                # ways out (declined, terminated) are rarer, so that sequences get deep
                weights = [0.1 if exits[t.dest_from(subject.state)] else 1.0 for t in leaving]
                trigger = rng.choices(leaving, weights)[0].trigger
            else:
                trigger = rng.choice(everything)
            event = Step(trigger, {name: rng.random() < 0.75 for name in guards})
            steps.append(event)
            observed.append(engine.step(subject, event))
        replay.sequences.append(steps)
        replay.runs["missionflow"].append(observed)
    return replay


def node_problem() -> str | None:
    """Why xstate cannot run here, or None when node and the runner's packages are installed."""
    if shutil.which("node") is None:
        return "node is not installed: run `make test` (scripts/system-deps.sh installs nodejs and npm)"
    if not (NODE_DIR / "node_modules" / "xstate" / "package.json").is_file():
        return f"xstate is not installed in {NODE_DIR}: run `make test` (it runs `npm ci` there)"
    return None


def run_xstate(machine: Mapping[str, object], sequences: list[list[Step]]) -> list[list[Observation]]:
    """Every sequence replayed in xstate v5 by one node process."""
    payload = {
        "machine": machine,
        "sequences": [
            [{"trigger": s.trigger, "verdicts": dict(s.verdicts), "timer": s.timer} for s in steps]
            for steps in sequences
        ],
    }
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [
        [Observation(o["taken"], o["state"], tuple(o["trace"])) for o in observed]
        for observed in json.loads(done.stdout)
    ]


class _Verdicts:
    """What the SCXML's ``missionflow_all[...]`` subscripts: True when every listed guard is allowed."""

    def __init__(self, verdicts: Mapping[str, bool]) -> None:
        self.verdicts = verdicts

    def __getitem__(self, guards: list[dict[str, object]]) -> bool:
        return all(self.verdicts[str(g["name"])] for g in guards)


class _Recorder:
    """The model given to python-statemachine: its callbacks record what the machine runs."""

    def __init__(self) -> None:
        self.trace: list[str] = []
        self.taken = False

    def on_enter_state(self, state: object) -> None:
        self.trace.append(f"enter:{getattr(state, 'id', state)}")

    def on_exit_state(self, state: object) -> None:
        self.trace.append(f"exit:{getattr(state, 'id', state)}")

    def after_transition(self) -> None:
        self.taken = True


def run_python_statemachine(scxml: str, sequences: list[list[Step]]) -> list[list[Observation]]:
    """Every sequence replayed by python-statemachine on the SCXML, the verdicts sent with each event."""
    from statemachine.io import load

    chart = load(scxml, format="scxml")
    runs = []
    for steps in sequences:
        model = _Recorder()
        machine = chart(model=model)
        observed = []
        for event in steps:
            model.trace.clear()
            model.taken = False
            name = f"mf-after.{event.trigger}" if event.timer else event.trigger
            machine.send(name, missionflow_all=_Verdicts(event.verdicts))
            (state,) = machine.configuration_values
            observed.append(Observation(model.taken, str(state), tuple(model.trace)))
        runs.append(observed)
    return runs
