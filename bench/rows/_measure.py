"""How every row measures: repeated, interleaved runs of each contender, and the result types.

A run prepares fresh data (untimed), collects garbage, times the contender with
``time.perf_counter_ns`` (the collector paused, as ``timeit`` does) and then checks, untimed,
that the contender really did the work, so a benchmark never reports the speed of a refusal.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import time
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
        """ours/baseline of the medians: below 1 means ours takes less (time or bytes)."""
        return self.ours_series().median / self.baseline(baseline).median


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
    gc.collect()


def time_contenders(
    contenders: Sequence[Contender], *, runs: int, operations: int, scale: float = 1e-3
) -> list[Series]:
    """Time each contender ``runs`` times, interleaved and in rotating order.

    Each timed call does ``operations`` operations; a sample is nanoseconds per operation
    times ``scale`` (1e-3: microseconds per operation).
    """
    samples: dict[str, list[float]] = {c.name: [] for c in contenders}
    for run in range(runs):
        # Rotating the order keeps a warm cache or a frequency ramp from favouring one contender.
        order = [contenders[(run + i) % len(contenders)] for i in range(len(contenders))]
        for contender in order:
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
            _settle()
            samples[contender.name].append(elapsed / operations * scale)
    return [Series(c.name, tuple(samples[c.name])) for c in contenders]


def memory_per_item(prepare: Callable[[], Timed], *, runs: int, items: int) -> Series:
    """Peak bytes allocated by a prepared run, per item, over ``runs`` runs (tracemalloc).

    Only what the timed code allocates counts: the data ``prepare`` builds exists before
    tracing starts, so the missions both sides share are excluded.
    """
    samples: list[float] = []
    for _ in range(runs):
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
        _settle()
        samples.append((peak - before) / items)
    return Series("", tuple(samples))


def named(series: Series, name: str) -> Series:
    """The same samples under another name."""
    return Series(name, series.samples)


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
