"""Invoices in the store, on SQLite and PostgreSQL: deposit and final invoices, credit notes, one
gapless series (also under concurrency), payments allocated to invoices, installment plans,
late payments, and the terms each invoice keeps as issued."""

from __future__ import annotations

import multiprocessing
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import missionflow.store.account_reads
from missionflow import (
    ConflictError,
    InvalidValueError,
    Store,
    TransitionBlockedError,
    TransitionNotAllowedError,
    testing,
)
from missionflow.errors import InvoiceNotFoundError
from missionflow.freelance import Deliverable, Installment, Payment, Specification
from missionflow.testing import eur

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, within working hours
INVOICED_AT = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


SPEC = Specification(
    objectives="A new logo",
    deliverables=(Deliverable("logo"),),
    deadline=date(2026, 6, 1),
    budget=eur("1000"),
    acceptance="The client approves in writing",
)


def signed_mission(
    store: Store, amount: str = "1000", deposit: str = "30", *, business: bool = True, client: str = "Acme"
) -> str:
    """A mission with its contract signed (state contract_signed); returns its reference."""
    ref = testing.lead(
        store, client=client, amount=amount, business=business, deposit_percent=Decimal(deposit)
    )
    testing.sign(store, ref, spec=SPEC, terms_version="CGV-2026")
    return ref


def approved_mission(store: Store, ref: str) -> None:
    """Move a signed mission to approved (paying the deposit when it is not paid yet)."""
    mission = store.get_mission(ref)
    if mission.paid_total < mission.deposit_due:
        store.record_payment(ref, Payment(mission.deposit_due - mission.paid_total, date(2026, 3, 2)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    store.fire(ref, "deliver", data={"deliverable": "logo"}, at=AT)
    store.fire(ref, "approve", at=AT)


# --- deposit invoices ---------------------------------------------------------------------------


def test_a_deposit_invoice_asks_for_the_contract_deposit(store: Store) -> None:
    """The deposit invoice bills the deposit percentage of the contract, due after the default terms."""
    ref = signed_mission(store, "4500")
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    assert (deposit.number, deposit.kind, deposit.total) == ("2026-0001", "deposit", eur("1350"))
    assert deposit.due_on == date(2026, 4, 2)
    assert deposit.lines[0]["amount"] == {"amount": "1350.00", "currency": "EUR"}
    assert "30" in str(deposit.lines[0]["description"])


def test_a_deposit_invoice_is_refused_without_contract_at_zero_percent_or_twice(store: Store) -> None:
    """No contract, a 0 % deposit, or a standing deposit invoice: refused, and no number is taken."""
    unsigned = store.create_mission(store.add_client("Acme").ref, "Logo", amount=eur("1000"), at=AT).ref
    with pytest.raises(ConflictError, match="no signed contract"):
        store.issue_deposit_invoice(unsigned, issued_on=date(2026, 3, 3))
    free = signed_mission(store, deposit="0")
    with pytest.raises(ConflictError, match="no deposit"):
        store.issue_deposit_invoice(free, issued_on=date(2026, 3, 3))
    ref = signed_mission(store)
    first = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    with pytest.raises(ConflictError, match=f"already has the deposit invoice {first.number}"):
        store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    assert [i.number for i in store.list_invoices()] == ["2026-0001"]
    store.issue_credit_note(first.number, "wrong percentage", issued_on=date(2026, 3, 4))
    assert store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 4)).number == "2026-0003"


# --- final invoices -----------------------------------------------------------------------------


def test_firing_invoice_issues_the_final_invoice_in_the_same_transaction(store: Store) -> None:
    """Store.fire(ref, "invoice") moves to invoiced and issues the contract and extras as lines, each
    deposit invoice deducted by number."""
    ref = signed_mission(store)
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    approved_mission(store, ref)
    store.agree_extra_revision(ref, eur("150.05"), "a fourth round")
    record = store.fire(ref, "invoice", actor="jeanne", at=INVOICED_AT)
    assert (record.source, record.dest) == ("approved", "invoiced")
    final = store.list_invoices(ref)[-1]
    assert (final.number, final.kind, final.total) == ("2026-0002", "final", eur("850.05"))
    assert (final.issued_on, final.due_on) == (date(2026, 4, 1), date(2026, 5, 1))
    descriptions = [str(line["description"]) for line in final.lines]
    assert descriptions == ["Logo", "Série de corrections supplémentaire : a fourth round"]
    assert final.lines[-1]["amount"] == {"amount": "150.05", "currency": "EUR"}
    deducted = store.invoice_document(final.number).deposits
    assert [(d.invoice.number, d.amount) for d in deducted] == [(deposit.number, eur("300"))]
    assert store.get_mission(ref).invoiced_total == eur("1150.05")
    assert store.verify(ref) == []


