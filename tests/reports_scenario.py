"""A freelancer's autumn, scripted through the public Store API, for the report tests.

Five clients, ten missions in nine states, deposits, final invoices, a credit note, a late
payer and a demanding client. The figures the tests expect are worked out by hand in
``tests/test_reports.py`` from the dates and amounts below; the report's moment is :data:`AT`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from missionflow import Money, Store
from missionflow.freelance import Contract, Deliverable, Payment, Settings, Specification
from missionflow.testing import add_client, eur, identify

AT = datetime(2026, 12, 15, 10, tzinfo=UTC)
"""When the reports are made: Tuesday 15 December 2026, 11:00 in Paris."""
FREELANCER = "Camille Martin"


def clock() -> datetime:
    """The store's clock while the autumn is written: it is :data:`AT` (steps after it would be in
    the future, and the store refuses those)."""
    return AT


MUST_HAVE = ("budget_fits", "respectful", "clear_need")


def moment(day: str, hour: int = 10) -> datetime:
    """``day`` (YYYY-MM-DD) at ``hour`` UTC; 10:00 UTC is within working hours in Paris."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def specification(*deliverables: Deliverable, budget: Money | None = None) -> Specification:
    """A complete specification with these deliverables."""
    return Specification(
        objectives="What the client needs",
        deliverables=deliverables,
        deadline=date(2027, 6, 30),
        budget=budget,
        acceptance="The client checks each deliverable",
    )


def ensure_final_invoice(store: Store, ref: str, at: datetime) -> None:
    """After ``invoice`` fired: the final invoice exists (issued by the store when it does so,
    else issued here the same way: the contract less deposit invoices, due 30 days later)."""
    invoices = store.list_invoices(ref)
    if any(i.kind == "final" for i in invoices):
        return
    mission = store.get_mission(ref)
    assert mission.contract is not None
    deposits = sum((i.total for i in invoices if i.kind == "deposit"), Money.zero(mission.currency))
    day = at.astimezone(UTC).date()
    store.issue_invoice(ref, "final", mission.contract.amount - deposits, day, day + timedelta(days=30))


def create(store: Store, client: str, title: str, day: str, amount: str, **options: object) -> str:
    """A new mission created on ``day`` (09:00 UTC)."""
    return store.create_mission(client, title, amount=eur(amount), at=moment(day, 9), **options).ref


def accept(store: Store, ref: str, day: str) -> None:
    """Qualify the lead, answer the must-have criteria and accept the mission on ``day``."""
    store.fire(ref, "qualify", actor=FREELANCER, at=moment(day))
    for criterion in MUST_HAVE:
        store.answer_criterion(ref, criterion, True)
    store.fire(ref, "accept", actor=FREELANCER, at=moment(day))


def sign(store: Store, ref: str, day: str, amount: str, *deliverables: Deliverable) -> None:
    """Write the specification and sign the contract on ``day``."""
    store.set_specification(ref, specification(*deliverables, budget=eur(amount)))
    contract = Contract(eur(amount), "CGV-2026", date.fromisoformat(day), signed_by="client")
    store.sign_contract(ref, contract, actor=FREELANCER, at=moment(day))


def pay(store: Store, ref: str, amount: str, day: str) -> None:
    """Money received on ``day``."""
    store.record_payment(ref, Payment(eur(amount), date.fromisoformat(day), "transfer"))


def fire(store: Store, ref: str, trigger: str, day: str, hour: int = 10, **options: object) -> None:
    """Fire ``trigger`` on ``day`` (``invoice`` leaves the final invoice issued)."""
    at = moment(day, hour)
    store.fire(ref, trigger, actor=FREELANCER, at=at, **options)
    if trigger == "invoice":
        ensure_final_invoice(store, ref, at)


