"""The entry points that installed packages declare, read once per group and process.

Each ``importlib.metadata.entry_points()`` call scans every installed distribution (a few
milliseconds); a hook or guard looked up by name must not pay for a scan each time.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, EntryPoints, entry_points


@cache
def _group(group: str) -> EntryPoints:
    return entry_points(group=group)


def declared(group: str, name: str | None = None) -> list[EntryPoint]:
    """The entry points of ``group`` (only those called ``name`` when given), in install order."""
    return [entry for entry in _group(group) if name is None or entry.name == name]
