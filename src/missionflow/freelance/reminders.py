"""What the trade's timers read: the timer facts a workflow file names in ``after:`` and the
guards of the reminders.

The reminders themselves are declared in the workflow (``remind_deposit``, ``remind_approval``,
``approve_tacitly``, ``remind_payment`` in ``freelance-mission``): a store fires each one once
when it falls due, and its guard decides whether it still applies (a deposit paid in time skips
its reminder). Importing this module registers them; the engine finds it through the
``missionflow.timer_facts`` entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from missionflow.freelance.guards import settings_in, trade_guard
from missionflow.freelance.mission import Mission
from missionflow.workflow import FactKind, GuardContext, GuardParam, register_timer_fact

Params = Mapping[str, GuardParam]


def _zone(ctx: GuardContext) -> ZoneInfo:
    """The time zone days are counted in: the calendar's, else the settings'."""
    name = ctx.calendar.timezone if ctx.calendar is not None else settings_in(ctx).timezone
    return ZoneInfo(name)


def local_day(ctx: GuardContext) -> date:
    """The day it is at ``ctx.now`` for the freelancer."""
    return ctx.now.astimezone(_zone(ctx)).date()


@register_timer_fact(
    "deposit_reminder_days",
    kind=FactKind.DELAY,
    words={"en": "the deposit reminder delay of the settings", "fr": "le délai de relance de l'acompte"},
    reads=(),
)
def deposit_reminder_days(mission: Mission, ctx: GuardContext) -> int:
    """Days after the signature before the deposit is reminded (``settings set deposit_reminder_days``)."""
    return settings_in(ctx).deposit_reminder_days


@register_timer_fact(
    "second_reminder_days",
    kind=FactKind.DELAY,
    words={"en": "the second reminder delay of the settings", "fr": "le délai de seconde relance"},
    reads=(),
)
def second_reminder_days(mission: Mission, ctx: GuardContext) -> int:
    """Days after a due date before a payment still owed is reminded a second time."""
    return settings_in(ctx).second_reminder_days


@register_timer_fact(
    "formal_notice_days",
    kind=FactKind.DELAY,
    words={"en": "the formal notice delay of the settings", "fr": "le délai de mise en demeure"},
    reads=(),
)
def formal_notice_days(mission: Mission, ctx: GuardContext) -> int:
    """Days after a due date before a payment still owed gets a formal notice to pay."""
    return settings_in(ctx).formal_notice_days


@register_timer_fact(
    "acceptance_days",
    kind=FactKind.DELAY,
    words={"en": "the acceptance period of the contract", "fr": "le délai de validation du contrat"},
    reads={"contract"},
)
def acceptance_days(mission: Mission, ctx: GuardContext) -> int | None:
    """The contract's acceptance period (R10), or None when it sets none: no tacit approval then."""
    return mission.contract.acceptance_days if mission.contract is not None else None


@register_timer_fact(
    "payment_due",
    kind=FactKind.MOMENT,
    words={"en": "each payment's due date", "fr": "l'échéance de chaque paiement"},
    reads={"dues"},
)
def payment_due(mission: Mission, ctx: GuardContext) -> list[datetime]:
    """The start of the due day of everything still owed (in the freelancer's time zone): one
    day after it, the payment is late."""
    zone = _zone(ctx)
    return [datetime.combine(due.due_on, time(0), zone) for due in mission.dues if due.balance.amount > 0]


@trade_guard(
    "deposit_missing",
    words_en="deposit not received yet",
    words_fr="acompte pas encore reçu",
    reads={"contract", "payments"},
)
def deposit_missing(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """The deposit reminder applies while the agreed deposit is not paid."""
    due = mission.deposit_due
    if due.amount <= 0:
        return "no deposit was agreed"
    paid = mission.paid_total
    if paid.amount >= due.amount:
        return f"the deposit of {due} is received"
    return None


@trade_guard(
    "payment_overdue",
    words_en="a payment is overdue",
    words_fr="un paiement est en retard",
    reads={"dues"},
)
def payment_overdue(mission: Mission, ctx: GuardContext, params: Params) -> str | None:
    """A payment reminder applies while something is still owed after its due date."""
    today = local_day(ctx)
    late = [due for due in mission.dues if due.balance.amount > 0 and due.due_on < today]
    if late:
        return None
    if any(due.balance.amount > 0 for due in mission.dues):
        return "nothing is overdue: every payment still owed is due later"
    return "nothing is owed"