def build(store: Store) -> None:
    """Fill an empty store with the autumn: missions M-1 to M-10 are created first, then their
    events follow (invoices in date order: they share one numbered series)."""
    store.save_settings(Settings(name=FREELANCER))
    identify(store, name=FREELANCER)
    dupont = add_client(store, "Atelier Dupont", language="en").ref  # C-1
    lune = add_client(store, "Brasserie Lune", language="en").ref  # C-2
    morel = add_client(store, "Cabinet Morel", language="en").ref  # C-3
    petit = add_client(store, "Dr Petit", language="en").ref  # C-4
    nord = add_client(store, "Studio Nord", language="en").ref  # C-5
    m1 = create(store, dupont, "Website redesign", "2026-10-01", "10000")
    m2 = create(store, dupont, "Logo", "2026-12-01", "1500")
    m3 = create(store, lune, "Menu design", "2026-10-05", "4000")
    m4 = create(store, morel, "Annual report", "2026-10-12", "2000")
    m5 = create(store, petit, "Landing page", "2026-11-23", "1000", deposit_percent=Decimal(0))
    m6 = create(store, nord, "Brochure", "2026-11-10", "800")
    m7 = create(store, nord, "Video", "2026-11-10", "5000")
    create(store, petit, "Newsletter", "2026-12-10", "600")  # M-8: a new lead, never touched
    m9 = create(store, lune, "Online shop", "2026-12-11", "8000")
    m10 = create(store, dupont, "Catalogue", "2026-12-07", "6000")

    # M-1, Atelier Dupont: the model client. Deposit invoice paid early; final invoice paid on time.
    accept(store, m1, "2026-10-01")
    sign(store, m1, "2026-10-02", "10000", Deliverable("website"))
    store.issue_invoice(m1, "deposit", eur("3000"), date(2026, 10, 2), date(2026, 10, 16))
    pay(store, m1, "3000", "2026-10-05")
    fire(store, m1, "confirm_deposit", "2026-10-05")
    fire(store, m1, "start_work", "2026-10-06")
    fire(store, m1, "deliver", "2026-10-27", data={"deliverable": "website"})
    fire(store, m1, "approve", "2026-10-28")
    fire(store, m1, "invoice", "2026-11-02")  # final 7,000, due 2026-12-02
    pay(store, m1, "7000", "2026-11-20")
    fire(store, m1, "settle", "2026-11-20")

    # M-2, Atelier Dupont: accepted on 1 December, the specification is being written.
    accept(store, m2, "2026-12-01")

    # M-3, Brasserie Lune: a deposit without a deposit invoice, then only part of the final invoice.
    accept(store, m3, "2026-10-05")
    sign(store, m3, "2026-10-06", "4000", Deliverable("menu"))
    pay(store, m3, "1200", "2026-10-09")
    fire(store, m3, "confirm_deposit", "2026-10-09")
    fire(store, m3, "start_work", "2026-10-09")
    fire(store, m3, "deliver", "2026-10-23", data={"deliverable": "menu"})
    fire(store, m3, "approve", "2026-10-26")
    fire(store, m3, "invoice", "2026-11-05")  # final 4,000, due 2026-12-05
    pay(store, m3, "1000", "2026-12-01")

    # M-6, Studio Nord: declined as a lead. M-7: a deposit invoice never paid, then terminated.
    fire(store, m6, "decline", "2026-11-10", note="Budget too small")
    accept(store, m7, "2026-11-10")
    sign(store, m7, "2026-11-12", "5000", Deliverable("video"))
    deposit = store.issue_invoice(m7, "deposit", eur("1500"), date(2026, 11, 12), date(2026, 11, 26))

    # M-4, Cabinet Morel: two revision rounds asked out of hours, paid on time.
    accept(store, m4, "2026-10-12")
    sign(store, m4, "2026-10-13", "2000", Deliverable("report"))
    pay(store, m4, "600", "2026-10-14")
    fire(store, m4, "confirm_deposit", "2026-10-14")
    fire(store, m4, "start_work", "2026-10-15")
    fire(store, m4, "deliver", "2026-10-30", data={"deliverable": "report"})
    fire(store, m4, "request_revision", "2026-10-31", note="Saturday morning call")  # a Saturday
    fire(store, m4, "deliver", "2026-11-06", data={"deliverable": "report"})
    fire(store, m4, "request_revision", "2026-11-08", hour=20, note="Sunday evening email")  # a Sunday
    fire(store, m4, "deliver", "2026-11-13", data={"deliverable": "report"})
    fire(store, m4, "approve", "2026-11-16")
    fire(store, m4, "invoice", "2026-11-20")  # final 2,000, due 2026-12-20
    pay(store, m4, "1400", "2026-12-10")
    fire(store, m4, "settle", "2026-12-10")

    # M-5, Dr Petit: no deposit, in progress, the access code still to hand over.
    accept(store, m5, "2026-11-23")
    sign(store, m5, "2026-11-24", "1000", Deliverable("page"), Deliverable("hosting access", "access_code"))
    fire(store, m5, "start_work", "2026-11-24")
    fire(store, m5, "deliver", "2026-12-01", data={"deliverable": "page"})

    # M-7 ends: terminated, and its unpaid deposit invoice cancelled by a credit note.
    fire(store, m7, "terminate", "2026-12-01", note="No deposit after three reminders")
    store.issue_invoice(
        m7, "credit", eur("1500"), date(2026, 12, 1), date(2026, 12, 1), references=deposit.number
    )

    # M-9, Brasserie Lune: being checked.
    fire(store, m9, "qualify", "2026-12-11")

    # M-10, Atelier Dupont: signed, waiting for the rest of the deposit (1,800 asked, 500 paid).
    accept(store, m10, "2026-12-07")
    sign(store, m10, "2026-12-08", "6000", Deliverable("catalogue"))
    pay(store, m10, "500", "2026-12-09")