def test_the_final_invoice_is_refused_from_any_other_state(store: Store) -> None:
    """From in_progress the trigger is not allowed and no number is taken, by fire or issue_final_invoice."""
    ref = signed_mission(store)
    store.record_payment(ref, Payment(eur("300"), date(2026, 3, 2)))
    store.fire(ref, "confirm_deposit", at=AT)
    store.fire(ref, "start_work", at=AT)
    with pytest.raises(TransitionNotAllowedError):
        store.fire(ref, "invoice", at=INVOICED_AT)
    with pytest.raises(TransitionNotAllowedError):
        store.issue_final_invoice(ref, at=INVOICED_AT)
    assert store.list_invoices() == []
    assert store.get_mission(ref).state == "in_progress"


def test_awkward_deposits_leave_an_exact_final_invoice(store: Store) -> None:
    """A 33.333 % deposit of 1000.00 gives 333.33 then 666.67: together exactly the contract."""
    ref = signed_mission(store, "1000", "33.333")
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    approved_mission(store, ref)
    _, final = store.issue_final_invoice(ref, actor="jeanne", at=INVOICED_AT)
    assert (deposit.total, final.total) == (eur("333.33"), eur("666.67"))
    assert deposit.total + final.total == eur("1000")


def test_a_cancelled_deposit_is_not_subtracted_and_the_final_can_be_issued_again(store: Store) -> None:
    """Only standing deposit invoices are deducted; a cancelled final invoice is issued again."""
    ref = signed_mission(store)
    wrong = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    store.issue_credit_note(wrong.number, "sent twice", issued_on=date(2026, 3, 3))
    right = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    approved_mission(store, ref)
    _, final = store.issue_final_invoice(ref, at=INVOICED_AT)
    assert [d.invoice.number for d in store.invoice_document(final.number).deposits] == [right.number]
    assert final.total == eur("700")
    with pytest.raises(ConflictError, match="already has the final invoice"):
        store.reissue_final_invoice(ref, issued_on=date(2026, 4, 2))
    store.issue_credit_note(final.number, "wrong address", issued_on=date(2026, 4, 2))
    again = store.reissue_final_invoice(ref, issued_on=date(2026, 4, 2))
    assert (again.kind, again.total, again.number) == ("final", eur("700"), "2026-0006")


# --- credit notes and the series ----------------------------------------------------------------


def test_deposit_final_and_credit_notes_share_one_gapless_series(store: Store) -> None:
    """Numbers run 0001, 0002... in date order over every kind; a credit note names its invoice."""
    ref = signed_mission(store)
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    other = signed_mission(store, client="Globex")
    other_deposit = store.issue_deposit_invoice(other, issued_on=date(2026, 3, 4))
    credit = store.issue_credit_note(
        other_deposit.number, "client changed its mind", issued_on=date(2026, 3, 5)
    )
    approved_mission(store, ref)
    _, final = store.issue_final_invoice(ref, at=INVOICED_AT)
    invoices = store.list_invoices()
    assert [(i.number, i.kind) for i in invoices] == [
        (deposit.number, "deposit"),
        (other_deposit.number, "deposit"),
        (credit.number, "credit"),
        (final.number, "final"),
    ]
    assert [i.number for i in invoices] == [f"2026-{n:04d}" for n in range(1, 5)]
    assert [i.issued_on for i in invoices] == sorted(i.issued_on for i in invoices)
    assert (credit.references, credit.total, credit.terms and credit.terms.note) == (
        other_deposit.number,
        other_deposit.total,
        "client changed its mind",
    )


