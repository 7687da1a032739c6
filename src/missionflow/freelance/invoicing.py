"""What an invoice of a mission bills, decided from the mission alone (no database): the final
invoice (everything agreed, minus each live deposit invoice), the final invoice of a mission ended
early (the work done, as agreed at termination, minus the deposits), and the rules every invoice
obeys: the seller's identity first, one live final invoice, no deposit cancelled under it."""

from __future__ import annotations

from dataclasses import dataclass

from missionflow.errors import ConflictError, InvalidValueError
from missionflow.freelance.agreement import AgreedLine
from missionflow.freelance.billing import InvoiceLine, final_invoice_lines
from missionflow.freelance.mission import Mission
from missionflow.freelance.settings import Settings, missing_identity
from missionflow.money import Money

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
            f"an invoice states who issues it: set your {listed} first (missionflow settings set {missing[0]} \"...\")",
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
        raise InvalidValueError("work_done", f"{work_done} is not in the mission's currency {mission.currency}")
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
