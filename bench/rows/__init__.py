"""The rows of the benchmark table: one module per row, found by name, run by ``bench/run.py``.

A row module defines ``ROW = Row(number, slug, title, measure)``; ``measure(config)`` returns
its lines (see ``_measure.Line``). Modules whose name starts with ``_`` are helpers. A new row
(the persisted ones, for instance) is a new module: nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from rows._measure import Line


@dataclass(frozen=True)
class Config:
    """How hard to measure: quick mode uses fewer runs and smaller data sets."""

    quick: bool = False
    runs_override: int | None = None

    @property
    def runs(self) -> int:
        """Repeated runs of a light row."""
        return self.runs_override or (3 if self.quick else 7)

    @property
    def heavy_runs(self) -> int:
        """Repeated runs of a row that takes seconds per run."""
        return self.runs_override or (3 if self.quick else 5)

    def size(self, full: int, quick: int) -> int:
        """A data-set size: ``full`` normally, ``quick`` in quick mode."""
        return quick if self.quick else full


@dataclass(frozen=True)
class Row:
    """One row of the issue's table: a number, a short name for ``--only``, and how to measure it."""

    number: int
    slug: str
    title: str
    measure: Callable[[Config], list[Line]]


def discover() -> list[Row]:
    """Every row module's ``ROW``, by row number."""
    found: list[Row] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        row = getattr(module, "ROW", None)
        if not isinstance(row, Row):
            raise TypeError(f"bench/rows/{info.name}.py defines no ROW = Row(...)")
        found.append(row)
    numbers = [row.number for row in found]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"two row modules share a number: {sorted(numbers)}")
    return sorted(found, key=lambda row: row.number)