def test_a_credit_note_is_refused_twice_on_a_credit_note_or_an_unknown_number(store: Store) -> None:
    """An invoice is cancelled once; a credit note is not cancelled; unknown numbers are not found."""
    ref = signed_mission(store)
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    credit = store.issue_credit_note(deposit.number, "typo", issued_on=date(2026, 3, 3))
    with pytest.raises(ConflictError, match=f"already cancelled by credit note {credit.number}"):
        store.issue_credit_note(deposit.number, "again", issued_on=date(2026, 3, 3))
    with pytest.raises(ConflictError, match="is a credit note"):
        store.issue_credit_note(credit.number, "undo", issued_on=date(2026, 3, 3))
    with pytest.raises(InvoiceNotFoundError):
        store.issue_credit_note("2026-0099", "nothing", issued_on=date(2026, 3, 3))
    with pytest.raises(InvalidValueError, match="say why"):
        store.issue_credit_note(deposit.number, "  ")
    assert store.get_invoice(credit.number) == credit
    with pytest.raises(InvoiceNotFoundError):
        store.get_invoice("2026-0099")


INVOICE_WORKER = """
from datetime import UTC, date, datetime
from missionflow import open_store
with open_store(url, create=False) as store:
    store.get_mission(ref)
    barrier.wait(timeout=60)
    day = date(2026, 4, 1)
    numbers = [store.issue_deposit_invoice(ref, issued_on=day).number]
    numbers.append(store.issue_credit_note(numbers[0], "sent too early", issued_on=day).number)
    numbers.append(store.issue_deposit_invoice(ref, issued_on=day).number)
    numbers.append(store.issue_final_invoice(ref, at=datetime(2026, 4, 1, 10, tzinfo=UTC))[1].number)
    results.put(numbers)
"""


def test_the_series_stays_gapless_under_concurrent_issuing(store: Store, store_url: str) -> None:
    """Six processes issue deposit, credit, deposit and final together: 24 consecutive numbers, none twice."""
    processes = 6
    refs = []
    for n in range(processes):
        ref = signed_mission(store, client=f"Client {n}")
        approved_mission(store, ref)
        refs.append(ref)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["missionflow"])
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=exec,
            args=(INVOICE_WORKER, {"url": store_url, "ref": ref, "barrier": barrier, "results": results}),
        )
        for ref in refs
    ]
    for worker in workers:
        worker.start()
    try:
        collected = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
        results.close()
    numbers = sorted(number for result in collected for number in result)
    assert numbers == [f"2026-{n:04d}" for n in range(1, processes * 4 + 1)]
    for result in collected:
        assert result == sorted(result)
    invoices = store.list_invoices()
    assert [i.number for i in invoices] == numbers
    assert sorted(i.kind for i in invoices) == ["credit"] * 6 + ["deposit"] * 12 + ["final"] * 6
    assert all(store.get_mission(ref).state == "invoiced" for ref in refs)
    assert store.verify() == []


# --- what an invoice states ---------------------------------------------------------------------


def test_an_invoice_keeps_the_identity_and_terms_it_was_issued_with(store: Store) -> None:
    """Changing the settings later does not change what an issued invoice states."""
    testing.identify(store, name="Camille", address="1 rue de la Paix", late_penalty_rate=Decimal("15"))
    ref = signed_mission(store)
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    store.save_settings(
        store.get_settings().with_changes(name="Someone else", late_penalty_rate=Decimal("20"))
    )
    kept = store.get_invoice(deposit.number).terms
    assert kept is not None
    assert (kept.seller_name, kept.seller_siret, kept.seller_address) == (
        "Camille",
        "73282932000074",
        "1 rue de la Paix",
    )
    printed = store.invoice_document(deposit.number)
    assert (printed.seller.name, printed.payment.late_penalty_rate) == ("Camille", Decimal("15"))
    assert (kept.late_penalty_rate, kept.payment_terms_days, kept.recovery_indemnity) == (
        Decimal("15"),
        30,
        eur("40"),
    )
    assert kept.vat_mention == "TVA non applicable, art. 293 B du CGI"
    assert (kept.client_name, kept.client_business, kept.mission_title) == ("Acme", True, "Logo")


def test_a_consumer_invoice_states_no_recovery_indemnity(store: Store) -> None:
    """The fixed 40 EUR indemnity is stated for business clients only."""
    ref = signed_mission(store, business=False)
    terms = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3)).terms
    assert terms is not None
    assert (terms.client_business, terms.recovery_indemnity) == (False, None)


def test_payment_terms_over_sixty_days_are_refused_when_issuing(store: Store) -> None:
    """Settings saved with 61 days of terms make issuing refuse instead of printing an illegal date."""
    store.save_settings(store.get_settings().with_changes(payment_terms_days=61))
    ref = signed_mission(store)
    with pytest.raises(InvalidValueError, match="legal maximum"):
        store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    assert store.list_invoices() == []


