"""The rules of the trade (R1-R5, R7, R8, R10-R12 of DOMAIN.md), each told as a freelancer's story
and played through the public library API on a stored mission."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from missionflow import (
    ConflictError,
    InvalidValueError,
    Money,
    Store,
    TransitionBlockedError,
    TransitionNotAllowedError,
    testing,
)
from missionflow.freelance import (
    Contract,
    Criterion,
    Deliverable,
    Payment,
    Specification,
    parse_specification,
)
from missionflow.testing import EUR, MONDAY, eur

TODAY = MONDAY.date()

SPEC = Specification(
    objectives="A faster, accessible website",
    deliverables=(Deliverable("mockups"), Deliverable("website"), Deliverable("admin access", "access_code")),
    deadline=date(2026, 6, 1),
    budget=eur("4500"),
    acceptance="Lighthouse score over 90 on every page",
)


def lead(store: Store, client: str = "Atelier Dupont", **terms: object) -> str:
    """The story's lead: a 4500 EUR website redesign (30 % deposit by default) for a new client."""
    return testing.lead(store, client=client, title="Website redesign", amount="4500", **terms)


def signed(store: Store, ref: str, *, amount: str = "4500", acceptance_days: int | None = None) -> None:
    """Accept, write the story's specification and sign the contract."""
    testing.sign(store, ref, spec=SPEC, amount=amount, acceptance_days=acceptance_days, signed_by="Dupont")


def working(store: Store, ref: str, *, acceptance_days: int | None = None) -> None:
    """Signed, deposit paid and confirmed, work started."""
    signed(store, ref, acceptance_days=acceptance_days)
    testing.start(store, ref)


def deliver(store: Store, ref: str, name: str, at: datetime = MONDAY) -> None:
    testing.deliver(store, ref, name, at=at, actor="camille")


def reasons_of(error: pytest.ExceptionInfo[TransitionBlockedError]) -> tuple[str, ...]:
    return error.value.reasons


def test_r1_choose_who_you_work_with(store: Store) -> None:
    """A lead arrives whose budget does not match; accept is refused naming the failed must-have and
    the unanswered ones; a criterion that is not in the list is refused naming the known ones; once
    the budget is renegotiated and the need is clear, accept passes even though the project is not
    exciting (a nice-to-have)."""
    ref = lead(store)
    store.fire(ref, "qualify", at=MONDAY)
    store.answer_criterion(ref, "budget_fits", False, "half my day rate")
    store.answer_criterion(ref, "respectful", True)
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "accept", at=MONDAY)
    assert reasons_of(refused) == (
        "must-have criterion 'budget_fits' is not met; criterion 'clear_need' is not answered "
        "(Is the need clear enough to write a specification?)",
    )
    with pytest.raises(InvalidValueError) as unknown:
        store.answer_criterion(ref, "likes_cats", True)
    assert "budget_fits, respectful, clear_need, interesting" in str(unknown.value)

    store.answer_criterion(ref, "budget_fits", True, "renegotiated to my rate")
    store.answer_criterion(ref, "clear_need", True)
    store.answer_criterion(ref, "interesting", False)
    assert store.fire(ref, "accept", at=MONDAY).dest == "specification"


def test_r1_a_criterion_of_your_own_must_be_answered(store: Store) -> None:
    """The freelancer adds "pays on time" to her must-haves; a new lead cannot be accepted until she
    has answered it."""
    settings = store.get_settings()
    store.save_settings(
        settings.with_changes(
            criteria=(*settings.criteria, Criterion("pays_on_time", "Did they pay past invoices on time?"))
        )
    )
    ref = lead(store)
    store.fire(ref, "qualify", at=MONDAY)
    for name in ("budget_fits", "respectful", "clear_need"):
        store.answer_criterion(ref, name, True)
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "accept", at=MONDAY)
    assert reasons_of(refused) == (
        "criterion 'pays_on_time' is not answered (Did they pay past invoices on time?)",
    )
    store.answer_criterion(ref, "pays_on_time", True)
    assert store.fire(ref, "accept", at=MONDAY).dest == "specification"


def test_r2_refuse_an_ultra_tight_deadline_unless_a_rush_is_paid(store: Store) -> None:
    """The freelancer needs ten days for any site; a client wants it in four; accept is refused with
    the days counted; the client agrees to a 400 EUR rush surcharge and accept passes."""
    store.save_settings(store.get_settings().with_changes(minimum_lead_days=10))
    ref = lead(store, deadline=TODAY + timedelta(days=4))
    store.fire(ref, "qualify", at=MONDAY)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "accept", at=MONDAY)
    assert reasons_of(refused) == (
        "deadline 2026-03-06 is 4 days away, less than the minimum lead time of 10 days "
        "(record a rush surcharge to accept it)",
    )
    store.set_rush_surcharge(ref, eur("400"))
    assert store.fire(ref, "accept", at=MONDAY).dest == "specification"
    assert store.get_mission(ref).rush_surcharge == eur("400")


