"""Embedding the store in an application: its own engine with its own tables, and payments
recorded once per idempotency key (a webhook's delivery id), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, inspect, select

from missionflow import InvalidValueError, Money, Store, open_store
from missionflow.freelance import Payment

PAYMENT = Payment(Money.of("1350", "EUR"), date(2026, 3, 2), "card", "evt_1")
OPENED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
"""When the missions open: before the payments they receive."""


def new_mission(store: Store) -> str:
    """A new mission of 4500 EUR; returns its reference."""
    return store.create_mission(
        store.add_client("Acme").ref, "Logo", amount=Money.of("4500", "EUR"), at=OPENED
    ).ref


def test_the_same_key_records_one_payment(store: Store) -> None:
    """Recording twice with one key stores one payment, returns the first, and changes the mission once."""
    ref = new_mission(store)
    first = store.record_payment(ref, PAYMENT, idempotency_key="evt_1")
    version = store.get_mission(ref).version
    again = store.record_payment(ref, PAYMENT, idempotency_key="evt_1")
    assert again == first == PAYMENT
    mission = store.get_mission(ref)
    assert mission.payments == [PAYMENT]
    assert mission.version == version
    store.record_payment(ref, PAYMENT)
    store.record_payment(ref, PAYMENT)
    assert len(store.get_mission(ref).payments) == 3  # without a key, every call is a payment


def test_a_key_names_one_payment_of_one_mission(store: Store) -> None:
    """A key reused for another amount or another mission is refused, and nothing more is recorded."""
    ref = new_mission(store)
    other = new_mission(store)
    store.record_payment(ref, PAYMENT, idempotency_key="evt_1")
    with pytest.raises(InvalidValueError, match="evt_1") as caught:
        store.record_payment(ref, Payment(Money.of("1", "EUR"), date(2026, 3, 2)), idempotency_key="evt_1")
    assert caught.value.field == "idempotency_key"
    with pytest.raises(InvalidValueError, match=ref):
        store.record_payment(other, PAYMENT, idempotency_key="evt_1")
    assert len(store.get_mission(ref).payments) == 1
    assert store.get_mission(other).payments == []
    with pytest.raises(InvalidValueError):
        store.record_payment(ref, PAYMENT, idempotency_key="")


def test_deliveries_racing_each_other_record_one_payment(store_url: str) -> None:
    """The same delivery arriving on several threads at once ends as exactly one payment."""
    with open_store(store_url) as store:
        ref = new_mission(store)
        start = threading.Barrier(6)
        results: list[object] = []

        def deliver() -> None:
            start.wait()
            try:
                results.append(store.record_payment(ref, PAYMENT, idempotency_key="evt_race"))
            except Exception as error:  # collected, so that the assertion shows it
                results.append(error)

        threads = [threading.Thread(target=deliver) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [PAYMENT] * 6
        assert store.get_mission(ref).payments == [PAYMENT]


def test_an_applications_engine_keeps_its_tables_and_stays_open(store_url: str) -> None:
    """With the application's engine, missionflow's mf_ tables sit beside the application's, which it never
    touches, and closing the store leaves the engine to the application."""
    tables = MetaData()
    invoices = Table("app_invoices", tables, Column("id", Integer, primary_key=True))
    engine = create_engine(store_url)
    try:
        tables.create_all(engine)
        with engine.begin() as connection:
            connection.execute(insert(invoices).values(id=7))
        with open_store(engine=engine) as store:
            new_mission(store)
            store.migrate()
        names = set(inspect(engine).get_table_names())
        assert "app_invoices" in names
        assert {"mf_missions", "mf_history", "mf_payments"} <= names
        with engine.connect() as connection:  # still usable after the store closed
            assert connection.scalars(select(invoices.c.id)).all() == [7]
    finally:
        engine.dispose()
