"""Who a document is from and to: parties, their address and the seller's bank details.

Identifiers are normalised on construction (see :mod:`missionflow.freelance.identifiers`), so a
party that exists has valid numbers and every renderer prints them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from missionflow.errors import InvalidValueError
from missionflow.freelance.identifiers import (
    normalize_bic,
    normalize_iban,
    normalize_siren,
    normalize_siret,
    normalize_vat_number,
)

__all__ = ["Address", "BankDetails", "Language", "Party"]


class Language(StrEnum):
    """The languages a document can be written in; the caller picks the client's."""

    FR = "fr"
    EN = "en"


def _required(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(name, "is required")
    return value.strip()


@dataclass(frozen=True)
class Address:
    """A postal address; ``country`` is the ISO 3166-1 alpha-2 code (FR, BE, ...)."""

    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str = "FR"

    def __post_init__(self) -> None:
        lines = tuple(line.strip() for line in self.lines if line.strip())
        if not lines:
            raise InvalidValueError("address", "needs at least one line (street and number)")
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "city", _required(self.city, "city"))
        object.__setattr__(self, "postcode", self.postcode.strip())
        country = self.country.strip().upper()
        if len(country) != 2 or not country.isalpha() or not country.isascii():
            raise InvalidValueError("country", f"{self.country!r} is not an ISO 3166 code like FR")
        object.__setattr__(self, "country", country)


@dataclass(frozen=True)
class Party:
    """The seller or the buyer of a document.

    ``business`` tells a professional client from a private person: it decides whether the
    40 EUR recovery indemnity applies and whether the client's SIREN is printed.
    A SIRET given without a SIREN brings its SIREN (its first nine digits).
    """

    name: str
    address: Address
    business: bool = True
    legal_form: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    email: str | None = None
    phone: str | None = None
    contact: str | None = None
    language: Language = Language.FR

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _required(self.name, "name"))
        object.__setattr__(self, "language", Language(self.language))
        siret = normalize_siret(self.siret) if self.siret is not None else None
        siren = normalize_siren(self.siren) if self.siren is not None else None
        if siret is not None:
            if siren is not None and not siret.startswith(siren):
                raise InvalidValueError("siret", f"{siret} does not belong to SIREN {siren}")
            siren = siret[:9]
        object.__setattr__(self, "siret", siret)
        object.__setattr__(self, "siren", siren)
        if self.vat_number is not None:
            object.__setattr__(self, "vat_number", normalize_vat_number(self.vat_number))
        if self.email is not None and "@" not in self.email:
            raise InvalidValueError("email", f"{self.email!r} is not an e-mail address")


@dataclass(frozen=True)
class BankDetails:
    """Where the client pays by transfer; IBAN and BIC are checked and kept compact."""

    iban: str
    bic: str
    holder: str = field(default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "iban", normalize_iban(self.iban))
        object.__setattr__(self, "bic", normalize_bic(self.bic))
        object.__setattr__(self, "holder", self.holder.strip())
