"""The entry points that installed packages declare, read once per group and process.

Each ``importlib.metadata.entry_points()`` call scans every installed distribution (a few
milliseconds); a hook or guard looked up by name must not pay for a scan each time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint, EntryPoints


@cache
def _group(group: str) -> EntryPoints:
    # importlib.metadata (and the email package it parses metadata with) costs a command 15 ms:
    # imported when a group is first read, which most commands never do.
    from importlib.metadata import entry_points

    return entry_points(group=group)


def declared(group: str, name: str | None = None) -> list[EntryPoint]:
    """The entry points of ``group`` (only those called ``name`` when given), in install order."""
    return [entry for entry in _group(group) if name is None or entry.name == name]


def load_each(group: str, registered: Callable[[EntryPoint, object], None] | None = None) -> None:
    """Load every entry point of ``group``; ``registered`` is told each loaded target. A package
    that fails to import is logged and skipped: what it declares is then reported as unknown
    where it is used, and everything else keeps working."""
    for entry in declared(group):
        try:
            target = entry.load()
        except Exception:
            logging.getLogger("missionflow.plugins").exception("cannot load the entry point %s", entry.value)
            continue
        if registered is not None:
            registered(entry, target)
