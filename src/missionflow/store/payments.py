"""Money received: payments recorded against a mission, once per idempotency key."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from missionflow.errors import ConcurrentUpdateError, InvalidValueError
from missionflow.freelance import Payment, invoicing
from missionflow.money import Money
from missionflow.store import ledger, rows
from missionflow.store.firing import MAX_KEY
from missionflow.store.history import DuplicateKey
from missionflow.store.ledger_cover import PAYMENT
from missionflow.store.models import PaymentRow
from missionflow.store.records import mission_ref, parse_ref
from missionflow.store.session import Database, now


class Payments:
    """The payments of missions."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, ref: str, payment: Payment, *, idempotency_key: str | None = None) -> Payment:
        """Record money received (R5, R6); it must be in the mission's currency.

        With an ``idempotency_key`` (a payment webhook's delivery id), recording the same key
        again writes nothing and returns the payment recorded the first time; the key names one
        payment of one mission (reusing it for another raises InvalidValueError).

        >>> from datetime import date
        >>> from missionflow import Money, open_store
        >>> from missionflow.freelance import Payment, invoicing
        >>> with open_store("sqlite://") as store:
        ...     ref = store.create_mission(store.add_client("Acme").ref, "Logo").ref
        ...     paid = Payment(Money.of("1350", "EUR"), date(2026, 12, 1), "transfer")
        ...     _ = store.record_payment(ref, paid, idempotency_key="evt_1")
        ...     _ = store.record_payment(ref, paid, idempotency_key="evt_1")
        ...     len(store.get_mission(ref).payments)
        1
        """
        if payment.amount.amount <= 0:
            raise InvalidValueError("amount", f"a payment must be more than zero, got {payment.amount}")
        if idempotency_key is not None and not (0 < len(idempotency_key) <= MAX_KEY):
            raise InvalidValueError("idempotency_key", f"give 1 to {MAX_KEY} characters")
        try:
            with self.db.writing(ref) as session:
                if idempotency_key is not None:
                    earlier = _by_key(session, ref, idempotency_key, payment)
                    if earlier is not None:
                        return earlier
                row = rows.touch(session, ref)
                rows.same_currency("amount", payment.amount, row.currency)
                zone = ZoneInfo(rows.settings(session).timezone)
                invoicing.check_payment(
                    rows.snapshot(session, row),
                    payment,
                    today=self.db.clock().astimezone(zone).date(),
                    created_on=row.created_at.astimezone(zone).date(),
                )
                added = PaymentRow(
                    mission_id=row.id,
                    amount_cents=payment.amount.amount,
                    currency=payment.amount.currency,
                    received_on=payment.received_on,
                    method=payment.method,
                    reference=payment.reference,
                    recorded_at=now(),
                    idempotency_key=idempotency_key,
                )
                session.add(added)
                try:
                    session.flush()
                except IntegrityError:
                    raise DuplicateKey from None
                ledger.note(session, PAYMENT, {"id": added.id})
        except DuplicateKey:
            # Another writer recorded the same delivery between our check and our insert.
            if idempotency_key is not None:
                with self.db.reading() as session:
                    earlier = _by_key(session, ref, idempotency_key, payment)
                if earlier is not None:
                    return earlier
            raise ConcurrentUpdateError(ref) from None
        return payment


def _by_key(session: Session, ref: str, key: str, payment: Payment) -> Payment | None:
    row = session.scalars(select(PaymentRow).where(PaymentRow.idempotency_key == key)).one_or_none()
    if row is None:
        return None
    recorded = Payment(Money(row.amount_cents, row.currency), row.received_on, row.method, row.reference)
    if parse_ref(ref, "M") != row.mission_id or recorded.amount != payment.amount:
        raise InvalidValueError(
            "idempotency_key",
            f"{key!r} was already used for a payment of {recorded.amount} on mission "
            f"{mission_ref(row.mission_id)}",
        )
    return recorded