def test_r2_a_deadline_exactly_at_the_minimum_lead_time_is_fine(store: Store) -> None:
    """A deadline seven days away meets the default minimum of seven days without any surcharge."""
    ref = lead(store, deadline=TODAY + timedelta(days=7))
    testing.accept(store, ref)
    assert store.get_mission(ref).state == "specification"


def test_r3_the_specification_is_the_keystone(store: Store) -> None:
    """The client wants to sign on a one-line brief; the signature is refused naming every missing
    part and no contract is recorded; the freelancer writes the specification from her Markdown
    template; the contract is signed."""
    ref = lead(store)
    testing.accept(store, ref)
    store.set_specification(ref, Specification(objectives="A new website"))
    contract = Contract(eur("4500"), "CGV-2026-1", TODAY, "Dupont")
    with pytest.raises(TransitionBlockedError) as refused:
        store.sign_contract(ref, contract, at=MONDAY)
    assert reasons_of(refused) == (
        "specification incomplete: missing at least one deliverable, a deadline, a budget, acceptance criteria",
    )
    assert store.get_mission(ref).contract is None

    markdown = (
        "# Cahier des charges\n\n## Objectives\nA faster, accessible website\n\n"
        "## Deliverables\n- mockups\n- website\n\n## Access codes\n- admin access\n\n"
        "## Deadline\n2026-06-01\n\n## Budget\n4500 EUR\n\n"
        "## Acceptance criteria\nLighthouse score over 90 on every page\n"
    )
    store.set_specification(ref, parse_specification(markdown, EUR, markdown=True))
    assert store.get_mission(ref).specification == SPEC
    assert store.sign_contract(ref, contract, at=MONDAY).dest == "contract_signed"


def test_r4_a_written_contract_even_for_free_work(store: Store) -> None:
    """A friend's association asks for a free site; the freelancer still signs a contract, for an
    explicit 0 EUR under her terms and with no deposit (0 %); the amount comes back as 0, not missing,
    and with no deposit due the work starts right after the signature."""
    ref = lead(store, client="Les Amis du Quartier", deposit_percent=0)
    signed(store, ref, amount="0")
    mission = store.get_mission(ref)
    assert mission.contract == Contract(eur("0"), "CGV-2026-1", TODAY, "Dupont")
    assert mission.deposit_due == eur("0")
    assert store.fire(ref, "start_work", at=MONDAY).source == "contract_signed"


def test_r4_a_signed_quote_is_never_edited_only_amended(store: Store) -> None:
    """Mid-project the client asks for a blog section; the freelancer records a 600 EUR amendment
    with its reason; the signed contract stays exactly as signed and the amendment is its own
    record; an amendment that would take the price below 0, or one before any signature, is refused."""
    ref = lead(store)
    working(store, ref)
    original = store.get_mission(ref).contract
    amendment = store.amend_contract(ref, eur("600"), "a blog section, agreed by mail", at=MONDAY)
    assert store.get_mission(ref).contract == original
    assert store.list_amendments(ref) == [amendment]
    assert (amendment.kind, amendment.amount, amendment.reason) == (
        "amendment",
        eur("600"),
        "a blog section, agreed by mail",
    )
    with pytest.raises(InvalidValueError, match=re.escape("would fall to -100.00 EUR;")):
        store.amend_contract(ref, Money(eur("5200").amount * -1, EUR), "everything is free")
    with pytest.raises(InvalidValueError, match="reason"):
        store.amend_contract(ref, eur("100"), "  ")

    unsigned = lead(store, client="Globex")
    with pytest.raises(ConflictError, match="no signed contract to amend"):
        store.amend_contract(unsigned, eur("100"), "more pages")
    assert store.list_amendments(unsigned) == []


def test_r5_talk_money_early_and_ask_for_a_deposit(store: Store) -> None:
    """The freelancer asks a 40 % deposit on 2500 EUR; the client sends 600 and asks to confirm; the
    confirmation is refused with what is still due; the other 400 arrive and it is confirmed."""
    ref = lead(store, deposit_percent=40)
    testing.accept(store, ref)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(eur("2500"), "CGV-2026-1", TODAY), at=MONDAY)
    store.record_payment(ref, Payment(eur("600"), TODAY, "transfer", "VIR-1"))
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "confirm_deposit", at=MONDAY)
    assert reasons_of(refused) == (
        "deposit not received: 600.00 of 1,000.00 EUR (40 %), 400.00 EUR still due",
    )
    store.record_payment(ref, Payment(eur("400"), TODAY, "transfer", "VIR-2"))
    assert store.fire(ref, "confirm_deposit", at=MONDAY).dest == "deposit_received"


