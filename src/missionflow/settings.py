"""The freelancer's settings: identity, defaults, working hours and client criteria."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
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

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def is_out_of_hours(self, moment: datetime) -> bool:
        """True when ``moment`` falls outside the working days and hours (R12)."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.working_days:
            return True
        return not (self.working_start <= local.time() < self.working_end)
