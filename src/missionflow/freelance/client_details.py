"""The details of a client that documents print, checked as a person types them: legal name, postal
address, SIREN and SIRET (Luhn key), intra-EU VAT number, contact, phone, e-mail, language and
whether the client is a business. Identifiers are kept in compact form ("552100554").
"""

from __future__ import annotations

from collections.abc import Mapping

from missionflow.errors import InvalidValueError

__all__ = ["CLIENT_FIELDS", "LANGUAGES", "check_client_changes", "check_client_identifiers"]

CLIENT_FIELDS = (
    "name",
    "legal_name",
    "email",
    "business",
    "address",
    "postcode",
    "city",
    "country",
    "siren",
    "siret",
    "vat_number",
    "contact",
    "phone",
    "language",
)
"""What ``client edit`` may change."""
LANGUAGES = ("fr", "en")
"""The languages documents are written in; a client reads one of them."""
_IDENTIFIERS = {"siren": "normalize_siren", "siret": "normalize_siret", "vat_number": "normalize_vat_number"}
_MAX_TEXT = 300


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(field, f"{value!r} is not text")
    text = " ".join(value.split())
    if len(text) > _MAX_TEXT:
        raise InvalidValueError(field, f"is longer than {_MAX_TEXT} characters")
    return text


def _address(value: object) -> tuple[str, ...]:
    """Street lines from a list, or from one text whose lines are separated by newlines or ";"."""
    if isinstance(value, str):
        value = value.replace(";", "\n").splitlines()
    if not isinstance(value, list | tuple):
        raise InvalidValueError("address", f"{value!r} is not a list of lines")
    lines = tuple(line for line in (_text("address", item) for item in value) if line)
    if len(lines) > 3:
        raise InvalidValueError("address", "give at most three street lines (the postcode and city apart)")
    return lines


def check_client_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """``changes`` checked and normalised field by field; InvalidValueError names the first wrong one.

    >>> check_client_changes({"siren": "552 100 554", "country": "be", "address": "1 rue A; Bât. B"})
    {'siren': '552100554', 'country': 'BE', 'address': ('1 rue A', 'Bât. B')}
    """
    checked: dict[str, object] = {}
    for field, value in changes.items():
        field = "legal_name" if field == "company" else field  # the name add_client gives it
        if field not in CLIENT_FIELDS:
            raise InvalidValueError(field, f"is not a client field; fields: {', '.join(CLIENT_FIELDS)}")
        if field == "business":
            if not isinstance(value, bool):
                raise InvalidValueError(field, f"{value!r} is not yes or no")
            checked[field] = value
            continue
        if field == "address":
            checked[field] = _address(value)
            continue
        text = _text(field, value)
        if field == "name" and not text:
            raise InvalidValueError(field, "a client needs a name")
        if field in _IDENTIFIERS and text:
            from missionflow.freelance import identifiers

            text = getattr(identifiers, _IDENTIFIERS[field])(text, field)
        if field == "email" and text and ("@" not in text or " " in text):
            raise InvalidValueError(field, f"{text!r} is not an e-mail address")
        if field == "country":
            text = text.upper()
            if not (len(text) == 2 and text.isascii() and text.isalpha()):
                raise InvalidValueError(field, f"{text!r} is not an ISO 3166 country code like FR")
        if field == "language" and text not in LANGUAGES:
            raise InvalidValueError(field, f"{text!r} is not one of {', '.join(LANGUAGES)}")
        checked[field] = text
    return checked


def check_client_identifiers(siren: str, siret: str) -> None:
    """Refuse a SIRET that belongs to another company than the SIREN (its first nine digits)."""
    if siren and siret and not siret.startswith(siren):
        raise InvalidValueError("siret", f"{siret} does not belong to SIREN {siren}")
