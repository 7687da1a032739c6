"""Money: exact cents in one currency, refusing negatives, non-numbers and mixed currencies."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missionflow import InvalidValueError, Money
from missionflow.money import parse_decimal

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


def test_adding_and_subtracting_keep_the_currency_and_the_cents() -> None:
    """Sums and differences are exact to the cent, in the same currency."""
    total = Money.of("1350", "EUR") + Money.of("0.5", "EUR")
    assert total == Money(Decimal("1350.50"), "EUR")
    assert total.amount == Decimal("1350.50")
    assert str(total.amount) == "1350.50"
    assert Money.of("0.1", "EUR") + Money.of("0.2", "EUR") == Money.of("0.3", "EUR")
    assert Money.of("100", "EUR") - Money.of("99.99", "EUR") == Money.of("0.01", "EUR")


def test_a_difference_may_be_negative() -> None:
    """Subtracting more than there is gives a negative balance (what is still owed is negative)."""
    assert (Money.of("10", "EUR") - Money.of("25", "EUR")).amount == Decimal("-15.00")


def test_zero_and_text() -> None:
    """Money.zero is nothing in a currency; str shows thousands and two decimals."""
    assert Money.zero("EUR") == Money.of("0", "EUR")
    assert str(Money.of("4500", "EUR")) == "4,500.00 EUR"


def test_amounts_are_rounded_half_up_to_the_cent() -> None:
    """An amount with more than two decimals is rounded half-up to the cent."""
    assert Money.of("0.005", "EUR").amount == Decimal("0.01")
    assert Money.of("0.004", "EUR").amount == Decimal("0.00")
    assert Money.of("2.675", "EUR").amount == Decimal("2.68")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        ("4500.00", "30", "1350.00"),
        ("100.01", "33.33", "33.33"),  # 33.333333
        ("100.00", "33.335", "33.34"),  # 33.335: the half goes up
        ("0.03", "50", "0.02"),  # 0.015
        ("1999.99", "0", "0.00"),
        ("1999.99", "100", "1999.99"),
    ],
)
def test_percent_rounds_half_up_to_the_cent(amount: str, rate: str, expected: str) -> None:
    """A percentage of an amount is rounded half-up to the cent (the deposit of R5)."""
    assert Money.of(amount, "EUR").percent(Decimal(rate)) == Money(Decimal(expected), "EUR")


@settings(max_examples=200, deadline=None)
@given(amount=amounts, rate=st.decimals(min_value=0, max_value=100, places=3))
def test_percent_is_exact_then_rounded_once(amount: Decimal, rate: Decimal) -> None:
    """percent equals the exact product rounded once, half-up, to the cent."""
    exact = amount * rate / 100
    assert Money.of(amount, "EUR").percent(rate).amount == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)


@settings(max_examples=200, deadline=None)
@given(a=amounts, b=amounts)
def test_addition_then_subtraction_gives_back_the_amount(a: Decimal, b: Decimal) -> None:
    """(a + b) - b is a, to the cent: no float ever creeps in."""
    assert (Money.of(a, "EUR") + Money.of(b, "EUR")) - Money.of(b, "EUR") == Money.of(a, "EUR")


@pytest.mark.parametrize("amount", ["-1", "-0.01", Decimal("-5"), -3])
def test_negative_amounts_are_refused(amount: str | Decimal | int) -> None:
    """Money.of refuses a negative amount with InvalidValueError on the amount field."""
    with pytest.raises(InvalidValueError) as caught:
        Money.of(amount, "EUR")
    assert caught.value.field == "amount"
    assert "is negative" in str(caught.value)


@pytest.mark.parametrize("amount", ["abc", "", "12,34,56", "1.2.3", "NaN", "Infinity", "-inf", "sNaN"])
def test_non_numbers_are_refused(amount: str) -> None:
    """Text that is not a finite number is refused."""
    with pytest.raises(InvalidValueError) as caught:
        Money.of(amount, "EUR")
    assert caught.value.field == "amount"


@pytest.mark.parametrize("amount", [1.5, True, None, [1]])
def test_floats_and_other_types_are_refused_by_of(amount: object) -> None:
    """A float, a boolean or anything that is not text or a number is refused."""
    with pytest.raises(InvalidValueError):
        Money.of(amount, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_money_never_holds_a_non_finite_amount(amount: Decimal) -> None:
    """Building Money directly with NaN or an infinity is refused too."""
    with pytest.raises(InvalidValueError):
        Money(amount, "EUR")


def test_money_never_holds_a_float() -> None:
    """A float given directly to Money is a programming error."""
    with pytest.raises(TypeError, match="never float"):
        Money(1.5, "EUR")  # type: ignore[arg-type]


def test_an_amount_too_large_is_refused_not_crashed() -> None:
    """An amount past what the decimal context can hold to the cent is an InvalidValueError."""
    with pytest.raises(InvalidValueError, match="too large"):
        Money.of("1e30", "EUR")


@pytest.mark.parametrize("currency", ["EU", "EURO", "eur1", "€UR", "ÉUR", "e u"])
def test_currency_must_be_an_iso_code(currency: str) -> None:
    """The currency is three ASCII letters; lower case is upper-cased by Money.of."""
    with pytest.raises(InvalidValueError) as caught:
        Money.of("1", currency)
    assert caught.value.field == "currency"
    assert Money.of("1", "eur").currency == "EUR"


def test_mixing_currencies_is_refused() -> None:
    """Adding, subtracting or comparing amounts in two currencies raises InvalidValueError."""
    eur, usd = Money.of("10", "EUR"), Money.of("20", "USD")
    with pytest.raises(InvalidValueError, match="cannot mix EUR and USD"):
        eur + usd
    with pytest.raises(InvalidValueError):
        eur - usd
    for compare in (eur.__lt__, eur.__le__, eur.__gt__, eur.__ge__):
        with pytest.raises(InvalidValueError):
            compare(usd)
    assert eur != usd


def test_comparisons_in_one_currency() -> None:
    """Amounts in one currency compare by value."""
    small, big = Money.of("10", "EUR"), Money.of("10.01", "EUR")
    assert small < big
    assert small <= Money.of("10.00", "EUR")
    assert big > small
    assert big >= big
    assert max(small, big) is big


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 500,50", "4500.50"),
        ("4\u202f500,50", "4500.50"),  # the narrow no-break space French typography uses
        ("4\xa0500", "4500"),
        (" 4500 ", "4500"),
        ("4500.5", "4500.5"),
        ("0,99", "0.99"),
        (Decimal("12.345"), "12.345"),
        (1350, "1350"),
    ],
)
def test_parse_decimal_reads_what_a_person_types(text: str | Decimal | int, expected: str) -> None:
    """parse_decimal reads spaces as thousands separators and a lone comma as the decimal point."""
    value = parse_decimal(text)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize("text", ["1,234.56", "1.234,56", "quatre", "12€", "", "inf", 1.5, True])
def test_parse_decimal_refuses_ambiguous_or_non_numbers(text: object) -> None:
    """Mixed separators, words, symbols, infinities, floats and booleans are refused by name."""
    with pytest.raises(InvalidValueError) as caught:
        parse_decimal(text, "deposit")  # type: ignore[arg-type]
    assert caught.value.field == "deposit"
