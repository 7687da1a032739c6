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
    """Your name as it appears on documents; the default identifies nobody (see missing_identity)."""
    legal_name: str = ""
    legal_form: str = ""
    """The legal form printed after the name on every document, for example "EI"."""
    siret: str = ""
    address: str = ""
    """The street lines of the postal address, one per line (the postcode and city apart)."""
    postcode: str = ""
    city: str = ""
    country: str = "FR"
    email: str = ""
    phone: str = ""
    vat_regime: str = "franchise"
    """``franchise`` (no VAT, art. 293 B du CGI) or ``charged`` (VAT at ``vat_rate`` by default)."""
    vat_rate: Decimal = Decimal("20")
    vat_number: str = ""
    """The intra-EU VAT number, printed when VAT is charged."""
    iban: str = ""
    bic: str = ""
    bank_holder: str = ""
    logo: str = ""
    """A PNG or SVG file; its bytes are copied into each document when it is issued."""
    quote_validity_days: int = 30
    vat_mention: str = "TVA non applicable, art. 293 B du CGI"
    """The franchise mention of invoices issued before the documents spoke French and English."""
    currency: str = "EUR"
    deposit_percent: Decimal = Decimal("30")
    included_revisions: int = 2
    minimum_lead_days: int = 7
    payment_terms_days: int = 30
    late_penalty_rate: Decimal = Decimal("12.0")
    legal_interest_rate: Decimal = Decimal("2.62")
    """The legal interest rate for professionals (2.62 % for the first half of 2026, published each
    semester): late penalties between businesses must be at least three times it."""
    recovery_indemnity: Decimal = Decimal("40")
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    working_start: time = time(9, 0)
    working_end: time = time(18, 0)
    timezone: str = "Europe/Paris"
    criteria: tuple[Criterion, ...] = field(default=DEFAULT_CRITERIA)
    deposit_reminder_days: int = 7
    """Days after the signature after which the deposit reminder falls due (the timer fact
    ``deposit_reminder_days`` of the workflow's ``remind_deposit``)."""
    second_reminder_days: int = 15
    """Days after a due date, still unpaid, before the second reminder (timer fact)."""
    formal_notice_days: int = 30
    """Days after a due date, still unpaid, before the formal notice to pay (timer fact)."""
    smtp_host: str = ""
    """The mail server documents are e-mailed through; none: nothing is e-mailed."""
    smtp_port: int = 587
    smtp_user: str = ""
    """The login on the mail server; none: no login (a local relay)."""
    smtp_password_env: str = "MISSIONFLOW_SMTP_PASSWORD"
    """The environment variable holding the password (read when mail is sent, never stored)."""
    smtp_password_file: str = ""
    """Or a file holding the password, readable by you only (a file others can read is refused)."""
    smtp_starttls: bool = True
    """Encrypt the connection with STARTTLS before logging in (the server's certificate is checked)."""
    smtp_sender: str = ""
    """The From address of the e-mails (default: ``email``)."""
    smtp_ca_file: str = ""
    """A PEM file of the certificate authority of a mail server with its own (default: the system's)."""

    @property
    def vat_charged_rate(self) -> Decimal | None:
        """The default VAT rate when VAT is charged, None under the franchise."""
        return self.vat_rate if self.vat_regime == VAT_CHARGED else None

    @property
    def address_lines(self) -> tuple[str, ...]:
        """The street lines of the address."""
        return tuple(line.strip() for line in self.address.splitlines() if line.strip())

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


VAT_FRANCHISE = "franchise"
VAT_CHARGED = "charged"
_EDITABLE_TEXT = (
    "name",
    "legal_name",
    "legal_form",
    "siret",
    "address",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "vat_regime",
    "vat_number",
    "iban",
    "bic",
    "bank_holder",
    "logo",
    "timezone",
    "smtp_host",
    "smtp_user",
    "smtp_password_env",
    "smtp_password_file",
    "smtp_sender",
    "smtp_ca_file",
)
_EDITABLE_INT = (
    "included_revisions",
    "minimum_lead_days",
    "payment_terms_days",
    "deposit_reminder_days",
    "second_reminder_days",
    "formal_notice_days",
    "quote_validity_days",
)
_EDITABLE_PERCENT = ("deposit_percent", "late_penalty_rate", "legal_interest_rate", "vat_rate")
PLACEHOLDER_NAME = "Freelancer"
"""The name of the default settings: it identifies nobody on an invoice."""
IDENTITY = ("name", "address", "siret")
"""The settings an invoice cannot be issued without (the seller's identity)."""
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
        "smtp_port",
        "smtp_starttls",
    )


