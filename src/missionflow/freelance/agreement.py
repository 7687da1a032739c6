"""What is agreed on a mission, line by line: the signed contract, the rush surcharge, the amendments
and the extra revision rounds. :func:`agreement_of` is the one place that adds them up; the final
invoice, the deposit, the guards and every report use it, so that every euro agreed is billed.

Each line has a designation and an amount, like a priced line of a document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from missionflow.money import Money

CONTRACT = "contract"
"""The signed quote."""
RUSH_SURCHARGE = "rush_surcharge"
"""The surcharge agreed for a deadline closer than the minimum lead time (R2)."""
AMENDMENT = "amendment"
"""An agreed change of price after the signature (R4)."""
EXTRA_REVISION = "extra_revision"
"""A revision round beyond those included, agreed with its price (R8)."""
LINE_KINDS = (CONTRACT, RUSH_SURCHARGE, AMENDMENT, EXTRA_REVISION)


@dataclass(frozen=True)
class AgreedLine:
    """One thing the client agreed to pay for: what it is, and its amount (negative for an
    amendment that lowers the price)."""

    kind: str
    designation: str
    amount: Money
    agreed_at: datetime | None = None


@dataclass(frozen=True)
class Agreement:
    """Every line agreed on a mission, in the order agreed: the contract (or the quoted amount before
    the signature), the rush surcharge, then amendments and extra rounds.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> agreed = agreement_of("EUR", contract_amount=eur("1200"), terms_version="CGV-1", rush_surcharge=eur("200"))
    >>> [(line.designation, str(line.amount)) for line in agreed.lines]
    [('Contract amount (CGV-1)', '1,200.00 EUR'), ('Rush surcharge', '200.00 EUR')]
    >>> str(agreed.total)
    '1,400.00 EUR'
    """

    currency: str
    lines: tuple[AgreedLine, ...]
    signed: bool
    """True once a contract is signed; before, the lines are what was quoted."""

    @property
    def total(self) -> Money:
        """Everything agreed."""
        return Money.total((line.amount for line in self.lines), self.currency)

    @property
    def at_signature(self) -> Money:
        """What was agreed when the contract was signed (the contract and the rush surcharge): the
        base of the deposit, which later amendments do not change."""
        return Money.total(
            (line.amount for line in self.lines if line.kind in (CONTRACT, RUSH_SURCHARGE)), self.currency
        )

    def lines_of(self, *kinds: str) -> tuple[AgreedLine, ...]:
        """The lines of these kinds, in order."""
        return tuple(line for line in self.lines if line.kind in kinds)


class AgreedChange(Protocol):
    """An amendment or extra round as the agreement reads it (``Amendment`` is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> Money: ...
    @property
    def reason(self) -> str: ...
    @property
    def agreed_at(self) -> datetime: ...


def describe_change(kind: str, reason: str) -> str:
    """The designation of an amendment or extra round on an invoice.

    >>> describe_change("extra_revision", "third round on the homepage")
    'Extra revision round: third round on the homepage'
    """
    name = "Extra revision round" if kind == EXTRA_REVISION else kind.replace("_", " ").capitalize()
    return f"{name}: {reason}" if reason.strip() else name


def agreement_of(
    currency: str,
    *,
    contract_amount: Money | None = None,
    terms_version: str = "",
    quoted: Money | None = None,
    rush_surcharge: Money | None = None,
    deadline: date | None = None,
    changes: Sequence[AgreedChange] = (),
) -> Agreement:
    """The agreement from its parts: the contract's amount (or, before the signature, the quoted
    amount), the rush surcharge, and the amendments and extra rounds (``changes``) in order."""
    lines: list[AgreedLine] = []
    if contract_amount is not None:
        version = f" ({terms_version})" if terms_version.strip() else ""
        lines.append(AgreedLine(CONTRACT, f"Contract amount{version}", contract_amount))
    elif quoted is not None:
        lines.append(AgreedLine(CONTRACT, "Quoted amount", quoted))
    if rush_surcharge is not None and rush_surcharge.amount > 0:
        when = f" (deadline {deadline.isoformat()})" if deadline is not None else ""
        lines.append(AgreedLine(RUSH_SURCHARGE, f"Rush surcharge{when}", rush_surcharge))
    for change in changes:
        kind = change.kind if change.kind in LINE_KINDS else AMENDMENT
        lines.append(
            AgreedLine(kind, describe_change(change.kind, change.reason), change.amount, change.agreed_at)
        )
    return Agreement(currency, tuple(lines), signed=contract_amount is not None)
