"""What a quote or an invoice copies when it is issued, so that it can be printed again exactly as it
was, whatever the settings and the client book say later: the seller and the client as parties,
the bank details, the VAT regime, the logo, the payment terms, the date or period of the service,
the deposits deducted and the invoice a credit note cancels.

Before anything is issued, :func:`missing_mentions` lists what a lawful document would lack (each
with the command that fills it in); :func:`document_copy` refuses to make the copy, so the store
issues nothing, while the list is not empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from missionflow.errors import ConflictError, InvalidValueError
from missionflow.freelance.documents.lines import Period
from missionflow.freelance.documents.model import DepositDeduction, InvoiceReference, OverdueInvoice
from missionflow.freelance.documents.parties import Address, BankDetails, Language, Party
from missionflow.freelance.records import ClientRecord
from missionflow.freelance.settings import Settings
from missionflow.money import Money

__all__ = [
    "DocumentCopy",
    "buyer_party",
    "document_copy",
    "missing_mentions",
    "seller_party",
]


def _seller_missing(settings: Settings, *, asks_payment: bool, vat_charged: bool) -> list[str]:
    wanted = [
        ("your name", bool(settings.legal_name.strip() or settings.name != Settings().name), "name"),
        ("your legal form", bool(settings.legal_form.strip()), "legal_form EI"),
        ("your SIRET", bool(settings.siret), "siret"),
        ("your street address", bool(settings.address_lines), "address"),
        ("your postcode", bool(settings.postcode.strip()), "postcode"),
        ("your city", bool(settings.city.strip()), "city"),
    ]
    if asks_payment:
        wanted += [("your IBAN", bool(settings.iban), "iban"), ("your BIC", bool(settings.bic), "bic")]
    if vat_charged:
        wanted.append(("your intra-EU VAT number", bool(settings.vat_number), "vat_number"))
    return [f"{what} (missionflow settings set {how})" for what, present, how in wanted if not present]


def _client_missing(client: ClientRecord, *, e_invoice: bool) -> list[str]:
    edit = f"missionflow client edit {client.ref}"
    wanted = [
        ("street address", bool(client.address), "--address"),
        ("city", bool(client.city), "--city"),
        ("postcode", bool(client.postcode) or client.country != "FR", "--postcode"),
    ]
    if client.business and client.country == "FR":
        wanted.append(("SIREN", bool(client.siren or client.siret), "--siren"))
    if e_invoice and not (client.business and client.country == "FR"):
        # A private or foreign client receives the e-invoice at their e-mail address (Factur-X BT-49).
        wanted.append(("e-mail", bool(client.email), "--email"))
    return [f"the client's {what} ({edit} {how})" for what, present, how in wanted if not present]


def missing_mentions(
    settings: Settings, client: ClientRecord, *, asks_payment: bool, e_invoice: bool, vat_charged: bool
) -> list[str]:
    """What a document for ``client`` would lack, each with the command that fills it in: the
    seller's identity, the bank details when it ``asks_payment``, the VAT number when VAT is
    charged, the client's address, SIREN (French business) and, for an ``e_invoice``, the e-mail
    address a private or foreign client receives it at."""
    return _seller_missing(settings, asks_payment=asks_payment, vat_charged=vat_charged) + _client_missing(
        client, e_invoice=e_invoice
    )


def document_copy(
    settings: Settings,
    client: ClientRecord,
    *,
    what: str,
    currency: str,
    vat_rate: Decimal | None,
    asks_payment: bool,
    e_invoice: bool,
    logo: str | None = None,
    service_date: date | None = None,
    service_period: Period | None = None,
    deposits: tuple[DepositDeduction, ...] = (),
    cancels: InvoiceReference | None = None,
) -> DocumentCopy:
    """The copy a document issued now keeps; ConflictError lists every missing mandatory mention
    (see :func:`missing_mentions`), so a single round of fixes is enough."""
    missing = missing_mentions(
        settings, client, asks_payment=asks_payment, e_invoice=e_invoice, vat_charged=vat_rate is not None
    )
    if missing:
        raise ConflictError(what, "a lawful document needs " + "; ".join(missing))
    seller = seller_party(settings, vat_charged=vat_rate is not None)
    bank = None
    if settings.iban and settings.bic:
        bank = BankDetails(settings.iban, settings.bic, settings.bank_holder or seller.name)
    if service_period is not None and service_period.start == service_period.end:
        service_date, service_period = service_period.start, None
    return DocumentCopy(
        seller=seller,
        buyer=buyer_party(client),
        payment_days=settings.payment_terms_days,
        late_penalty_rate=settings.late_penalty_rate,
        recovery_indemnity=Money(settings.recovery_indemnity, currency),
        bank=bank,
        vat_rate=vat_rate,
        logo=logo,
        service_date=service_date,
        service_period=service_period,
        deposits=deposits,
        cancels=cancels,
    )


def seller_party(settings: Settings, *, vat_charged: bool) -> Party:
    """The freelancer as the seller of a document (see :func:`check_mentions` first)."""
    return Party(
        settings.legal_name.strip() or settings.name,
        Address(settings.address_lines, settings.postcode, settings.city, settings.country),
        legal_form=settings.legal_form.strip(),
        siret=settings.siret or None,
        vat_number=(settings.vat_number or None) if vat_charged else None,
        email=settings.email or None,
        phone=settings.phone or None,
    )


def buyer_party(client: ClientRecord) -> Party:
    """The client as the buyer of a document, in the language they read."""
    return Party(
        client.legal_name,
        Address(client.address, client.postcode, client.city, client.country),
        business=client.business,
        siren=client.siren or None,
        siret=client.siret or None,
        vat_number=client.vat_number or None,
        email=client.email or None,
        phone=client.phone or None,
        contact=client.contact or None,
        language=Language(client.language),
    )


@dataclass(frozen=True)
class DocumentCopy:
    """Everything a document states besides its number, dates and lines, as issued.

    ``vat_rate`` is the default VAT rate when VAT is charged, None under the franchise; ``logo``
    the SHA-256 of the logo stored with the documents.
    """

    seller: Party
    buyer: Party
    payment_days: int
    late_penalty_rate: Decimal
    recovery_indemnity: Money
    bank: BankDetails | None = None
    vat_rate: Decimal | None = None
    logo: str | None = None
    service_date: date | None = None
    service_period: Period | None = None
    deposits: tuple[DepositDeduction, ...] = ()
    cancels: InvoiceReference | None = None
    overdue: tuple[OverdueInvoice, ...] = ()
    """For a late-payment invoice: the invoices paid late that it bills interest on."""
    outside_vat: bool = False
    """Late-payment interest and indemnity, and the credit note that cancels them: outside the
    scope of VAT whatever the seller's regime."""

    def to_json(self) -> dict[str, object]:
        """The copy as JSON values (decimals, money and dates as exact text)."""
        bank = self.bank
        period = self.service_period
        return {
            "seller": _party_json(self.seller),
            "buyer": _party_json(self.buyer),
            "payment_days": self.payment_days,
            "late_penalty_rate": str(self.late_penalty_rate),
            "recovery_indemnity": _money_json(self.recovery_indemnity),
            "bank": None if bank is None else {"iban": bank.iban, "bic": bank.bic, "holder": bank.holder},
            "vat_rate": None if self.vat_rate is None else str(self.vat_rate),
            "logo": self.logo,
            "service_date": None if self.service_date is None else self.service_date.isoformat(),
            "service_period": None if period is None else [period.start.isoformat(), period.end.isoformat()],
            "deposits": [
                {**_reference_json(d.invoice), "amount": _money_json(d.amount)} for d in self.deposits
            ],
            "cancels": None if self.cancels is None else _reference_json(self.cancels),
            "overdue": [
                {
                    **_reference_json(o.invoice),
                    "due_on": o.due_on.isoformat(),
                    "amount": _money_json(o.amount_due),
                }
                for o in self.overdue
            ],
            "outside_vat": self.outside_vat,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> DocumentCopy:
        """The copy back from :meth:`to_json`."""
        bank = data.get("bank")
        period = data.get("service_period")
        rate = data.get("vat_rate")
        service_date = data.get("service_date")
        cancels = data.get("cancels")
        deposits = data.get("deposits")
        overdue = data.get("overdue")
        return cls(
            seller=_party(_mapping(data["seller"])),
            buyer=_party(_mapping(data["buyer"])),
            payment_days=int(str(data["payment_days"])),
            late_penalty_rate=Decimal(str(data["late_penalty_rate"])),
            recovery_indemnity=_money(data["recovery_indemnity"]),
            bank=None
            if not isinstance(bank, Mapping)
            else BankDetails(**{k: str(v) for k, v in bank.items()}),
            vat_rate=None if rate is None else Decimal(str(rate)),
            logo=None if data.get("logo") is None else str(data["logo"]),
            service_date=None if service_date is None else date.fromisoformat(str(service_date)),
            service_period=(
                Period(date.fromisoformat(str(period[0])), date.fromisoformat(str(period[1])))
                if isinstance(period, list)
                else None
            ),
            deposits=tuple(
                DepositDeduction(_reference(_mapping(d)), _money(_mapping(d)["amount"]))
                for d in (deposits if isinstance(deposits, list) else [])
            ),
            cancels=None if cancels is None else _reference(_mapping(cancels)),
            overdue=tuple(
                OverdueInvoice(
                    _reference(_mapping(o)),
                    date.fromisoformat(str(_mapping(o)["due_on"])),
                    _money(_mapping(o)["amount"]),
                )
                for o in (overdue if isinstance(overdue, list) else [])
            ),
            outside_vat=data.get("outside_vat") is True,
        )


def _mapping(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidValueError("document", f"the stored copy is damaged: {value!r} is not a mapping")
    return value


def _money_json(money: Money) -> dict[str, str]:
    return {"amount": f"{money.amount:.2f}", "currency": money.currency}


def _money(value: object) -> Money:
    data = _mapping(value)
    return Money(Decimal(str(data["amount"])), str(data["currency"]))


def _reference_json(reference: InvoiceReference) -> dict[str, str]:
    return {"number": reference.number, "issued_on": reference.issued_on.isoformat()}


def _reference(data: Mapping[str, object]) -> InvoiceReference:
    return InvoiceReference(str(data["number"]), date.fromisoformat(str(data["issued_on"])))


_PARTY_TEXT = ("legal_form", "siren", "siret", "vat_number", "email", "phone", "contact")


def _party_json(party: Party) -> dict[str, object]:
    address = party.address
    return {
        "name": party.name,
        "address": list(address.lines),
        "postcode": address.postcode,
        "city": address.city,
        "country": address.country,
        "business": party.business,
        "language": party.language.value,
        **{key: getattr(party, key) for key in _PARTY_TEXT},
    }


def _party(data: Mapping[str, object]) -> Party:
    lines = data.get("address")
    texts = {key: (None if data.get(key) is None else str(data[key])) for key in _PARTY_TEXT}
    return Party(
        str(data["name"]),
        Address(
            tuple(str(line) for line in lines) if isinstance(lines, list) else (),
            str(data.get("postcode", "")),
            str(data.get("city", "")),
            str(data.get("country", "FR")),
        ),
        business=bool(data.get("business", True)),
        language=Language(str(data.get("language", "fr"))),
        **texts,
    )