def set_from_text(settings: Settings, key: str, text: str) -> Settings:
    """A copy of ``settings`` with ``key`` set from a person's text; InvalidValueError when wrong.

    >>> set_from_text(Settings(), "working_hours", "08:30-17:00").working_start
    datetime.time(8, 30)
    """
    from missionflow.errors import InvalidValueError
    from missionflow.money import check_currency, parse_decimal, parse_percent

    value = text.strip()
    if key in _EDITABLE_TEXT:
        if key == "name" and not value:
            raise InvalidValueError(key, "your name cannot be empty")
        if value and key in _IDENTIFIERS:
            from missionflow.freelance import identifiers

            value = getattr(identifiers, _IDENTIFIERS[key])(value, key)
        if key == "address":
            value = "\n".join(line.strip() for line in value.replace(";", "\n").splitlines() if line.strip())
        if key == "country" and not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise InvalidValueError(key, f"{value!r} is not an ISO 3166 country code like FR")
        if key in ("email", "smtp_sender") and value and "@" not in value:
            raise InvalidValueError(key, f"{value!r} is not an e-mail address")
        if key == "vat_regime" and value not in (VAT_FRANCHISE, VAT_CHARGED):
            raise InvalidValueError(key, f"{value!r}: say {VAT_FRANCHISE} (no VAT) or {VAT_CHARGED}")
        if key == "logo" and value:
            value = _logo_path(value)
        if key in ("smtp_password_file", "smtp_ca_file") and value:
            from pathlib import Path

            value = str(Path(value).expanduser().resolve())
        if (
            key == "smtp_password_env"
            and value
            and not (value.isascii() and value.replace("_", "a").isalnum())
        ):
            raise InvalidValueError(key, f"{value!r} is not an environment variable name like SMTP_PASSWORD")
        if key == "country":
            value = value.upper()
        if key == "timezone":
            try:
                ZoneInfo(value)
            except (ValueError, KeyError, OSError):
                raise InvalidValueError(key, f"{value!r} is not a timezone like Europe/Paris") from None
        return settings.with_changes(**{key: value})
    if key == "currency":
        return replace(settings, currency=check_currency(value, key))
    if key in _EDITABLE_PERCENT:
        number = parse_percent(value, key)
        if key == "vat_rate" and not 0 < number < 100:
            raise InvalidValueError(key, f"{value!r} is out of range: a VAT rate is between 0 and 100")
        return settings.with_changes(**{key: number})
    if key == "recovery_indemnity":
        return settings.with_changes(**{key: parse_decimal(value, key)})
    if key in _EDITABLE_INT:
        # isascii: "²".isdigit() is true but int() refuses it.
        if not (value.isascii() and value.isdigit()):
            raise InvalidValueError(key, f"{value!r} is not a whole number of 0 or more")
        number_int = int(value)
        if number_int > MAX_WHOLE_NUMBER:
            raise InvalidValueError(key, f"{number_int} is more than {MAX_WHOLE_NUMBER}")
        if key == "quote_validity_days" and number_int < 1:
            raise InvalidValueError(key, "a quote is valid for at least one day")
        if key == "payment_terms_days" and number_int > MAX_PAYMENT_TERMS_DAYS:
            raise InvalidValueError(
                key, f"{number_int} days is over the legal maximum of {MAX_PAYMENT_TERMS_DAYS}"
            )
        return settings.with_changes(**{key: number_int})
    if key == "smtp_port":
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 65535):
            raise InvalidValueError(key, f"{value!r} is not a port number from 1 to 65535")
        return settings.with_changes(smtp_port=int(value))
    if key == "smtp_starttls":
        if value.lower() not in ("yes", "no"):
            raise InvalidValueError(key, f"{value!r}: say yes or no")
        return settings.with_changes(smtp_starttls=value.lower() == "yes")
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


def missing_identity(settings: Settings) -> list[str]:
    """The settings an invoice needs that are not set (name, address, SIRET), in that order.

    >>> missing_identity(Settings())
    ['name', 'address', 'siret']
    """
    missing = []
    if not settings.name.strip() or settings.name.strip() == PLACEHOLDER_NAME:
        missing.append("name")
    if not settings.address.strip():
        missing.append("address")
    if not settings.siret.strip():
        missing.append("siret")
    return missing


def settings_warnings(settings: Settings) -> list[str]:
    """What is legal but probably a mistake in the settings: late penalties below the legal floor
    between businesses (three times the legal interest rate).

    >>> settings_warnings(Settings(late_penalty_rate=Decimal("5")))
    ['late_penalty_rate 5 % is below the legal minimum for business clients, 3 x legal_interest_rate = 7.86 %']
    """
    floor = settings.legal_interest_rate * 3
    if settings.late_penalty_rate < floor:
        return [
            f"late_penalty_rate {settings.late_penalty_rate.normalize():f} % is below the legal minimum "
            f"for business clients, 3 x legal_interest_rate = {floor.normalize():f} %"
        ]
    return []


_IDENTIFIERS = {
    "siret": "normalize_siret",
    "vat_number": "normalize_vat_number",
    "iban": "normalize_iban",
    "bic": "normalize_bic",
}
"""The settings checked as identifiers (check digits included) and kept in compact form."""


def _logo_path(text: str) -> str:
    """The absolute path of a readable PNG or SVG file (read again when a document is issued)."""
    from pathlib import Path

    from missionflow.errors import InvalidValueError

    path = Path(text).expanduser()
    try:
        head = path.resolve().read_bytes()[:1024]
    except OSError as error:
        raise InvalidValueError("logo", f"cannot read {text!r}: {error.strerror}") from None
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or b"<svg" in head):
        raise InvalidValueError("logo", f"{text!r} is neither a PNG nor an SVG image")
    return str(path.resolve())


def describe_settings(settings: Settings) -> list[tuple[str, str]]:
    """(key, value as text) for every editable setting, as ``settings set`` reads them back."""
    texts: list[tuple[str, str]] = []
    for key in editable_settings():
        if key == "working_days":
            texts.append((key, ",".join(_DAY_NAMES[d] for d in settings.working_days)))
        elif key == "working_hours":
            texts.append((key, f"{settings.working_start:%H:%M}-{settings.working_end:%H:%M}"))
        elif key == "address":
            texts.append((key, "; ".join(settings.address_lines)))
        elif key == "smtp_starttls":
            texts.append((key, "yes" if settings.smtp_starttls else "no"))
        else:
            texts.append((key, str(getattr(settings, key))))
    return texts
