"""Row 6: the command line's start-up, as whole processes: ``missionflow --help`` against the
bare import of click, and ``missionflow mission show`` and ``missionflow mission list`` against
the bare import of sqlalchemy.orm and transitions.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rows import Config, Row
from rows._measure import Line, Target, time_commands, unavailable
from rows._optional import executable, missing_functions

IMPORT_CLICK = "python -c 'import click'"
IMPORT_STORE_LIBS = "python -c 'import sqlalchemy.orm, transitions'"


def _create_mission(program: str, db: Path) -> str:
    """A client and a mission made through the CLI itself; the mission's reference."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("MISSIONFLOW_DB", None)

    def run(*args: str) -> str:
        done = subprocess.run(
            [program, *args, "--db", str(db)], capture_output=True, text=True, env=env, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"missionflow {args[0]} {args[1]} exited {done.returncode}: {done.stderr.strip()[:300]}"
            )
        return done.stdout.strip()

    client = run("client", "add", "Atelier Dupont")
    return run("mission", "new", client, "Website redesign", "--amount", "4500", "--deposit", "30%")


def _byte_compile(*packages: str) -> None:
    """Write the packages' bytecode, as pip does when it installs a wheel: an editable install run
    under PYTHONDONTWRITEBYTECODE would otherwise compile every module from source, every run."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                compileall.compile_dir(folder, quiet=1)


def measure(config: Config) -> list[Line]:
    """Milliseconds per process for each command and its baseline."""
    invocations = config.size(full=10, quick=2)
    _byte_compile("missionflow", "missionflow_cli")
    note = (
        f"wall time of a whole process, {invocations} per run; same interpreter for both; "
        "missionflow byte-compiled first, as a wheel install does"
    )
    program = executable("missionflow")
    if program is None:
        return [unavailable(6, "missionflow --help", "the missionflow console script is not installed")]
    help_times = time_commands(
        [("missionflow --help", [program, "--help"]), (IMPORT_CLICK, [sys.executable, "-c", "import click"])],
        runs=config.runs,
        invocations=invocations,
    )
    lines = [
        Line(
            row=6,
            name="missionflow --help",
            unit="ms/run",
            ours=help_times[0],
            baselines=(help_times[1],),
            targets=(Target("≤ 1.1× import click", 1.1, baseline=IMPORT_CLICK),),
            note=note,
        )
    ]
    show = "missionflow mission show M"
    listing = "missionflow mission list"
    reason = missing_functions("open_store")
    if reason is not None:
        lines.extend(unavailable(6, name, reason) for name in (show, listing))
        return lines
    with tempfile.TemporaryDirectory(prefix="missionflow-bench-") as folder:
        db = Path(folder) / "bench.db"
        try:
            ref = _create_mission(program, db)
        except RuntimeError as exc:
            lines.extend(
                unavailable(6, name, f"could not create a mission to show: {exc}") for name in (show, listing)
            )
            return lines
        times = time_commands(
            [
                (show, [program, "mission", "show", ref, "--db", str(db)]),
                (listing, [program, "mission", "list", "--db", str(db)]),
                (IMPORT_STORE_LIBS, [sys.executable, "-c", "import sqlalchemy.orm, transitions"]),
            ],
            runs=config.runs,
            invocations=invocations,
        )
    lines.extend(
        Line(
            row=6,
            name=name,
            unit="ms/run",
            ours=series,
            baselines=(times[2],),
            targets=(Target("≤ 1.2× import sqlalchemy.orm, transitions", 1.2, baseline=IMPORT_STORE_LIBS),),
            note=note + "; a SQLite file with one mission",
        )
        for name, series in ((show, times[0]), (listing, times[1]))
    )
    return lines


ROW = Row(6, "cli", "Command line start-up", measure)
