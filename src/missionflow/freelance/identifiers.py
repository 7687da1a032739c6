"""French and European business identifiers, checked and normalised with python-stdnum.

Each function takes what a person typed (spaces, dots and lower case allowed) and returns
the compact form that documents print and e-invoices carry, or raises
:class:`~missionflow.errors.InvalidValueError` naming the field and the value.

>>> normalize_siret("732 829 320 00074")
'73282932000074'
>>> normalize_vat_number("fr 40 303 265 045")
'FR40303265045'
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum import bic, iban
from stdnum.eu import vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret

from missionflow.errors import InvalidValueError

__all__ = [
    "format_iban",
    "normalize_bic",
    "normalize_iban",
    "normalize_siren",
    "normalize_siret",
    "normalize_vat_number",
    "siren_of_siret",
]


def _checked(field: str, what: str, validate: Callable[[str], str], value: str) -> str:
    """Run one stdnum validator and turn its exception into ours, naming the value."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, f"{value!r} is not a {what}")
    try:
        return validate(value)
    except ValidationError as exc:
        raise InvalidValueError(field, f"{value!r} is not a valid {what} ({exc})") from exc


def normalize_siren(value: str, field: str = "siren") -> str:
    """The 9 digits of a SIREN (company number), Luhn check digit verified."""
    return _checked(field, "SIREN (9 digits)", siren.validate, value)


def normalize_siret(value: str, field: str = "siret") -> str:
    """The 14 digits of a SIRET (establishment number), check digit verified.

    La Poste's establishments (SIREN 356 000 000) use a different check, which
    python-stdnum knows: ``normalize_siret("35600000000048")`` is accepted.
    """
    return _checked(field, "SIRET (14 digits)", siret.validate, value)


def siren_of_siret(value: str) -> str:
    """The SIREN that a (valid) SIRET starts with."""
    return normalize_siret(value)[:9]


def normalize_vat_number(value: str, field: str = "vat_number") -> str:
    """An intra-EU VAT number with its country prefix (FR key checked against the SIREN)."""
    return _checked(field, "EU VAT number", vat.validate, value)


def normalize_iban(value: str, field: str = "iban") -> str:
    """An IBAN in compact form, ISO 13616 mod-97 check verified."""
    return _checked(field, "IBAN", iban.validate, value)


def format_iban(value: str) -> str:
    """An IBAN in groups of four characters, the way people read it on a document."""
    return str(iban.format(normalize_iban(value)))


def normalize_bic(value: str, field: str = "bic") -> str:
    """A BIC (SWIFT code) of 8 or 11 characters in compact upper case."""
    return _checked(field, "BIC", bic.validate, value)