# --- payments, statuses and settling ------------------------------------------------------------


def test_a_payment_before_any_invoice_is_a_credit_for_the_first_one(store: Store) -> None:
    """Money received before invoicing goes to the first invoice issued; partial payments stay partial."""
    ref = signed_mission(store)
    store.record_payment(ref, Payment(eur("200"), date(2026, 3, 2)))
    assert store.invoice_balances(ref) == []
    deposit = store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    [balance] = store.invoice_balances(ref, on=date(2026, 3, 10))
    assert (balance.number, balance.paid, balance.balance, balance.status) == (
        deposit.number,
        eur("200"),
        eur("100"),
        "partially_paid",
    )
    assert store.invoice_balances(ref, on=date(2026, 4, 3))[0].status == "overdue"
    store.record_payment(ref, Payment(eur("100"), date(2026, 3, 20)))
    assert store.invoice_balances(ref, on=date(2026, 4, 3))[0].status == "paid"


def test_settle_needs_everything_invoiced_paid_to_the_cent(store: Store) -> None:
    """settle is blocked with the amount still due until the last cent arrives."""
    ref = signed_mission(store)
    store.issue_deposit_invoice(ref, issued_on=date(2026, 3, 3))
    approved_mission(store, ref)
    store.issue_final_invoice(ref, at=INVOICED_AT)
    store.record_payment(ref, Payment(eur("699.99"), date(2026, 4, 20)))
    with pytest.raises(TransitionBlockedError) as blocked:
        store.fire(ref, "settle", at=INVOICED_AT)
    assert blocked.value.reasons == ("still due: 0.01 EUR of 1,000.00 EUR invoiced",)
    store.record_payment(ref, Payment(eur("0.01"), date(2026, 4, 21)))
    assert store.fire(ref, "settle", at=INVOICED_AT).dest == "paid"
    assert {b.status for b in store.invoice_balances(ref)} == {"paid"}


# --- installment plans --------------------------------------------------------------------------


def invoiced_mission(store: Store, *, business: bool = True) -> str:
    """A 1000 EUR mission with its 300 EUR deposit paid (no deposit invoice) and invoiced on 2026-04-01."""
    ref = signed_mission(store, business=business)
    approved_mission(store, ref)
    store.issue_final_invoice(ref, at=INVOICED_AT)
    return ref


def test_a_plan_sums_to_the_amount_due_within_the_legal_limit(store: Store) -> None:
    """The plan must equal what is unpaid, and no installment may fall 61 days after the invoice."""
    ref = invoiced_mission(store)
    with pytest.raises(InvalidValueError, match=re.escape("not the 700.00 EUR due")):
        store.set_payment_plan(ref, [Installment(date(2026, 5, 1), eur("699.99"))], on=date(2026, 4, 2))
    with pytest.raises(InvalidValueError, match="legal maximum"):
        store.set_payment_plan(
            ref,
            [Installment(date(2026, 5, 1), eur("350")), Installment(date(2026, 6, 1), eur("350"))],
            on=date(2026, 4, 2),
        )
    assert store.get_payment_plan(ref) is None
    plan = store.set_payment_plan(
        ref,
        [Installment(date(2026, 5, 31), eur("350")), Installment(date(2026, 5, 1), eur("350"))],
        on=date(2026, 4, 2),
    )
    assert (plan.amount, plan.covers) == (eur("700"), ("2026-0001",))
    assert [(i.position, i.due_on, i.status) for i in plan.installments] == [
        (1, date(2026, 5, 1), "due"),
        (2, date(2026, 5, 31), "due"),
    ]


def test_installments_are_due_paid_or_overdue(store: Store) -> None:
    """Payments after the plan fill its installments in order; an unpaid one past its date is overdue."""
    ref = invoiced_mission(store)
    store.set_payment_plan(
        ref,
        [Installment(date(2026, 5, 1), eur("350")), Installment(date(2026, 5, 31), eur("350"))],
        on=date(2026, 4, 2),
    )
    store.record_payment(ref, Payment(eur("400"), date(2026, 4, 30)))
    plan = store.get_payment_plan(ref, on=date(2026, 6, 2))
    assert plan is not None
    assert [(i.status, i.paid) for i in plan.installments] == [("paid", eur("350")), ("overdue", eur("50"))]
    assert plan.balance == eur("300")
    # The invoice follows the plan: not overdue while the plan is kept.
    assert store.invoice_balances(ref, on=date(2026, 5, 15))[0].status == "partially_paid"


