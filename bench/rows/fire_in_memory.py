"""Row 1: firing a guarded transition in memory, against a raw ``transitions`` machine and
python-statemachine running the same machine with the same two checks.

Each run fires ``start_work`` once on each of N missions waiting in ``deposit_received``
(contract signed, deposit paid); every contender has its own N missions from the same factory,
put back in ``deposit_received`` (history emptied) before each run, the same way for all.
"""

from __future__ import annotations

from typing import cast

from transitions import Machine

from missionflow import Workflow
from missionflow.freelance import Mission
from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, time_contenders
from rows._workload import (
    DEFINITION,
    START_CONDITIONS,
    START_DEST,
    START_STATE,
    START_TRIGGER,
    ready_to_start,
    statemachine_class,
    transitions_specs,
)

OURS = "missionflow"
TRANSITIONS = "transitions"
STATEMACHINE = "python-statemachine"
_BATCH = 500


def _reset(missions: list[Mission]) -> None:
    """Put every mission back where it waits for start_work, the same way for every contender."""
    for mission in missions:
        mission.state = START_STATE
        mission.history.clear()


def _checked(missions: list[Mission], contender: str) -> None:
    moved = sum(1 for m in missions if m.state == START_DEST)
    if moved != len(missions):
        raise RuntimeError(f"{contender}: only {moved} of {len(missions)} missions reached {START_DEST}")


def measure(config: Config) -> list[Line]:
    """Microseconds per fire for each contender, N missions per run."""
    count = config.size(full=10_000, quick=2_000)
    flow = Workflow(DEFINITION)

    # Each contender gets its own N missions from the same factory, set up once before any run.
    ours_missions = [ready_to_start(i) for i in range(count)]
    their_missions = [ready_to_start(i) for i in range(count)]
    # The usual way with transitions: a machine with the missions added as models (bound triggers).
    # add_model checks membership with ==, quadratic with dataclass equality: models go in
    # batches, one machine each; a fire only touches its own machine either way.
    specs = transitions_specs(DEFINITION, START_CONDITIONS)
    for first in range(0, count, _BATCH):
        Machine(
            model=their_missions[first : first + _BATCH],
            states=list(DEFINITION.state_ids),
            transitions=specs,
            initial=START_STATE,
            auto_transitions=False,
            send_event=True,
        )
    # python-statemachine binds one machine instance to each model.
    machine_class = statemachine_class(DEFINITION)
    machines = [machine_class(model=ready_to_start(i)) for i in range(count)]
    sm_missions = [cast(Mission, sm.model) for sm in machines]

    def ours() -> Timed:
        _reset(ours_missions)

        def run() -> object:
            fire = flow.fire
            return [fire(m, START_TRIGGER) for m in ours_missions]

        return Timed(run, lambda: _checked(ours_missions, OURS))

    def raw_transitions() -> Timed:
        _reset(their_missions)

        def run() -> object:
            trigger = START_TRIGGER
            return [getattr(m, trigger)() for m in their_missions]

        return Timed(run, lambda: _checked(their_missions, TRANSITIONS))

    def python_statemachine() -> Timed:
        _reset(sm_missions)

        def run() -> object:
            trigger = START_TRIGGER
            return [sm.send(trigger) for sm in machines]

        return Timed(run, lambda: _checked(sm_missions, STATEMACHINE))

    series = time_contenders(
        [
            Contender(OURS, ours),
            Contender(TRANSITIONS, raw_transitions),
            Contender(STATEMACHINE, python_statemachine),
        ],
        runs=config.runs,
        operations=count,
    )
    return [
        Line(
            row=1,
            name=f"fire {START_TRIGGER} in memory (2 guards)",
            unit="µs/op",
            ours=series[0],
            baselines=tuple(series[1:]),
            targets=(
                Target("≤ 1.2× transitions", 1.2, baseline=TRANSITIONS),
                Target("faster than python-statemachine", 1.0, baseline=STATEMACHINE, strict=True),
            ),
            note=(
                f"{count:,} missions per run, each fired once (state reset between runs); missionflow also builds and appends "
                "the TransitionRecord (the peers record nothing)"
            ),
        )
    ]


ROW = Row(1, "fire", "In-memory fire of a guarded transition", measure)
