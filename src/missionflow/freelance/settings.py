"""The freelancer's settings: identity, defaults, working hours and client criteria."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Criterion:
    """A rule a client must (or should) meet before the freelancer accepts a mission (R1)."""

    name: str
    question: str
    must_have: bool = True


DEFAULT_CRITERIA = (
    Criterion("budget_fits", "Does the budget match my rates?", True),
    Criterion("respectful", "Was the client respectful in our first exchanges?", True),
    Criterion("clear_need", "Is the need clear enough to write a specification?", True),
    Criterion("interesting", "Is the project interesting for my portfolio?", False),
)


@dataclass(frozen=True)
class Settings:
    """Everything the guards and documents need to know about the freelancer.

    >>> Settings().minimum_lead_days
    7
    """

    name: str = "Freelancer"
    legal_name: str = ""
    siret: str = ""
    address: str = ""
    vat_mention: str = "TVA non applicable, art. 293 B du CGI"
    currency: str = "EUR"
    deposit_percent: Decimal = Decimal("30")
    included_revisions: int = 2
    minimum_lead_days: int = 7
    payment_terms_days: int = 30
    late_penalty_rate: Decimal = Decimal("12.0")
    recovery_indemnity: Decimal = Decimal("40")
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    working_start: time = time(9, 0)
    working_end: time = time(18, 0)
    timezone: str = "Europe/Paris"
    criteria: tuple[Criterion, ...] = field(default=DEFAULT_CRITERIA)
    deposit_reminder_days: int = 7
    """Days after the signature after which the deposit reminder falls due (the timer fact
    ``deposit_reminder_days`` of the workflow's ``remind_deposit``)."""

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def is_out_of_hours(self, moment: datetime) -> bool:
        """True when ``moment`` falls outside the working days and hours (R12)."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.working_days:
            return True
        return not (self.working_start <= local.time() < self.working_end)

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is one of the working days: timers count business days with it."""
        return day.weekday() in self.working_days


_EDITABLE_TEXT = ("name", "legal_name", "siret", "address", "vat_mention", "timezone")
_EDITABLE_INT = ("included_revisions", "minimum_lead_days", "payment_terms_days", "deposit_reminder_days")
_EDITABLE_PERCENT = ("deposit_percent", "late_penalty_rate")
MAX_PAYMENT_TERMS_DAYS = 60
MAX_WHOLE_NUMBER = 3650
"""The largest day count or number of rounds a setting takes (ten years of days)."""
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def editable_settings() -> tuple[str, ...]:
    """The keys ``settings set`` accepts, in a stable order."""
    return (
        *_EDITABLE_TEXT,
        "currency",
        *_EDITABLE_PERCENT,
        "recovery_indemnity",
        *_EDITABLE_INT,
        "working_days",
        "working_hours",
    )


def set_from_text(settings: Settings, key: str, text: str) -> Settings:
    """A copy of ``settings`` with ``key`` set from a person's text; InvalidValueError when wrong.

    >>> set_from_text(Settings(), "working_hours", "08:30-17:00").working_start
    datetime.time(8, 30)
    """
    from decimal import InvalidOperation

    from missionflow.errors import InvalidValueError

    value = text.strip()
    if key in _EDITABLE_TEXT:
        if key == "name" and not value:
            raise InvalidValueError(key, "your name cannot be empty")
        if key == "siret":
            value = "".join(value.split())
            if value and not (len(value) == 14 and value.isascii() and value.isdigit()):
                raise InvalidValueError(key, f"{text.strip()!r} is not a SIRET of 14 digits")
        if key == "timezone":
            try:
                ZoneInfo(value)
            except (ValueError, KeyError, OSError):
                raise InvalidValueError(key, f"{value!r} is not a timezone like Europe/Paris") from None
        return settings.with_changes(**{key: value})
    if key == "currency":
        if len(value) != 3 or not value.isalpha():
            raise InvalidValueError(key, f"{value!r} is not an ISO currency code like EUR")
        return replace(settings, currency=value.upper())
    if key in _EDITABLE_PERCENT or key == "recovery_indemnity":
        try:
            number = Decimal(value.rstrip("%").strip())
        except InvalidOperation:
            raise InvalidValueError(key, f"{value!r} is not a number") from None
        if not number.is_finite() or number < 0 or (key == "deposit_percent" and number > 100):
            raise InvalidValueError(key, f"{value!r} is out of range")
        return settings.with_changes(**{key: number})
    if key in _EDITABLE_INT:
        # isascii: "²".isdigit() is true but int() refuses it.
        if not (value.isascii() and value.isdigit()):
            raise InvalidValueError(key, f"{value!r} is not a whole number of 0 or more")
        number_int = int(value)
        if number_int > MAX_WHOLE_NUMBER:
            raise InvalidValueError(key, f"{number_int} is more than {MAX_WHOLE_NUMBER}")
        if key == "payment_terms_days" and number_int > MAX_PAYMENT_TERMS_DAYS:
            raise InvalidValueError(
                key, f"{number_int} days is over the legal maximum of {MAX_PAYMENT_TERMS_DAYS}"
            )
        return settings.with_changes(**{key: number_int})
    if key == "working_days":
        days = [d.strip().lower()[:3] for d in value.split(",") if d.strip()]
        unknown = [d for d in days if d not in _DAY_NAMES]
        if unknown or not days:
            raise InvalidValueError(key, f"{value!r}: list days like mon,tue,wed,thu,fri")
        return replace(settings, working_days=tuple(sorted({_DAY_NAMES.index(d) for d in days})))
    if key == "working_hours":
        start_text, sep, end_text = value.partition("-")
        try:
            start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        except ValueError:
            raise InvalidValueError(key, f"{value!r}: give hours like 09:00-18:00") from None
        if not sep or start >= end:
            raise InvalidValueError(key, f"{value!r}: the start must be before the end, like 09:00-18:00")
        return replace(settings, working_start=start, working_end=end)
    raise InvalidValueError("setting", f"unknown key {key!r}; keys: {', '.join(editable_settings())}")


def describe_settings(settings: Settings) -> list[tuple[str, str]]:
    """(key, value as text) for every editable setting, as ``settings set`` reads them back."""
    texts: list[tuple[str, str]] = []
    for key in editable_settings():
        if key == "working_days":
            texts.append((key, ",".join(_DAY_NAMES[d] for d in settings.working_days)))
        elif key == "working_hours":
            texts.append((key, f"{settings.working_start:%H:%M}-{settings.working_end:%H:%M}"))
        else:
            texts.append((key, str(getattr(settings, key))))
    return texts
