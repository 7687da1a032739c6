"""Money: exact cents in one currency, refusing negatives, non-numbers and mixed currencies."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missionflow import InvalidValueError, Money
from missionflow.money import MAX_AMOUNT, check_currency, parse_decimal, parse_percent

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


@pytest.mark.parametrize("amount", ["0.005", "12.345", "2.675", Decimal("0.004"), Decimal("1E-999999999")])
def test_amounts_with_more_decimals_than_the_currency_are_refused_never_rounded(amount: object) -> None:
    """An amount with more decimals than the currency's minor unit is refused, never rounded."""
    with pytest.raises(InvalidValueError, match="decimals: at most 2 decimals here, nothing is rounded"):
        Money.of(amount, "EUR")  # type: ignore[arg-type]


def test_computed_amounts_are_rounded_half_up_to_the_cent() -> None:
    """Money built from a computation (a percentage, interest) is rounded half-up to the cent."""
    assert Money(Decimal("0.005"), "EUR").amount == Decimal("0.01")
    assert Money(Decimal("2.675"), "EUR").amount == Decimal("2.68")


def test_a_currency_without_minor_unit_takes_whole_amounts() -> None:
    """The yen has no minor unit: 1350 is fine, 1350.5 is refused."""
    assert Money.of("1350", "JPY").amount == Decimal("1350")
    with pytest.raises(InvalidValueError, match="no decimals"):
        Money.of("1350.5", "JPY")


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


@pytest.mark.parametrize(
    "amount", ["abc", "", "12,34,56", "1.2.3", "NaN", "Infinity", "-inf", "sNaN", Decimal("NaN")]
)
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
    """Past the documented maximum (a trillion) an amount is refused, however it is written."""
    assert Money.of(str(MAX_AMOUNT), "EUR").amount == MAX_AMOUNT
    for amount in ("1000000000000.01", "92233720368547758.08", Decimal("1e30"), 10**20):
        with pytest.raises(InvalidValueError, match="over the maximum of 1,000,000,000,000"):
            Money.of(amount, "EUR")
    with pytest.raises(InvalidValueError, match="too large"):
        Money(Decimal("1e30"), "EUR")


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
        (" 4500 ", "4500"),
        ("4500.5", "4500.5"),
        ("0.99", "0.99"),
        (Decimal("12.340"), "12.34"),
        (1350, "1350"),
    ],
)
def test_parse_decimal_reads_a_plain_decimal(text: str | Decimal | int, expected: str) -> None:
    """parse_decimal reads ASCII digits with a dot before the cents, and exact Decimals or ints."""
    value = parse_decimal(text)
    assert value == Decimal(expected)
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2,275", "without thousands separators"),
        ("1,000", "without thousands separators"),
        ("4 500,50", "without thousands separators"),
        ("4\u202f500", "without thousands separators"),
        ("1_000", "without thousands separators"),
        ("1'000", "without thousands separators"),
        ("\uff11\uff10", "ASCII digits"),  # fullwidth 10
        ("\u0661\u0660", "ASCII digits"),  # Arabic-Indic 10
        ("1e-999999999", "ASCII digits"),
        ("1E3", "ASCII digits"),
        (".5", "plain decimal"),
        ("5.", "plain decimal"),
        ("+5", "plain decimal"),
        ("12€", "plain decimal"),
        ("quatre", "plain decimal"),
        ("", "give a number"),
        ("inf", "plain decimal"),
    ],
)
def test_parse_decimal_refuses_anything_but_a_plain_decimal(text: str, says: str) -> None:
    """Separators, other digits, exponents, signs, symbols and words are refused naming the value."""
    with pytest.raises(InvalidValueError, match=says) as caught:
        parse_decimal(text, "deposit")
    assert caught.value.field == "deposit"


@pytest.mark.parametrize("text", [1.5, True, None])
def test_parse_decimal_refuses_floats_and_other_types(text: object) -> None:
    """A float, a boolean or None is refused by name, never converted."""
    with pytest.raises(InvalidValueError, match="is not a number"):
        parse_decimal(text, "deposit")  # type: ignore[arg-type]


def test_a_negative_is_read_only_where_it_makes_sense() -> None:
    """A leading minus is refused unless the caller allows it (an amendment that lowers a price)."""
    with pytest.raises(InvalidValueError, match="is negative"):
        Money.of("-100", "EUR")
    assert Money.of("-100", "EUR", negative=True).amount == Decimal("-100")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30%", "30"),
        ("30", "30"),
        ("12.5 %", "12.5"),
        ("0.3%", "0.3"),
        ("0", "0"),
        ("100%", "100"),
        ("1", "1"),
    ],
)
def test_a_percentage_is_written_30_or_30_percent(text: str, expected: str) -> None:
    """Percentages are 0 to 100, with or without the sign; 0.3% is three tenths of a percent."""
    assert parse_percent(text, "deposit") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0.3", "ambiguous: write 30% for 30 percent"),
        ("30%%", "not a percentage like 30%"),
        ("101", "over 100 %"),
        ("1e999", "ASCII digits"),
        ("-5%", "is negative"),
        ("12.345%", "has 3 decimals"),
        ("30pc", "plain decimal"),
    ],
)
def test_a_percentage_that_is_ambiguous_or_out_of_range_is_refused(text: str, says: str) -> None:
    """0.3 (30 % or 0.3 %?), a doubled sign, over 100, exponents and negatives are refused by name."""
    with pytest.raises(InvalidValueError, match=re.escape(says)) as caught:
        parse_percent(text, "deposit")
    assert caught.value.field == "deposit"


def test_currencies_are_iso_4217_codes_in_use() -> None:
    """EUR, USD and CHF are currencies in use; XYZ (no such code) and FRF (withdrawn) are refused."""
    assert [check_currency(code) for code in ("eur", "USD", "CHF")] == ["EUR", "USD", "CHF"]
    for code in ("XYZ", "FRF", "EURO"):
        with pytest.raises(InvalidValueError, match="ISO 4217"):
            check_currency(code)
        with pytest.raises(InvalidValueError):
            Money.of("1", code)