def test_r7_no_work_before_the_contract_and_the_deposit(store: Store) -> None:
    """The client asks to start on Monday before anything is signed: start_work is not even possible;
    once signed, it is refused with the amount still due and the deposit to confirm; the payment
    arrives, and work still cannot start straight from the signature; the deposit is confirmed and
    work starts."""
    ref = lead(store)
    testing.accept(store, ref)
    with pytest.raises(TransitionNotAllowedError):
        store.fire(ref, "start_work", at=MONDAY)
    store.set_specification(ref, SPEC)
    store.sign_contract(ref, Contract(eur("4500"), "CGV-2026-1", TODAY), at=MONDAY)
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "start_work", at=MONDAY)
    skipped = "a deposit of 30 % was agreed: confirm it (confirm_deposit) before starting work"
    assert reasons_of(refused) == (
        "deposit not received: 0.00 of 1,350.00 EUR (30 %), 1,350.00 EUR still due",
        skipped,
    )
    store.record_payment(ref, Payment(eur("1350"), TODAY, "transfer"))
    with pytest.raises(TransitionBlockedError) as unconfirmed:
        store.fire(ref, "start_work", at=MONDAY)
    assert reasons_of(unconfirmed) == (skipped,)
    assert store.fire(ref, "confirm_deposit", at=MONDAY).dest == "deposit_received"
    assert store.fire(ref, "start_work", at=MONDAY).dest == "in_progress"


def test_r8_corrections_within_a_frame(store: Store) -> None:
    """Two rounds are included; the client asks for corrections before anything is delivered (refused),
    uses both rounds, then asks a third (refused: all used); the freelancer agrees an extra round at
    250 EUR, recorded as an amendment, and the third round passes."""
    ref = lead(store, included_revisions=2)
    working(store, ref)
    with pytest.raises(TransitionBlockedError) as nothing:
        store.fire(ref, "request_revision", at=MONDAY)
    assert reasons_of(nothing) == ("nothing has been delivered yet",)
    for note in ("bigger logo", "other colours"):
        deliver(store, ref, "website")
        store.fire(ref, "request_revision", note=note, at=MONDAY, actor="client")
    deliver(store, ref, "website")
    with pytest.raises(TransitionBlockedError) as used:
        store.fire(ref, "request_revision", at=MONDAY)
    assert reasons_of(used) == (
        "all 2 revision rounds are used (2 included, 0 extra); agree an extra round first",
    )
    store.agree_extra_revision(ref, eur("250"), "a third round on the homepage")
    assert store.fire(ref, "request_revision", at=MONDAY).dest == "revisions"
    [extra] = store.list_amendments(ref)
    assert (extra.kind, extra.amount, extra.reason) == (
        "extra_revision",
        eur("250"),
        "a third round on the homepage",
    )


def test_r10_approval_waits_for_every_deliverable(store: Store) -> None:
    """The client wants to approve (and be invoiced) with the admin access still missing: invoicing
    is impossible before approval and approval is refused naming the access code; once it is handed
    over, the work is approved."""
    ref = lead(store)
    working(store, ref)
    deliver(store, ref, "mockups")
    deliver(store, ref, "website")
    with pytest.raises(TransitionNotAllowedError):
        store.fire(ref, "invoice", at=MONDAY)
    with pytest.raises(TransitionBlockedError) as refused:
        store.fire(ref, "approve", at=MONDAY, actor="client")
    assert reasons_of(refused) == ("not delivered yet: admin access (access code)",)
    deliver(store, ref, "admin access")
    assert store.fire(ref, "approve", at=MONDAY, actor="client").dest == "approved"


def test_r10_silence_after_the_acceptance_period_is_a_tacit_approval(store: Store) -> None:
    """The contract gives the client 15 days to answer a delivery; the client asks one correction,
    the freelancer delivers again and hears nothing; on day 14 tacit approval is refused with the
    date it becomes possible; on day 15 the mission is approved, noted "tacit approval"."""
    ref = lead(store)
    working(store, ref, acceptance_days=15)
    for name in ("mockups", "website", "admin access"):
        deliver(store, ref, name)
    store.fire(ref, "request_revision", note="bigger logo", at=MONDAY + timedelta(days=2), actor="client")
    with pytest.raises(TransitionBlockedError) as answered:
        store.approve_tacitly(ref, at=MONDAY + timedelta(days=30))
    assert reasons_of(answered) == (
        "tacit approval counts from a delivery, and nothing was delivered since the last revision request",
    )
    last = MONDAY + timedelta(days=3)
    deliver(store, ref, "website", at=last)
    with pytest.raises(TransitionBlockedError) as early:
        store.approve_tacitly(ref, at=last + timedelta(days=14))
    assert reasons_of(early) == (
        "tacit approval is possible from 2026-03-20 11:00, 15 days after the last delivery "
        "(2026-03-05 11:00) without an answer from the client",
    )
    record = store.approve_tacitly(ref, actor="camille", at=last + timedelta(days=15))
    assert (record.dest, record.note, dict(record.data)) == ("approved", "tacit approval", {"tacit": "yes"})


