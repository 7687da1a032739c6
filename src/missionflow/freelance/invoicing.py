"""What an invoice of a mission bills, decided from the mission alone (no database): the final
invoice (everything agreed, minus each live deposit invoice), the final invoice of a mission ended
early (the work done, as agreed at termination, minus the deposits), and the rules every invoice
obeys: the seller's identity first, one live final invoice, no deposit cancelled under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from missionflow.errors import ConflictError, InvalidValueError
from missionflow.freelance.agreement import AgreedLine
from missionflow.freelance.billing import InvoiceLine, final_invoice_lines
from missionflow.freelance.mission import Mission, Payment
from missionflow.freelance.settings import Settings, missing_identity
from missionflow.money import Money
from missionflow.workflow import StateKind, workflow_for

WORK_DONE = "work_done"
"""The kind of the line that bills the work done on a mission ended early."""


@dataclass(frozen=True)
class InvoiceDraft:
    """An invoice before it takes its number: its kind, its lines and its total."""

    kind: str
    lines: tuple[InvoiceLine, ...]
    total: Money


def require_identity(settings: Settings) -> None:
    """Refuse (ConflictError) to issue an invoice while the seller's name, address or SIRET is missing.

    >>> require_identity(Settings())
    Traceback (most recent call last):
    ...
    missionflow.errors.ConflictError: an invoice states who issues it: set your name, address and siret first (missionflow settings set name "...")
    """
    missing = missing_identity(settings)
    if missing:
        listed = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
        raise ConflictError(
            "identity",
            f'an invoice states who issues it: set your {listed} first (missionflow settings set {missing[0]} "...")',
        )


def _deposits(mission: Mission) -> list[tuple[str, Money]]:
    return [(i.number, i.total) for i in mission.live_invoices() if i.kind == "deposit"]


def _no_live_final(mission: Mission) -> None:
    for invoice in mission.live_invoices():
        if invoice.kind == "final":
            raise ConflictError(
                "invoice",
                f"mission {mission.ref} already has the final invoice {invoice.number}; "
                "cancel it with a credit note first",
            )


def final_invoice(mission: Mission) -> InvoiceDraft:
    """The final invoice of a mission: every line agreed (contract, rush surcharge, amendments, extra
    rounds) minus each live deposit invoice by number. Refused without a contract or while a final
    invoice stands."""
    if mission.contract is None:
        raise ConflictError(
            "invoice", f"mission {mission.ref} has no contract: the final invoice bills its amount"
        )
    _no_live_final(mission)
    lines, total = final_invoice_lines(mission.agreement.lines, _deposits(mission))
    return InvoiceDraft("final", tuple(lines), total)


def termination_invoice(mission: Mission, work_done: Money) -> InvoiceDraft:
    """The final invoice of a mission ended after its contract: ``work_done`` (the amount agreed at
    termination for the work done), minus each live deposit invoice by number.

    What was agreed beyond the work done is never billed, by choice; a deposit larger than the work
    done is refunded with a credit note, not by this invoice (InvalidValueError says so).
    """
    if mission.contract is None:
        raise ConflictError(
            "invoice", f"mission {mission.ref} ended before any contract: there is no work to invoice"
        )
    if work_done.currency != mission.currency:
        raise InvalidValueError(
            "work_done", f"{work_done} is not in the mission's currency {mission.currency}"
        )
    if work_done.amount < 0:
        raise InvalidValueError("work_done", f"{work_done} is negative")
    agreed = mission.agreement.total
    if work_done > agreed:
        raise InvalidValueError("work_done", f"{work_done} is more than everything agreed ({agreed})")
    _no_live_final(mission)
    line = AgreedLine(WORK_DONE, "Work done up to the termination, as agreed", work_done)
    try:
        lines, total = final_invoice_lines((line,), _deposits(mission))
    except InvalidValueError:
        raise InvalidValueError(
            "work_done",
            f"{work_done} is less than the deposits invoiced: cancel the deposit invoice with a "
            "credit note and refund the difference instead",
        ) from None
    return InvoiceDraft("final", tuple(lines), total)


def check_agreement_open(mission: Mission, what: str) -> None:
    """Refuse (ConflictError) to change what is agreed once the final invoice stands: the change would
    never be billed. Cancel the final invoice with a credit note first; it is issued again with it."""
    for invoice in mission.live_invoices():
        if invoice.kind == "final":
            raise ConflictError(
                "agreement",
                f"mission {mission.ref} has the final invoice {invoice.number}: {what} would never be "
                f"billed; cancel {invoice.number} with a credit note first",
            )


def check_payment(mission: Mission, payment: Payment, *, today: date, created_on: date) -> None:
    """Refuse a payment dated after tomorrow or before the mission was created (InvalidValueError),
    and a payment on a mission that ended (an exit state: declined, terminated) with nothing due on
    it (ConflictError): there is nothing it could pay. An overpayment is accepted: it is a credit
    (:attr:`Mission.balance` is negative)."""
    received = payment.received_on
    if received > today + timedelta(days=1):
        raise InvalidValueError(
            "received_on", f"{received.isoformat()} is in the future: record money received"
        )
    if received < created_on:
        raise InvalidValueError(
            "received_on",
            f"{received.isoformat()} is before mission {mission.ref} was created ({created_on.isoformat()})",
        )
    state = workflow_for(mission).definition.state(mission.state)
    if state.kind is StateKind.EXIT and mission.balance.amount <= 0:
        raise ConflictError(
            "payment",
            f"mission {mission.ref} is {mission.state} and nothing is due on it: a payment has nothing to pay "
            "(invoice the work done first, or refund the client)",
        )


def check_cancellation(mission: Mission, number: str) -> None:
    """Refuse (ConflictError) to cancel a deposit invoice that a live final invoice deducts: the
    deposit's share would then never be billed. Cancel the final invoice first."""
    live = mission.live_invoices()
    target = next((i for i in live if i.number == number), None)
    if target is None or target.kind != "deposit":
        return
    for invoice in live:
        if invoice.kind == "final":
            raise ConflictError(
                "invoice",
                f"the final invoice {invoice.number} deducts deposit invoice {number}: "
                f"cancel {invoice.number} first",
            )
