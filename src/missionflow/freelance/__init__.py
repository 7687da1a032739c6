"""The freelance trade: a mission from lead to paid, plugged into the generic engine.

The mission (the workflow's subject), the freelancer's settings, the trade's guards and the
words they say to a client, the effects it declares, what its timers read (reminders, tacit
approval), billing arithmetic and specification files. It imports the engine and never the store: a store persists what it
decides.

>>> from missionflow.freelance import Client, Mission, fire
>>> m = Mission(ref="M-1", workflow="freelance-mission", state="lead", client=Client("Acme"))
>>> fire(m, "qualify", actor="me").dest
'criteria_check'
"""

from __future__ import annotations

import importlib
import typing

from missionflow.freelance import agreement, invoicing, vocabulary
from missionflow.freelance import effects as _effects
from missionflow.freelance import guards as _guards
from missionflow.freelance import reminders as _reminders
from missionflow.freelance.api import (
    DEFAULT_WORKFLOW,
    context_of,
    fire,
    path_to,
    revision_rounds_used,
    triggers,
)
from missionflow.freelance.balances import InstallmentStatus, InvoiceBalance, OverdueItem, PaymentPlan
from missionflow.freelance.billing import Installment
from missionflow.freelance.client_details import CLIENT_FIELDS, LANGUAGES
from missionflow.freelance.documents.lines import Unit
from missionflow.freelance.guards import settings_in, trade_guard
from missionflow.freelance.invoice_terms import InvoiceTerms
from missionflow.freelance.mission import (
    Amendment,
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    InvoiceSummary,
    Mission,
    Payment,
    PaymentDue,
    Specification,
)
from missionflow.freelance.pricing import (
    UNIT_WORDS,
    LineSource,
    Price,
    PricedLine,
    format_price,
    parse_price,
    parse_priced_item,
)
from missionflow.freelance.records import (
    INVOICE_KINDS,
    LETTER_KINDS,
    QUOTE_STATUSES,
    ClientRecord,
    InvoiceRecord,
    LetterRecord,
    QuoteRecord,
    SentDocument,
)
from missionflow.freelance.settings import (
    Criterion,
    Settings,
    describe_settings,
    editable_settings,
    missing_identity,
    set_from_text,
    settings_warnings,
)

del _effects, _guards, _reminders  # imported for what they register

_LAZY = {
    "INVOICE_FORMATS": "missionflow.freelance.invoice_render",
    "render_invoice": "missionflow.freelance.invoice_render",
    "parse_specification": "missionflow.freelance.specification_file",
    "load_specification": "missionflow.freelance.specification_file",
    "DOCUMENT_FORMATS": "missionflow.freelance.client_documents",
    "render_document": "missionflow.freelance.client_documents",
    "missing_mentions": "missionflow.freelance.issued",
    "Mailer": "missionflow.freelance.mailing",
    "SmtpConfig": "missionflow.freelance.mailing",
    "SmtpMailer": "missionflow.freelance.mailing",
}
"""Loaded on first use: a command that does not render or read a file does not import them."""

if typing.TYPE_CHECKING:
    from missionflow.freelance.client_documents import DOCUMENT_FORMATS, render_document
    from missionflow.freelance.invoice_render import INVOICE_FORMATS, render_invoice
    from missionflow.freelance.issued import missing_mentions
    from missionflow.freelance.mailing import Mailer, SmtpConfig, SmtpMailer
    from missionflow.freelance.specification_file import load_specification, parse_specification


def __getattr__(name: str) -> object:
    """Import a lazily loaded public name (PEP 562) and keep it for the next access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'missionflow.freelance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CLIENT_FIELDS",
    "DEFAULT_WORKFLOW",
    "DOCUMENT_FORMATS",
    "INVOICE_FORMATS",
    "INVOICE_KINDS",
    "LANGUAGES",
    "LETTER_KINDS",
    "QUOTE_STATUSES",
    "UNIT_WORDS",
    "Amendment",
    "Client",
    "ClientRecord",
    "Contract",
    "Criterion",
    "CriterionAnswer",
    "Deliverable",
    "Installment",
    "InstallmentStatus",
    "InvoiceBalance",
    "InvoiceRecord",
    "InvoiceSummary",
    "InvoiceTerms",
    "LetterRecord",
    "LineSource",
    "Mailer",
    "Mission",
    "OverdueItem",
    "Payment",
    "PaymentDue",
    "PaymentPlan",
    "Price",
    "PricedLine",
    "QuoteRecord",
    "SentDocument",
    "Settings",
    "SmtpConfig",
    "SmtpMailer",
    "Specification",
    "Unit",
    "agreement",
    "context_of",
    "describe_settings",
    "editable_settings",
    "fire",
    "format_price",
    "invoicing",
    "load_specification",
    "missing_identity",
    "missing_mentions",
    "parse_price",
    "parse_priced_item",
    "parse_specification",
    "path_to",
    "render_document",
    "render_invoice",
    "revision_rounds_used",
    "set_from_text",
    "settings_in",
    "settings_warnings",
    "trade_guard",
    "triggers",
    "vocabulary",
]
