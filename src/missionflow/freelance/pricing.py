"""Priced lines: what the specification's deliverables cost, and what a quote, the contract and the
invoices bill, line by line (designation, quantity, unit, unit price excluding tax, VAT rate).

Every amount typed for a mission (a line's unit price, the contract, an amendment, an extra
revision round, a rush surcharge) excludes VAT (HT). Under the franchise (no VAT) that is what the
client pays; when VAT is charged, the tax is added once per rate on the document's total, as
:mod:`missionflow.freelance.documents.totals` does, never line by line.

A line's designation is what the freelancer typed, or, for the lines missionflow writes itself
(a deposit, a rush surcharge, an amendment), a sentence in each language of the documents, so
that one invoice reads right in French and in English.

>>> price = parse_price("12.5 days x 400", "EUR")
>>> price.quantity, price.unit.value, str(price.net)
(Decimal('12.5'), 'DAY', '5,000.00 EUR')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from missionflow.errors import InvalidValueError
from missionflow.freelance.documents.lines import Line, Unit, VatRegime
from missionflow.freelance.documents.totals import compute_totals, deposit_bases, deposit_gross
from missionflow.money import Money, parse_decimal

__all__ = [
    "UNIT_WORDS",
    "LineSource",
    "Price",
    "PricedLine",
    "change_line",
    "deposit_due",
    "deposit_split",
    "format_price",
    "gross_of",
    "lump_sum",
    "parse_price",
    "parse_priced_item",
    "rush_line",
    "vat_regime",
]

UNIT_WORDS: Mapping[str, Unit] = {
    **dict.fromkeys(("day", "days", "d", "jour", "jours", "j"), Unit.DAY),
    **dict.fromkeys(("hour", "hours", "h", "heure", "heures"), Unit.HOUR),
    **dict.fromkeys(("lump", "lump sum", "lump-sum", "flat", "forfait", "forfaits"), Unit.LUMP_SUM),
    **dict.fromkeys(("unit", "units", "item", "items", "piece", "pieces", "unité", "unités"), Unit.UNIT),
}
"""The words a person may write for a unit, in English or French."""
_UNIT_NAMES = {Unit.DAY: "days", Unit.HOUR: "hours", Unit.LUMP_SUM: "lump sum", Unit.UNIT: "units"}
_PRICE = re.compile(
    r"""^\s*(?:(?P<quantity>-?[0-9][0-9.]*)\s*(?P<unit>[^\d\s×x*@][^\d×*@]*?)?\s*[×x*@]\s*)?
    (?P<price>[0-9][0-9.]*)\s*(?P<currency>[A-Za-z]{3}|€)?
    (?:\s*[,;]?\s*(?:vat|tva)\s*(?P<rate>[0-9][0-9.]*)\s*%?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class Price:
    """Quantity, unit and unit price excluding tax; ``vat_rate`` None takes the regime's default.

    A negative quantity is a reduction (an amendment that lowers the price).
    """

    quantity: Decimal
    unit: Unit
    unit_price: Money
    vat_rate: Decimal | None = None

    def __post_init__(self) -> None:
        # Line checks quantity, unit, price and rate once, with the same messages everywhere.
        Line("-", self.quantity, self.unit, self.unit_price, self.vat_rate)
        if type(self.unit) is not Unit:
            object.__setattr__(self, "unit", Unit(self.unit))

    @property
    def net(self) -> Money:
        """Quantity times unit price, half-up to the cent."""
        return Line("-", self.quantity, self.unit, self.unit_price, self.vat_rate).net


def parse_price(text: str, currency: str, *, field: str = "price") -> Price:
    """A price as a person writes it: ``4500`` (one lump sum), ``12.5 days x 400``,
    ``3 h × 80 vat 10%``, ``1 forfait @ 4500 EUR``. Units in English or French (see UNIT_WORDS).

    >>> parse_price("3 h × 80 vat 10%", "EUR")
    Price(quantity=Decimal('3'), unit=<Unit.HOUR: 'HUR'>, unit_price=Money(amount=Decimal('80.00'), currency='EUR'), vat_rate=Decimal('10'))
    """
    match = _PRICE.match(text)
    if match is None:
        raise InvalidValueError(
            field, f"{text!r} is not a price like 4500, '12.5 days x 400' or '3 hours x 80 vat 20%'"
        )
    named = (match["currency"] or currency).replace("€", "EUR").upper()
    if named != currency.upper():
        raise InvalidValueError(field, f"{named} is not the mission's currency {currency.upper()}")
    unit_word = (match["unit"] or "").strip().lower()
    if match["quantity"] is not None and not unit_word:
        unit_word = "units"
    unit = UNIT_WORDS.get(unit_word) if unit_word else Unit.LUMP_SUM
    if unit is None:
        raise InvalidValueError(field, f"{unit_word!r} is not a unit; say days, hours, lump sum or units")
    quantity = Decimal(1)
    if match["quantity"] is not None:
        quantity = _number(match["quantity"], field)
    rate = _number(match["rate"], field) if match["rate"] is not None else None
    return Price(quantity, unit, Money(parse_decimal(match["price"], field), currency.upper()), rate)


def parse_priced_item(text: str, currency: str, *, field: str = "deliverable") -> tuple[str, Price | None]:
    """A deliverable as a person writes it: its name, then optionally ``=`` and its price.

    >>> name, price = parse_priced_item("Website = 12.5 days x 400", "EUR")
    >>> name, str(price.net)
    ('Website', '5,000.00 EUR')
    >>> parse_priced_item("admin access", "EUR")
    ('admin access', None)
    """
    name, sep, price = text.rpartition("=")
    if not sep:
        return text.strip(), None
    if not name.strip():
        raise InvalidValueError(field, f"{text!r}: name the deliverable before its price")
    return name.strip(), parse_price(price, currency, field=field)


def _number(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidValueError(field, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise InvalidValueError(field, f"{text!r} is not a number")
    return value


def format_price(price: Price) -> str:
    """A price written back the way :func:`parse_price` reads it.

    >>> format_price(parse_price("12.5 jours x 400", "EUR"))
    '12.5 days x 400.00 EUR'
    """
    quantity = format(price.quantity.normalize(), "f")
    text = f"{quantity} {_UNIT_NAMES[price.unit]} x {price.unit_price.amount:.2f} {price.unit_price.currency}"
    if price.vat_rate is not None:
        text += f" vat {format(price.vat_rate.normalize(), 'f')}%"
    return text


class LineSource(StrEnum):
    """Where a line of a quote, a contract or an invoice comes from."""

    DELIVERABLE = "deliverable"
    CONTRACT = "contract"
    RUSH = "rush"
    AMENDMENT = "amendment"
    EXTRA_REVISION = "extra_revision"
    DEPOSIT = "deposit"


@dataclass(frozen=True)
class PricedLine:
    """One line of a quote, a contract or an invoice.

    ``designation`` is what the freelancer typed; ``words`` holds, for a line missionflow writes
    itself, its designation in each language of the documents ({"fr": ..., "en": ...}).
    """

    designation: str
    price: Price
    source: LineSource = LineSource.DELIVERABLE
    words: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.designation.strip():
            raise InvalidValueError("designation", "a line needs a designation")
        object.__setattr__(self, "source", LineSource(self.source))
        object.__setattr__(self, "words", dict(self.words))

    @property
    def net(self) -> Money:
        """The line's amount excluding tax."""
        return self.price.net

    def designation_in(self, lang: str) -> str:
        """The designation in ``lang`` when missionflow wrote it, else as typed."""
        return self.words.get(lang, self.designation)

    def document_line(self, lang: str) -> Line:
        """The line as the document layer prints it, in ``lang`` (made once per language: the
        line is frozen, and every guard on the deposit asks for it)."""
        made: dict[str, Line] = self.__dict__.setdefault("_document_lines", {})
        line = made.get(lang)
        if line is None:
            price = self.price
            line = Line(
                self.designation_in(lang), price.quantity, price.unit, price.unit_price, price.vat_rate
            )
            made[lang] = line
        return line

    def to_json(self) -> dict[str, object]:
        """The line as JSON values; ``description`` and ``amount`` (net) keep older readers working."""
        price = self.price
        return {
            "description": self.designation,
            "amount": {"amount": f"{self.net.amount:.2f}", "currency": self.net.currency},
            "designation": self.designation,
            "quantity": format(price.quantity, "f"),
            "unit": price.unit.value,
            "unit_price": {"amount": f"{price.unit_price.amount:.2f}", "currency": price.unit_price.currency},
            "vat_rate": None if price.vat_rate is None else format(price.vat_rate, "f"),
            "source": self.source.value,
            "words": dict(self.words),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PricedLine:
        """A line back from :meth:`to_json`; a line of an older invoice (description and amount
        only) becomes one lump sum of its amount."""
        words = data.get("words")
        written = {str(k): str(v) for k, v in words.items()} if isinstance(words, dict) else {}
        if "unit_price" not in data:
            amount = _money(data.get("amount"))
            return cls(str(data.get("description") or "-"), lump_sum(amount), words=written)
        rate = data.get("vat_rate")
        return cls(
            designation=str(data.get("designation") or data.get("description") or "-"),
            price=Price(
                Decimal(str(data["quantity"])),
                Unit(str(data["unit"])),
                _money(data["unit_price"]),
                None if rate is None else Decimal(str(rate)),
            ),
            source=LineSource(str(data.get("source", LineSource.DELIVERABLE.value))),
            words=written,
        )


def _money(value: object) -> Money:
    if isinstance(value, Mapping):
        return Money(Decimal(str(value["amount"])), str(value["currency"]))
    raise InvalidValueError("lines", f"{value!r} is not an amount")


def lump_sum(amount: Money) -> Price:
    """One lump sum of ``amount``; a negative amount is a reduction (quantity -1)."""
    if amount.amount < 0:
        return Price(Decimal(-1), Unit.LUMP_SUM, Money(-amount.amount, amount.currency))
    return Price(Decimal(1), Unit.LUMP_SUM, amount)


def rush_line(amount: Money) -> PricedLine:
    """The rush surcharge agreed for a tight deadline (R2), as a line of its own."""
    words = {"fr": "Majoration pour délai court", "en": "Rush surcharge (short deadline)"}
    return PricedLine(words["fr"], lump_sum(amount), LineSource.RUSH, words)


def change_line(kind: str, amount: Money, reason: str) -> PricedLine:
    """An amendment or an extra revision round (R4, R8), as a line; a negative one lowers the total."""
    reason = reason.strip()
    if kind == LineSource.EXTRA_REVISION.value:
        source = LineSource.EXTRA_REVISION
        words = {"fr": "Série de corrections supplémentaire", "en": "Extra revision round"}
    else:
        source = LineSource.AMENDMENT
        words = {"fr": "Avenant", "en": "Amendment"}
    if reason:
        words = {"fr": f"{words['fr']} : {reason}", "en": f"{words['en']}: {reason}"}
    return PricedLine(words["fr"], lump_sum(amount), source, words)


_FRANCHISE = VatRegime.franchise()
"""Built once (it is frozen): every deposit guard asks for the regime of a contract."""


def vat_regime(vat_rate: Decimal | None) -> VatRegime:
    """The VAT regime of a rate: None is the franchise (no VAT), else VAT charged at that default rate."""
    return _FRANCHISE if vat_rate is None else VatRegime.charged(vat_rate)


def _document_lines(lines: Sequence[PricedLine]) -> list[Line]:
    return [line.document_line("fr") for line in lines]


def gross_of(lines: Sequence[PricedLine], vat_rate: Decimal | None, currency: str) -> Money:
    """What ``lines`` cost the client, VAT included (the sum of the lines under the franchise)."""
    return compute_totals(_document_lines(lines), vat_regime(vat_rate), currency).gross


def deposit_due(
    lines: Sequence[PricedLine], vat_rate: Decimal | None, currency: str, percent: Decimal
) -> Money:
    """The deposit of ``percent`` of ``lines``, VAT included, exactly as the deposit invoice bills it."""
    return deposit_gross(_document_lines(lines), vat_regime(vat_rate), currency, percent)


def deposit_split(
    lines: Sequence[PricedLine], vat_rate: Decimal | None, currency: str, percent: Decimal
) -> tuple[tuple[Decimal, Money], ...]:
    """(VAT rate, amount excluding tax) of each line of the deposit invoice of ``percent`` of ``lines``."""
    return deposit_bases(_document_lines(lines), vat_regime(vat_rate), currency, percent)
