"""Working time: when a transition counts as out of hours, and how business days are counted.

A calendar is the application's (a freelancer's working days and hours, a team's office hours);
the engine only asks it these two questions, so any object that answers them will do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from missionflow.errors import InvalidValueError


class WorkingCalendar(Protocol):
    """Working days and hours in a time zone."""

    def is_out_of_hours(self, moment: datetime) -> bool:
        """True when ``moment`` falls outside the working days and hours."""


def aware(at: datetime | None) -> datetime:
    """``at``, or now in UTC when None; a time without a timezone is refused (history only moves
    forward, and "forward" needs an offset)."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValueError("time", f"{at.isoformat()} has no timezone; give an offset like +01:00")
    return at
