"""The plugin's hooks: a before-hook that vetoes on Sundays, an after_commit hook that records calls."""

from __future__ import annotations

from missionflow import HookEvent

CALLS: list[str] = []
"""What studio_log saw, as "<mission>:<trigger>:<dest>", so tests can tell it ran."""


def studio_open_hours(event: HookEvent) -> str | None:
    """The studio is closed on Sundays."""
    return "the studio is closed on Sundays" if event.at.weekday() == 6 else None


def studio_log(event: HookEvent) -> None:
    """Remember the transition once it is durable."""
    CALLS.append(f"{event.subject.ref}:{event.trigger}:{event.dest}")