DEFAULT_PATH = (
    "lead",
    "criteria_check",
    "specification",
    "contract_signed",
    "deposit_received",
    "in_progress",
    "revisions",
    "approved",
    "invoiced",
    "paid",
)


def mission_in(store: Store, client: str, state: str, at: datetime) -> str:
    """A 4,500 EUR mission (30 % deposit, mockups and an admin access code) walked to ``state``
    of the default workflow, every step at ``at``; ``declined`` leaves from ``lead`` and
    ``terminated`` from ``contract_signed``."""
    ref = store.create_mission(client, f"Mission to {state}", amount=eur("4500"), at=at).ref
    if state == "declined":
        store.fire(ref, "decline", at=at, note="Budget too small")
        return ref
    target = "contract_signed" if state == "terminated" else state
    reached = DEFAULT_PATH.index(target)

    def step(trigger: str, **options: object) -> None:
        store.fire(ref, trigger, actor=FREELANCER, at=at, **options)

    if reached >= 1:
        step("qualify")
    if reached >= 2:
        for criterion in MUST_HAVE:
            store.answer_criterion(ref, criterion, True)
        step("accept")
    if reached >= 3:
        store.set_specification(
            ref,
            specification(
                Deliverable("mockups"), Deliverable("admin access", "access_code"), budget=eur("4500")
            ),
        )
        store.sign_contract(ref, Contract(eur("4500"), "CGV-2026", at.date()), at=at)
    if reached >= 4:
        pay(store, ref, "1350", at.date().isoformat())
        step("confirm_deposit")
    if reached >= 5:
        step("start_work")
    if reached >= 6:
        step("deliver", data={"deliverable": "mockups"})
        step("deliver", data={"deliverable": "admin access"})
    if target == "revisions":
        step("request_revision", note="Bigger logo")
    if reached >= 7 and target != "revisions":
        step("approve")
    if reached >= 8:
        step("invoice")
        ensure_final_invoice(store, ref, at)
    if reached >= 9:
        pay(store, ref, "3150", at.date().isoformat())
        step("settle")
    if state == "terminated":
        step("terminate", note="The client stopped answering")
    return ref
