"""Working time: when a transition counts as out of hours, and how days of a timer are counted.

A calendar is the application's (a freelancer's working days and hours, a team's office hours);
the engine only asks it these questions, so any object that answers them will do. Timers count
calendar days and business days in the calendar's time zone (a day is a day of the wall clock,
also across a change to or from summer time) and hours as elapsed time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from missionflow.errors import InvalidValueError


class WorkingCalendar(Protocol):
    """Working days and hours in a time zone."""

    @property
    def timezone(self) -> str:
        """The IANA time zone the days are counted in ("Europe/Paris")."""

    def is_out_of_hours(self, moment: datetime) -> bool:
        """True when ``moment`` falls outside the working days and hours."""

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` (a date of the calendar's time zone) is a working day."""


class WeekdayCalendar:
    """Monday to Friday, every hour, in UTC: the calendar timers count with when none is given.

    >>> WeekdayCalendar().is_working_day(date(2026, 3, 7))  # a Saturday
    False
    """

    timezone = "UTC"

    def is_out_of_hours(self, moment: datetime) -> bool:
        """False on a weekday, True at the weekend."""
        return not self.is_working_day(moment.astimezone(UTC).date())

    def is_working_day(self, day: date) -> bool:
        """True from Monday to Friday."""
        return day.weekday() < 5


def zone_of(calendar: WorkingCalendar) -> tzinfo:
    """The calendar's time zone (InvalidValueError when it names none that exists)."""
    try:
        return ZoneInfo(calendar.timezone)
    except (ValueError, KeyError, OSError):
        raise InvalidValueError("timezone", f"{calendar.timezone!r} is not a time zone") from None


def add_days(start: datetime, days: int, calendar: WorkingCalendar, *, business: bool) -> datetime:
    """``days`` calendar days (or working days) after ``start``, at the same time of the wall
    clock in the calendar's time zone.

    A business day is a working day of the calendar: 1 business day after a Friday (or a
    Saturday) is the next Monday at the same time, when Monday is a working day.

    >>> paris = type("Paris", (WeekdayCalendar,), {"timezone": "Europe/Paris"})()
    >>> add_days(datetime(2026, 3, 28, 10, tzinfo=UTC), 1, paris, business=False).isoformat()
    '2026-03-29T09:00:00+00:00'
    >>> add_days(datetime(2026, 3, 6, 10, tzinfo=UTC), 1, paris, business=True).isoformat()
    '2026-03-09T10:00:00+00:00'
    """
    zone = zone_of(calendar)
    local = start.astimezone(zone)
    day = local.date()
    if not business:
        day += timedelta(days=days)
    else:
        counted = 0
        # A calendar with no working day at all would never get there: a year without one is refused.
        limit = day + timedelta(days=days * 7 + 366)
        while counted < days:
            day += timedelta(days=1)
            if day > limit:
                raise InvalidValueError("calendar", "it has no working day: business days cannot be counted")
            if calendar.is_working_day(day):
                counted += 1
    wall = datetime.combine(day, local.time().replace(tzinfo=None), zone)
    # Through ZoneInfo and back: a wall time skipped by summer time moves forward, as a clock does.
    return wall.astimezone(UTC).astimezone(zone).astimezone(start.tzinfo or UTC)


def aware(at: datetime | None) -> datetime:
    """``at``, or now in UTC when None; a time without a timezone is refused (history only moves
    forward, and "forward" needs an offset)."""
    if at is None:
        return datetime.now(UTC)
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValueError("time", f"{at.isoformat()} has no timezone; give an offset like +01:00")
    try:
        at.astimezone(UTC)
    except OverflowError:
        raise InvalidValueError("time", f"{at.isoformat()} is outside the calendar") from None
    return at
