"""How every row measures: repeated, interleaved runs of each contender, and the result types.

A run prepares fresh data (untimed), collects garbage, times the contender with
``time.perf_counter_ns`` (the collector paused, as ``timeit`` does) and then checks, untimed,
that the contender really did the work, so a benchmark never reports the speed of a refusal.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import time
import traceback
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Series:
    """Every sample of one contender in one measurement, in the line's unit."""

    name: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median sample: what the table compares."""
        return float(statistics.median(self.samples))

    @property
    def low(self) -> float:
        """The smallest sample."""
        return min(self.samples)

    @property
    def high(self) -> float:
        """The largest sample."""
        return max(self.samples)


@dataclass(frozen=True)
class Target:
    """What a line promises: a bound on ours/baseline (``baseline`` named) or on our own median.

    Every target is an upper bound, so "at least 20x faster" is written as ours/baseline <= 0.05.
    """

    text: str
    limit: float
    baseline: str | None = None
    strict: bool = False

    def value(self, line: Line) -> float:
        """The number the limit applies to: the ratio against the baseline, or our median."""
        if self.baseline is None:
            return line.ours_series().median
        return line.ratio(self.baseline)

    def met(self, line: Line) -> bool:
        """True when the measured value is within the limit."""
        value = self.value(line)
        return value < self.limit if self.strict else value <= self.limit


@dataclass(frozen=True)
class Line:
    """One measurement of the table: ours against baselines measured in the same run.

    A line whose prerequisite is missing carries ``unavailable`` (the reason) and no numbers.
    """

    row: int
    name: str
    unit: str
    ours: Series | None = None
    baselines: tuple[Series, ...] = ()
    targets: tuple[Target, ...] = ()
    note: str = ""
    unavailable: str | None = None
    higher_is_better: bool = False

    @property
    def ratio_is(self) -> str:
        """How ``ratio`` is computed for this line; below 1 always means ours does better."""
        return "baseline/ours (throughput)" if self.higher_is_better else "ours/baseline"

    def ours_series(self) -> Series:
        """Our samples; a programming error to ask on an unavailable line."""
        if self.ours is None:
            raise ValueError(f"{self.name}: not measured ({self.unavailable})")
        return self.ours

    def baseline(self, name: str) -> Series:
        """The baseline called ``name``."""
        for series in self.baselines:
            if series.name == name:
                return series
        raise KeyError(name)

    def ratio(self, baseline: str) -> float:
        """The cost ratio of the medians, ours over the baseline's: below 1, ours does better.

        For time and bytes that is ours/baseline; for a throughput line, baseline/ours.
        """
        ours, theirs = self.ours_series().median, self.baseline(baseline).median
        return theirs / ours if self.higher_is_better else ours / theirs


def unavailable(row: int, name: str, reason: str) -> Line:
    """A line that cannot be measured yet, with why: never a made-up number."""
    return Line(row=row, name=name, unit="", unavailable=reason)


@dataclass(frozen=True)
class Timed:
    """One prepared run of a contender: the code to time and the check that it did its work."""

    run: Callable[[], object]
    check: Callable[[], None] = field(default=lambda: None)


@dataclass(frozen=True)
class Contender:
    """A way of doing the operation: ``prepare`` builds fresh data and returns what to time."""

    name: str
    prepare: Callable[[], Timed]


def _settle() -> None:
    gc.collect()


def _in_child(measure: Callable[[], float]) -> float:
    """Run ``measure`` in a forked copy of this process and return its number.

    The child exits without tearing anything down, so a contender that leaves gigabytes of
    cyclic garbage (a Machine per mission) costs no collection time between runs.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        code = 0
        try:
            payload = repr(measure()).encode()
        except BaseException:
            payload = b"error:" + traceback.format_exc().encode()
            code = 1
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if payload.startswith(b"error:") or not payload:
        raise RuntimeError(
            f"a measurement failed in its child process (status {status}):\n{payload[6:].decode()}"
        )
    return float(payload)


def _timed_once(contender: Contender, operations: int, scale: float) -> float:
    timed = contender.prepare()
    _settle()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        # Kept until the clock stops: freeing the results is not the operation.
        result = timed.run()
        elapsed = time.perf_counter_ns() - start
    finally:
        gc.enable()
    timed.check()
    del result, timed
    return elapsed / operations * scale


def time_contenders(
    contenders: Sequence[Contender], *, runs: int, operations: int, scale: float = 1e-3, isolate: bool = False
) -> list[Series]:
    """Time each contender ``runs`` times, interleaved and in rotating order.

    Each timed call does ``operations`` operations; a sample is nanoseconds per operation
    times ``scale`` (1e-3: microseconds per operation). With ``isolate``, every run happens
    in a forked child (see ``_in_child``), the same way for every contender.
    """
    samples: dict[str, list[float]] = {c.name: [] for c in contenders}
    # What exists now (missions, machines built once) lives through every run: frozen, the
    # collections between runs only look at what the runs themselves made.
    gc.collect()
    gc.freeze()
    try:
        for run in range(runs):
            # Rotating the order keeps a warm cache or a frequency ramp from favouring one contender.
            for offset in range(len(contenders)):
                contender = contenders[(run + offset) % len(contenders)]

                def once(contender: Contender = contender) -> float:
                    return _timed_once(contender, operations, scale)

                samples[contender.name].append(_in_child(once) if isolate else once())
                _settle()
    finally:
        gc.unfreeze()
    return [Series(c.name, tuple(samples[c.name])) for c in contenders]


def _peak_per_item(prepare: Callable[[], Timed], items: int) -> float:
    timed = prepare()
    _settle()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        kept = timed.run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    timed.check()
    del kept, timed
    return (peak - before) / items


def memory_per_item(
    name: str, prepare: Callable[[], Timed], *, runs: int, items: int, isolate: bool = False
) -> Series:
    """Peak bytes allocated by a prepared run, per item, over ``runs`` runs (tracemalloc).

    Only what the timed code allocates counts: the data ``prepare`` builds exists before
    tracing starts, so the missions both sides share are excluded.
    """
    samples: list[float] = []
    for _ in range(runs):

        def once() -> float:
            return _peak_per_item(prepare, items)

        samples.append(_in_child(once) if isolate else once())
        _settle()
    return Series(name, tuple(samples))


def time_commands(
    commands: Sequence[tuple[str, Sequence[str]]], *, runs: int, invocations: int
) -> list[Series]:
    """Wall time of whole processes, in milliseconds per invocation, interleaved like contenders.

    Each command runs once untimed first (disk cache, bytecode files), and must exit with 0.
    """

    def invoke(argv: Sequence[str]) -> None:
        done = subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[:500]}")

    for _, argv in commands:
        invoke(argv)

    def contender(name: str, argv: Sequence[str]) -> Contender:
        def run() -> None:
            for _ in range(invocations):
                invoke(argv)

        return Contender(name, lambda: Timed(run))

    return time_contenders(
        [contender(name, argv) for name, argv in commands], runs=runs, operations=invocations, scale=1e-6
    )