def test_a_new_plan_replaces_the_old_and_a_credit_note_voids_it(store: Store) -> None:
    """Setting a plan again replaces it; cancelling the invoice it pays leaves no plan."""
    ref = invoiced_mission(store)
    store.set_payment_plan(ref, [Installment(date(2026, 5, 1), eur("700"))], on=date(2026, 4, 2))
    plan = store.set_payment_plan(
        ref,
        [Installment(date(2026, 5, 1), eur("100")), Installment(date(2026, 5, 20), eur("600"))],
        on=date(2026, 4, 3),
    )
    assert len(plan.installments) == 2
    store.issue_credit_note("2026-0001", "wrong amount", issued_on=date(2026, 4, 4))
    assert store.get_payment_plan(ref) is None
    with pytest.raises(ConflictError, match="nothing is due"):
        store.set_payment_plan(ref, [Installment(date(2026, 5, 1), eur("1"))], on=date(2026, 4, 4))


# --- late payment -------------------------------------------------------------------------------


def test_overdue_invoices_carry_interest_and_the_business_indemnity(store: Store) -> None:
    """On a fixed date: days late, balance x 12 % x days / 365, and 40 EUR for a business client only."""
    business = invoiced_mission(store)
    consumer = invoiced_mission(store, business=False)
    store.record_payment(business, Payment(eur("200"), date(2026, 4, 15)))
    assert store.overdue(date(2026, 5, 1)) == []
    items = store.overdue(date(2026, 5, 31))
    assert [(i.mission, i.kind, i.reference, i.days_late) for i in items] == [
        (business, "invoice", "2026-0001", 30),
        (consumer, "invoice", "2026-0002", 30),
    ]
    late_business, late_consumer = items
    assert (late_business.balance, late_business.interest, late_business.indemnity) == (
        eur("500"),
        eur("4.93"),
        eur("40"),
    )
    assert late_business.total == eur("544.93")
    assert (late_consumer.balance, late_consumer.interest, late_consumer.indemnity) == (
        eur("700"),
        eur("6.90"),
        eur("0"),
    )
    assert late_consumer.business is False


def test_the_overdue_report_reads_missions_in_chunks_and_misses_none(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accounts are read a chunk of missions at a time: with chunks of 2, five missions (paid,
    partly paid, on a plan, late) give the same report, and each mission its own figures."""
    refs = [invoiced_mission(store) for _ in range(5)]
    store.record_payment(refs[0], Payment(eur("700"), date(2026, 4, 20)))  # paid in full
    store.record_payment(refs[1], Payment(eur("200"), date(2026, 4, 20)))
    store.set_payment_plan(
        refs[2],
        [Installment(date(2026, 4, 15), eur("350")), Installment(date(2026, 5, 30), eur("350"))],
        on=date(2026, 4, 2),
    )
    whole = store.overdue(date(2026, 5, 31))
    balances = store.invoice_balances(on=date(2026, 5, 31))
    monkeypatch.setattr(missionflow.store.account_reads, "CHUNK", 2)
    assert store.overdue(date(2026, 5, 31)) == whole
    assert store.invoice_balances(on=date(2026, 5, 31)) == balances
    assert [(i.mission, i.kind, i.balance) for i in whole] == [
        (refs[2], "installment", eur("350")),
        (refs[1], "invoice", eur("500")),
        (refs[3], "invoice", eur("700")),
        (refs[4], "invoice", eur("700")),
        (refs[2], "installment", eur("350")),
    ]
    assert [b.status for b in balances] == ["paid", "overdue", "overdue", "overdue", "overdue"]


def test_a_plan_puts_its_installments_in_the_invoice_s_place(store: Store) -> None:
    """With a plan, the late installments are listed (the indemnity once), not the invoice they pay."""
    ref = invoiced_mission(store)
    store.set_payment_plan(
        ref,
        [Installment(date(2026, 4, 15), eur("350")), Installment(date(2026, 5, 15), eur("350"))],
        on=date(2026, 4, 2),
    )
    items = store.overdue(date(2026, 5, 25))
    assert [(i.kind, i.reference, i.days_late, i.balance, i.indemnity) for i in items] == [
        ("installment", f"{ref} #1", 40, eur("350"), eur("40")),
        ("installment", f"{ref} #2", 10, eur("350"), eur("0")),
    ]
    assert items[0].interest == eur("4.60")
