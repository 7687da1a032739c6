"""SIREN, SIRET, VAT numbers, IBAN and BIC: real numbers accepted and normalised, wrong ones refused by name."""

from __future__ import annotations

import pytest

from missionflow.errors import InvalidValueError
from missionflow.freelance.identifiers import (
    format_iban,
    normalize_bic,
    normalize_iban,
    normalize_siren,
    normalize_siret,
    normalize_vat_number,
    siren_of_siret,
)

VALID = [
    (normalize_siren, "552 100 554", "552100554"),
    (normalize_siren, "732829320", "732829320"),
    (normalize_siret, "732 829 320 00074", "73282932000074"),
    (normalize_siret, "35600000000048", "35600000000048"),  # La Poste: its own check, not Luhn
    (normalize_vat_number, "fr 40 303 265 045", "FR40303265045"),
    (normalize_vat_number, "FR44732829320", "FR44732829320"),
    (normalize_vat_number, "DE136695976", "DE136695976"),
    (normalize_iban, "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
    (normalize_iban, "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    (normalize_bic, "bnpa fr pp xxx", "BNPAFRPPXXX"),
    (normalize_bic, "DEUTDEFF", "DEUTDEFF"),
]
INVALID = [
    (normalize_siren, "552100555", "siren"),  # Luhn digit off by one
    (normalize_siren, "55210055", "siren"),  # 8 digits
    (normalize_siret, "73282932000075", "siret"),
    (normalize_siret, "35600000000049", "siret"),
    (normalize_vat_number, "FR41303265045", "vat_number"),  # key does not match the SIREN
    (normalize_vat_number, "XX123", "vat_number"),
    (normalize_iban, "FR76 3000 6000 0112 3456 7890 188", "iban"),  # mod 97 fails
    (normalize_bic, "BNPA1RPP", "bic"),
    (normalize_siren, "   ", "siren"),
]


@pytest.mark.parametrize(("check", "typed", "normal"), VALID)
def test_valid_numbers_come_back_compact(check: object, typed: str, normal: str) -> None:
    """A real number, typed with spaces or in lower case, comes back in its compact form."""
    assert check(typed) == normal  # type: ignore[operator]


@pytest.mark.parametrize(("check", "typed", "field"), INVALID)
def test_invalid_numbers_are_refused_naming_the_value(check: object, typed: str, field: str) -> None:
    """A wrong number raises InvalidValueError for its field, and the message shows what was typed."""
    with pytest.raises(InvalidValueError) as caught:
        check(typed)  # type: ignore[operator]
    assert caught.value.field == field
    assert repr(typed) in str(caught.value)


def test_siret_gives_its_siren_and_iban_prints_in_groups() -> None:
    """A SIRET starts with its SIREN; an IBAN prints in groups of four."""
    assert siren_of_siret("73282932000074") == "732829320"
    assert format_iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
