"""Row 9: validating a large workflow file (3,000 states, 3,000 ``source: '*'`` transitions), in time
and in memory, against loading the same file with PyYAML's C loader alone: what the validator adds
to reading the file. Validation was quadratic in states x wildcard transitions (96 s and 1.47 GB
for 3,001 states); it must stay linear.
"""

from __future__ import annotations

import yaml

from missionflow.workflow import parse_workflow
from rows import Config, Row
from rows._measure import Contender, Line, Target, Timed, memory_per_item, time_contenders

OURS = "missionflow"
YAML_ALONE = "PyYAML CSafeLoader, the same file"
STATES = 3_000
WILDCARDS = 3_000
NAME = f"validate a workflow of {STATES:,} states and {WILDCARDS:,} '*' transitions"


def large_workflow(states: int = STATES, wildcards: int = WILDCARDS) -> str:
    """A valid workflow: every state reachable through a wildcard transition, the last one final."""
    lines = ["name: large", "version: 1", "initial: s0", "states:"]
    for number in range(states):
        lines.append(f"  - id: s{number}" + ("\n    final: true" if number == states - 1 else ""))
    lines.append("transitions:")
    # 7 and the number of states have no common factor: the destinations cover every state
    lines.extend(
        f"  - trigger: go{number}\n    source: '*'\n    dest: s{number * 7 % states}"
        for number in range(wildcards)
    )
    return "\n".join(lines) + "\n"


def measure(config: Config) -> list[Line]:
    """Seconds to validate the file, and the peak memory it takes (tracemalloc, MB)."""
    text = large_workflow()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def ours() -> Timed:
        found: list[object] = []

        def run() -> object:
            found.append(parse_workflow(text, "large.yaml"))
            return found

        def check() -> None:
            definition = found[-1]
            if len(getattr(definition, "states", ())) != STATES:
                raise RuntimeError("the large workflow did not validate")

        return Timed(run, check)

    def yaml_alone() -> Timed:
        found: list[object] = []

        def run() -> object:
            found.append(yaml.load(text, Loader=loader))
            return found

        def check() -> None:
            if not isinstance(found[-1], dict):
                raise RuntimeError("PyYAML did not load the large workflow")

        return Timed(run, check)

    runs = config.heavy_runs
    times = time_contenders(
        [Contender(OURS, ours), Contender(YAML_ALONE, yaml_alone)],
        runs=runs,
        operations=1,
        scale=1e-9,
        isolate=True,
    )
    memory_runs = 1 if config.quick else 2
    memory = [
        memory_per_item(name, prepare, runs=memory_runs, items=1_000_000, isolate=True)
        for name, prepare in ((OURS, ours), (YAML_ALONE, yaml_alone))
    ]
    note = f"{len(text):,} bytes of YAML; ours parses, checks every rule and builds the definition"
    return [
        Line(
            row=9,
            name=NAME,
            unit="s/op",
            ours=times[0],
            baselines=(times[1],),
            targets=(Target("< 2 s", 2.0, strict=True),),
            note=note,
        ),
        Line(
            row=9,
            name="its peak memory (tracemalloc)",
            unit="MB",
            ours=memory[0],
            baselines=(memory[1],),
            targets=(Target("< 200 MB", 200.0, strict=True),),
            note="allocations while validating, the file's text excluded",
        ),
    ]


ROW = Row(9, "validation", "Validating a large workflow", measure)
