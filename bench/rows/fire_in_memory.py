"""Row 1: firing a guarded transition in memory, against a raw ``transitions`` machine and
python-statemachine running the same machine with the same two checks.

Each run fires ``start_work`` once on each of N fresh missions waiting in ``deposit_received``
(contract signed, deposit paid); every contender gets its missions from the same factory.
"""

from __future__ import annotations

from transitions import Machine

from missionflow import Mission, Workflow
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


def _all_started(missions: list[Mission], contender: str) -> None:
    moved = sum(1 for m in missions if m.state == START_DEST)
    if moved != len(missions):
        raise RuntimeError(f"{contender}: only {moved} of {len(missions)} missions reached {START_DEST}")


def measure(config: Config) -> list[Line]:
    """Microseconds per fire for each contender, N missions per run."""
    count = config.size(full=10_000, quick=2_000)
    flow = Workflow(DEFINITION)
    specs = transitions_specs(DEFINITION, START_CONDITIONS)
    machine_class = statemachine_class(DEFINITION)

    def fresh() -> list[Mission]:
        return [ready_to_start(i) for i in range(count)]

    def ours() -> Timed:
        missions = fresh()

        def run() -> object:
            fire = flow.fire
            return [fire(m, START_TRIGGER) for m in missions]

        return Timed(run, lambda: _all_started(missions, OURS))

    def raw_transitions() -> Timed:
        missions = fresh()
        # The usual way: one machine, every mission added as a model (bound triggers).
        Machine(
            model=missions,
            states=list(DEFINITION.state_ids),
            transitions=specs,
            initial=START_STATE,
            auto_transitions=False,
            send_event=True,
        )

        def run() -> object:
            trigger = START_TRIGGER
            return [getattr(m, trigger)() for m in missions]

        return Timed(run, lambda: _all_started(missions, TRANSITIONS))

    def python_statemachine() -> Timed:
        missions = fresh()
        # python-statemachine binds one machine instance to each model; built before the clock.
        machines = [machine_class(model=m) for m in missions]

        def run() -> object:
            trigger = START_TRIGGER
            return [sm.send(trigger) for sm in machines]

        return Timed(run, lambda: _all_started(missions, STATEMACHINE))

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
                Target("≤ 1.5× transitions", 1.5, baseline=TRANSITIONS),
                Target("faster than python-statemachine", 1.0, baseline=STATEMACHINE, strict=True),
            ),
            note=(
                f"{count:,} fresh missions per run, each fired once; missionflow also builds and appends "
                "the TransitionRecord (the peers record nothing)"
            ),
        )
    ]


ROW = Row(1, "fire", "In-memory fire of a guarded transition", measure)