def test_r11_a_client_who_stops_respecting_you_can_be_dethroned(store: Store) -> None:
    """The client calls on Saturday for work due "yesterday"; a terminate without a reason is refused
    and blocks nobody; with the reason and the block, the mission ends and the client is blocked in
    the same step; their other lead can no longer be accepted and a new one not even qualified."""
    ref = lead(store, client="Globex")
    client = store.get_mission(ref).client.ref
    other = store.create_mission(client, "Logo", at=MONDAY).ref
    store.fire(other, "qualify", at=MONDAY)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(other, criterion.name, True)
    working(store, ref)

    with pytest.raises(TransitionBlockedError):
        store.fire(ref, "terminate", note=" ", block_client=True, at=MONDAY)
    assert not store.get_client(client).blocked

    why = "called on Saturday for work due yesterday"
    record = store.fire(ref, "terminate", note=why, block_client=True, at=MONDAY, actor="camille")
    assert (record.dest, record.note) == ("terminated", why)
    assert (store.get_client(client).blocked, store.get_client(client).blocked_reason) == (True, why)
    blocked = f"client Globex is blocked: {why}"
    with pytest.raises(TransitionBlockedError) as accept:
        store.fire(other, "accept", at=MONDAY)
    assert reasons_of(accept) == (blocked,)
    new = store.create_mission(client, "Another site", at=MONDAY).ref
    with pytest.raises(TransitionBlockedError) as qualify:
        store.fire(new, "qualify", at=MONDAY)
    assert reasons_of(qualify) == (blocked,)


def test_r11_decline_before_the_contract_terminate_after(store: Store) -> None:
    """Before a contract the freelancer declines (with a reason); after it she terminates; each exit
    is only possible on its side of the signature, and blocking the client only goes with an exit."""
    early = lead(store)
    store.fire(early, "qualify", at=MONDAY)
    with pytest.raises(TransitionNotAllowedError):
        store.fire(early, "terminate", note="too slow to answer", at=MONDAY)
    with pytest.raises(InvalidValueError, match="only a way out"):
        store.fire(early, "accept", block_client=True, at=MONDAY)
    assert store.fire(early, "decline", note="budget far too small", at=MONDAY).dest == "declined"

    late = lead(store, client="Initech")
    signed(store, late)
    with pytest.raises(TransitionNotAllowedError):
        store.fire(late, "decline", note="changed my mind", at=MONDAY)
    assert store.fire(late, "terminate", note="client vanished", at=MONDAY).dest == "terminated"
    assert not store.get_mission(late).client.blocked


def test_r12_requests_outside_working_hours_are_flagged_in_history(store: Store) -> None:
    """The freelancer works Monday to Friday, 9:00-18:00 in Paris; the client asks a correction on
    Saturday morning and another on Tuesday at 19:30: both are flagged in the stored history, the
    Monday steps are not; she then widens her hours to 8:00-20:00 and a delivery the next Tuesday at
    19:30 is no longer flagged; the chain with its flags verifies."""
    ref = lead(store)
    working(store, ref)
    saturday = datetime(2026, 3, 7, 9, 0, tzinfo=UTC)  # 10:00 in Paris, a Saturday
    tuesday_evening = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)  # 19:30 in Paris
    deliver(store, ref, "website")
    store.fire(ref, "request_revision", note="urgent!", at=saturday, actor="client")
    deliver(store, ref, "website", at=MONDAY + timedelta(days=7))
    store.fire(ref, "request_revision", note="still urgent", at=tuesday_evening, actor="client")
    flags = [(e.record.trigger, e.record.out_of_hours) for e in store.history(ref)[-4:]]
    assert flags == [
        ("deliver", False),
        ("request_revision", True),
        ("deliver", False),
        ("request_revision", True),
    ]
    assert not any(e.record.out_of_hours for e in store.history(ref)[:-4])

    store.save_settings(store.get_settings().with_changes(working_start=time(8), working_end=time(20)))
    deliver(store, ref, "website", at=tuesday_evening + timedelta(days=7))
    assert store.history(ref)[-1].record.out_of_hours is False
    assert store.verify(ref) == []
