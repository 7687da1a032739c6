"""What an invoice states besides its lines, fixed when it is issued."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from missionflow.money import Money


@dataclass(frozen=True)
class InvoiceTerms:
    """What an invoice states besides its lines, copied when it is issued so that later changes
    to the settings or the client never change an issued invoice (identity, terms, penalties)."""

    seller_name: str
    seller_legal_name: str
    seller_siret: str
    seller_address: str
    vat_mention: str
    client_name: str
    client_company: str
    client_email: str
    client_business: bool
    mission_title: str
    payment_terms_days: int
    late_penalty_rate: Decimal
    recovery_indemnity: Money | None
    """The fixed recovery indemnity owed by a business client paying late; None for a consumer."""
    note: str = ""
    """Free text printed on the invoice; a credit note's reason."""
    document: Mapping[str, object] | None = None
    """The whole copy the document is printed from (``issued.DocumentCopy`` as JSON); None for an
    invoice issued before missionflow printed French and English documents (migration 0006)."""

    def to_json(self) -> dict[str, object]:
        """The terms as JSON values (decimals and money as exact text)."""
        indemnity = self.recovery_indemnity
        return {
            "seller_name": self.seller_name,
            "seller_legal_name": self.seller_legal_name,
            "seller_siret": self.seller_siret,
            "seller_address": self.seller_address,
            "vat_mention": self.vat_mention,
            "client_name": self.client_name,
            "client_company": self.client_company,
            "client_email": self.client_email,
            "client_business": self.client_business,
            "mission_title": self.mission_title,
            "payment_terms_days": self.payment_terms_days,
            "late_penalty_rate": str(self.late_penalty_rate),
            "recovery_indemnity": (
                None
                if indemnity is None
                else {"amount": f"{indemnity.amount:.2f}", "currency": indemnity.currency}
            ),
            "note": self.note,
            "document": None if self.document is None else dict(self.document),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> InvoiceTerms:
        """The terms back from :meth:`to_json`."""
        indemnity = data.get("recovery_indemnity")
        return cls(
            seller_name=str(data.get("seller_name", "")),
            seller_legal_name=str(data.get("seller_legal_name", "")),
            seller_siret=str(data.get("seller_siret", "")),
            seller_address=str(data.get("seller_address", "")),
            vat_mention=str(data.get("vat_mention", "")),
            client_name=str(data.get("client_name", "")),
            client_company=str(data.get("client_company", "")),
            client_email=str(data.get("client_email", "")),
            client_business=bool(data.get("client_business", True)),
            mission_title=str(data.get("mission_title", "")),
            payment_terms_days=int(str(data.get("payment_terms_days", 30))),
            late_penalty_rate=Decimal(str(data.get("late_penalty_rate", "0"))),
            recovery_indemnity=(
                Money(Decimal(str(indemnity["amount"])), str(indemnity["currency"]))
                if isinstance(indemnity, dict)
                else None
            ),
            note=str(data.get("note", "")),
            document=dict(document) if isinstance(document := data.get("document"), Mapping) else None,
        )
