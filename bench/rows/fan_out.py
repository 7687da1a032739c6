"""Row 2: listing what every mission can do next (triggers with guard results), in time and in
memory, against the design missionflow avoids: one ``transitions`` Machine per mission.

Both sides evaluate the same registered guard functions on the same missions (spread over
every active state), so the difference is the machinery around the guards.
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
from datetime import UTC, datetime

from transitions import EventData, Machine

from missionflow import GuardContext, Workflow
from missionflow.freelance import Mission, Settings
from missionflow.freelance.vocabulary import SETTINGS
from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, memory_per_item, time_contenders
from rows._workload import ACTIVE_STATES, DEFINITION, in_some_state, registered_conditions, transitions_specs

OURS = "missionflow"
PER_MISSION = "transitions, a Machine per mission"

_SETTINGS = Settings()
_SPECS = transitions_specs(DEFINITION, registered_conditions(DEFINITION))
_STATES = list(DEFINITION.state_ids)

Answer = tuple[str, str | None, tuple[bool, ...]]


def ask_own_machine(mission: Mission) -> list[Answer]:
    """The per-mission design: build the mission's machine, then ask it each trigger's guards."""
    machine = Machine(
        model=mission,
        states=_STATES,
        transitions=_SPECS,
        initial=mission.state,
        auto_transitions=False,
        send_event=True,
    )
    ctx = GuardContext(
        datetime.now(UTC), facts={SETTINGS: _SETTINGS}, calendar=_SETTINGS, definition=DEFINITION
    )
    state = machine.get_state(mission.state)
    answers: list[Answer] = []
    for trigger in machine.get_triggers(mission.state):
        event = machine.events[trigger]
        data = EventData(state, event, machine, mission, args=(), kwargs={"ctx": ctx})
        for transition in event.transitions[mission.state]:
            checks = tuple(bool(c.check(data)) for c in transition.conditions)
            answers.append((trigger, transition.dest, checks))
    return answers


def _check_answers(results: Sequence[Sized], count: int, who: str) -> None:
    if len(results) != count or not all(len(r) for r in results):
        raise RuntimeError(f"{who}: expected a non-empty answer for each of {count} missions")


def measure(config: Config) -> list[Line]:
    """Microseconds per mission to list its triggers, and the extra bytes per mission it costs."""
    count = config.size(full=100_000, quick=5_000)
    # A kept Machine per mission weighs tens of KB and tracemalloc slows it down a lot: its
    # memory is measured on a slice (bytes per mission do not depend on how many there are).
    sampled = min(count, config.size(full=10_000, quick=1_000))
    flow = Workflow(DEFINITION)

    def fresh(size: int) -> list[Mission]:
        return [in_some_state(i) for i in range(size)]

    def ours(size: int, *, compile_workflow: bool) -> Timed:
        missions = fresh(size)

        def run() -> object:
            # For memory, the compiled workflow (shared by all missions) is counted as well.
            compiled = Workflow(DEFINITION) if compile_workflow else flow
            ctx = compiled.context(facts={SETTINGS: _SETTINGS}, calendar=_SETTINGS)
            results = [compiled.triggers(m, ctx) for m in missions]
            _check_answers(results, size, OURS)
            return compiled, results

        return Timed(run)

    def per_mission(size: int) -> Timed:
        missions = fresh(size)

        def run() -> object:
            results = [ask_own_machine(m) for m in missions]
            _check_answers(results, size, PER_MISSION)
            return results

        return Timed(run)

    times = time_contenders(
        [
            Contender(OURS, lambda: ours(count, compile_workflow=False)),
            Contender(PER_MISSION, lambda: per_mission(count)),
        ],
        runs=config.heavy_runs,
        operations=count,
        isolate=True,
    )
    # Allocation counts barely move between runs: fewer runs than for time.
    memory_runs = 1 if config.quick else 3
    ours_memory = memory_per_item(
        OURS, lambda: ours(count, compile_workflow=True), runs=memory_runs, items=count, isolate=True
    )
    their_memory = memory_per_item(
        PER_MISSION, lambda: per_mission(sampled), runs=memory_runs, items=sampled, isolate=True
    )
    size_note = f"{count:,} missions over the {len(ACTIVE_STATES)} active states"
    if config.quick:
        size_note += " (quick mode; the full run uses 100,000)"
    return [
        Line(
            row=2,
            name="list triggers + guard results per mission",
            unit="µs/mission",
            ours=times[0],
            baselines=(times[1],),
            targets=(Target("≥ 25× faster (ratio ≤ 0.04)", 0.04, baseline=PER_MISSION),),
            note=size_note,
        ),
        Line(
            row=2,
            name="extra memory per mission (tracemalloc peak)",
            unit="B/mission",
            ours=ours_memory,
            baselines=(their_memory,),
            targets=(Target("< 1 KB per mission", 1024, strict=True),),
            note=(
                f"answers kept for every mission, missions themselves excluded; ours over {count:,} "
                f"(compiled workflow included), the per-mission machines over {sampled:,}"
            ),
        ),
    ]


ROW = Row(2, "fanout", "Fan-out: triggers of many in-memory missions", measure)
