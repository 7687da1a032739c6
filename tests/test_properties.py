"""The promises of the default workflow hold for any sequence of triggers and changes of facts.

No work before a signed contract and the deposit (and not straight from the signature when a
deposit was agreed), no invoice before approval, a history that replays to the current state, and
refusals that change nothing.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from missionflow import (
    Money,
    TransitionBlockedError,
    TransitionError,
    TransitionNotAllowedError,
    TransitionRecord,
    fire,
    load_workflow,
    triggers,
)
from missionflow.freelance import (
    Client,
    Contract,
    CriterionAnswer,
    Deliverable,
    InvoiceSummary,
    Mission,
    Payment,
    Specification,
)
from missionflow.workflow import workflow_for

DEFINITION = load_workflow("freelance-mission")
TIMED = {t.trigger for t in DEFINITION.transitions if t.timed}
# Only `tick` fires a timed trigger (by hand it is always refused, see test_tick): the random runs
# spend their steps on the triggers a person fires.
ALL_TRIGGERS = [trigger for trigger in DEFINITION.triggers if trigger not in TIMED]
START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
CRITERIA = ["budget_fits", "respectful", "clear_need", "interesting"]
DELIVERABLES = [Deliverable("logo"), Deliverable("site"), Deliverable("admin password", "access_code")]
NAMES = [d.name for d in DELIVERABLES] + ["video", ""]
EXITS = {"declined", "terminated"}
TERMINABLE = set(next(t for t in DEFINITION.transitions if t.trigger == "terminate").sources)

REACHED: set[str] = set()
"""Every state the random runs entered, to check that they explore the whole lifecycle."""

cents = st.decimals(min_value=0, max_value=6000, places=2, allow_nan=False, allow_infinity=False)


@seed(20261130)  # a fixed exploration, whatever else the run collects (derandomize is not)
class MissionLifecycle(RuleBasedStateMachine):
    """One in-memory mission under freelance-mission, driven by random triggers and facts."""

    def __init__(self) -> None:
        super().__init__()
        self.mission = Mission(ref="M-P", workflow="freelance-mission", state="lead", client=Client("Acme"))
        self.now = START
        self.workflow = workflow_for(self.mission)

    @initialize(ready=st.booleans(), pay_deposit=st.booleans())
    def start(self, ready: bool, pay_deposit: bool) -> None:
        """Half of the runs start with the facts in place, so that they get deep quickly."""
        if ready:
            self.make_ready(pay_deposit)

    # --- firing -------------------------------------------------------------------------------

    def _fire(self, trigger: str, note: str, data: dict[str, str]) -> None:
        mission = self.mission
        before_state = mission.state
        before_history = list(mission.history)
        contract_before = mission.contract
        paid_before, due_before = mission.paid_total, mission.deposit_due
        percent_before = mission.deposit_percent
        refused: TransitionError | None = None
        try:
            record = fire(mission, trigger, actor="prop", note=note, at=self.now, data=data)
        except (TransitionBlockedError, TransitionNotAllowedError) as exc:
            refused = exc
        if refused is not None:
            # a refusal changes nothing, and says why
            assert mission.state == before_state
            assert mission.history == before_history
            if isinstance(refused, TransitionBlockedError):
                assert refused.failed
                assert all(r.reason for r in refused.failed)
            return
        assert record is mission.history[-1]
        assert mission.history[:-1] == before_history
        assert (record.source, record.dest) == (before_state, mission.state)
        if record.dest == "in_progress" and record.source != "in_progress":
            # R7: no work without a signed contract and the deposit, at that very moment
            assert contract_before is not None
            assert paid_before.amount >= due_before.amount
            # R5: the deposit step is skipped only when no deposit was agreed
            assert record.source != "contract_signed" or percent_before == 0
        if record.dest == "invoiced" and record.source != "invoiced":
            assert record.source == "approved"  # R10
        if record.trigger == "request_revision":
            rounds_and_deliveries = [
                r for r in before_history if r.trigger == "request_revision" or r.delivery is not None
            ]
            assert rounds_and_deliveries
            assert rounds_and_deliveries[-1].delivery is not None
        REACHED.add(mission.state)

    @rule(trigger=st.sampled_from(ALL_TRIGGERS), note=st.sampled_from(["", "", "client left"]))
    def fire_any(self, trigger: str, note: str) -> None:
        """Fire any trigger of the workflow, possible from here or not."""
        self._fire(trigger, note, {})

    @rule(index=st.integers(min_value=0, max_value=20))
    def fire_possible(self, index: int) -> None:
        """Fire one of the triggers that leave the current state (without a reason)."""
        possible = self.workflow.allowed_triggers(self.mission.state)
        if possible:
            self._fire(possible[index % len(possible)], "", {})

    @rule(picks=st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=8))
    def proceed(self, picks: list[int]) -> None:
        """Fire a few triggers that the guards allow right now, as a person moving on would."""
        for pick in picks:
            options: list[tuple[str, dict[str, str]]] = [
                (o.trigger, {})
                for o in triggers(self.mission, at=self.now)
                if o.allowed and o.dest not in EXITS
            ]
            if "deliver" in self.workflow.allowed_triggers(self.mission.state) and self.mission.specification:
                delivered = {name for name, _ in self.mission.deliveries()}
                options += [
                    ("deliver", {"deliverable": d.name})
                    for d in self.mission.specification.deliverables
                    if d.name not in delivered
                ]
            if not options:
                return
            trigger, data = options[pick % len(options)]
            self._fire(trigger, "", data)

    @precondition(lambda self: self.mission.state in TERMINABLE)
    @rule()
    def end_collaboration(self) -> None:
        """Terminate after the contract, with a reason (R11)."""
        self._fire("terminate", "client stopped answering", {})

    @rule()
    def deliver_everything(self) -> None:
        """Hand over every deliverable of the specification, one after the other."""
        if self.mission.specification is not None:
            for deliverable in self.mission.specification.deliverables:
                self._fire("deliver", "", {"deliverable": deliverable.name})

    @rule(name=st.sampled_from(NAMES))
    def deliver(self, name: str) -> None:
        """Hand over a deliverable (or something that is not one)."""
        self._fire("deliver", "", {"deliverable": name})

    @rule(trigger=st.sampled_from(ALL_TRIGGERS), name=st.sampled_from(NAMES), tacit=st.booleans())
    def fire_with_data(self, trigger: str, name: str, tacit: bool) -> None:
        """Fire any trigger with a deliverable in its data (and maybe a tacit approval)."""
        data = {"deliverable": name, **({"tacit": "yes"} if tacit else {})}
        self._fire(trigger, "", data)

    @rule()
    def check_options(self) -> None:
        """Listing the options changes nothing and agrees with the definition."""
        before = copy.deepcopy(self.mission)
        options = triggers(self.mission, at=self.now)
        assert self.mission == before
        assert [o.trigger for o in options] == self.workflow.allowed_triggers(self.mission.state)

    # --- changes of facts ---------------------------------------------------------------------

    @rule(amount=cents)
    def add_payment(self, amount: Decimal) -> None:
        """The client pays something."""
        self.mission.payments.append(Payment(Money(amount, "EUR"), self.now.date()))

    @rule(criterion=st.sampled_from(CRITERIA), met=st.booleans())
    def answer_criterion(self, criterion: str, met: bool) -> None:
        """The freelancer answers one criterion."""
        self.mission.criteria_answers[criterion] = CriterionAnswer(criterion, met)

    @rule(
        objectives=st.sampled_from(["", "a new site"]),
        count=st.integers(min_value=0, max_value=3),
        dated=st.booleans(),
        budget=st.none() | cents,
        acceptance=st.sampled_from(["", "signed off page by page"]),
    )
    def set_specification(
        self, objectives: str, count: int, dated: bool, budget: Decimal | None, acceptance: str
    ) -> None:
        """The specification is written (completely or not)."""
        self.mission.specification = Specification(
            objectives=objectives,
            deliverables=tuple(DELIVERABLES[:count]),
            deadline=(self.now + timedelta(days=40)).date() if dated else None,
            budget=Money(budget, "EUR") if budget is not None else None,
            acceptance=acceptance,
        )

    @rule(amount=st.none() | cents, acceptance_days=st.none() | st.integers(min_value=1, max_value=30))
    def set_contract(self, amount: Decimal | None, acceptance_days: int | None) -> None:
        """The contract is recorded, changed or taken away."""
        self.mission.contract = (
            None
            if amount is None
            else Contract(Money(amount, "EUR"), "CGV-2025", self.now.date(), acceptance_days=acceptance_days)
        )

    @rule(percent=st.sampled_from([Decimal(0), Decimal(30), Decimal("33.33"), Decimal(100)]))
    def set_deposit_percent(self, percent: Decimal) -> None:
        """The deposit percentage is changed."""
        self.mission.deposit_percent = percent

    @rule(days=st.none() | st.integers(min_value=-5, max_value=60), rush=st.booleans())
    def set_deadline(self, days: int | None, rush: bool) -> None:
        """The client asks for a deadline (maybe with a rush surcharge)."""
        self.mission.deadline = None if days is None else (self.now + timedelta(days=days)).date()
        self.mission.rush_surcharge = Money.of("200", "EUR") if rush else None

    @rule(blocked=st.booleans())
    def block_client(self, blocked: bool) -> None:
        """The client is blocked or unblocked."""
        self.mission.client = replace(
            self.mission.client, blocked=blocked, blocked_reason="rude" if blocked else ""
        )

    @rule(amount=cents, credit=st.booleans())
    def add_invoice(self, amount: Decimal, credit: bool) -> None:
        """A final invoice is issued, or a credit note cancels the last invoice that stands."""
        number = f"F-{len(self.mission.invoices) + 1}"
        live = self.mission.live_invoices()
        if credit and live:
            cancelled = live[-1]
            self.mission.invoices.append(InvoiceSummary(number, "credit", cancelled.total, cancelled.number))
        else:
            self.mission.invoices.append(InvoiceSummary(number, "final", Money(amount, "EUR")))

    @rule()
    def pay_the_balance(self) -> None:
        """The final invoice is issued if none is, and the client pays whatever is still due."""
        mission = self.mission
        if not any(i.kind == "final" for i in mission.live_invoices()):
            total = mission.agreed_amount or Money.of("4500", "EUR")
            mission.invoices.append(InvoiceSummary(f"F-{len(mission.invoices) + 1}", "final", total))
        missing = mission.balance.amount
        if missing > 0:
            mission.payments.append(Payment(Money(missing, "EUR"), self.now.date()))

    @rule()
    def agree_extra_round(self) -> None:
        """An extra revision round is agreed."""
        self.mission.extra_revisions += 1

    @rule(hours=st.integers(min_value=0, max_value=24 * 20))
    def move_time(self, hours: int) -> None:
        """Time passes."""
        self.now += timedelta(hours=hours)

    @rule(pay_deposit=st.booleans())
    def make_ready(self, pay_deposit: bool = True) -> None:
        """Every fact falls into place at once (the deposit maybe not), so that runs get deep."""
        mission = self.mission
        for name in CRITERIA:
            mission.criteria_answers[name] = CriterionAnswer(name, True)
        mission.client = replace(mission.client, blocked=False)
        mission.deadline = (self.now + timedelta(days=30)).date()
        mission.specification = Specification(
            "a new site", tuple(DELIVERABLES), mission.deadline, Money.of("4500", "EUR"), "signed off"
        )
        mission.contract = Contract(Money.of("4500", "EUR"), "CGV-2025", self.now.date())
        missing = mission.deposit_due.amount - mission.paid_total.amount
        if pay_deposit and missing > 0:
            mission.payments.append(Payment(Money(missing, "EUR"), self.now.date()))

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def history_replays_to_the_current_state(self) -> None:
        """Replaying the records from the initial state ends in the mission's state."""
        state = DEFINITION.initial
        for record in self.mission.history:
            assert record.source == state
            allowed = {t.trigger: t for t in DEFINITION.transitions_from(state)}
            assert record.trigger in allowed
            assert record.dest == allowed[record.trigger].dest_from(state)
            state = record.dest
        assert state == self.mission.state

    @invariant()
    def invoiced_only_after_approved(self) -> None:
        """Every entry into invoiced comes straight from approved."""
        assert all(r.source == "approved" for r in self.mission.history if r.dest == "invoiced")


def test_the_promises_hold_for_random_lifecycles() -> None:
    """Random triggers and facts never break R7, R10, replay or refusal without change."""
    REACHED.clear()
    run_state_machine_as_test(
        MissionLifecycle,
        settings=settings(
            max_examples=200,
            stateful_step_count=50,
            deadline=None,
            database=None,  # the seed above fixes the exploration; no replay of an earlier run
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The runs must get deep into the lifecycle, or the assertions above prove little.
    assert {"in_progress", "revisions", "approved", "invoiced"} <= REACHED


def test_the_rules_can_walk_to_paid_and_to_terminated() -> None:
    """Driven by hand, the same rules reach paid and terminated with every invariant holding."""
    paid = MissionLifecycle()
    paid.make_ready()
    paid.proceed([0, 0, 0, 0, 0])  # qualify, accept, sign_contract, confirm_deposit, start_work
    assert paid.mission.state == "in_progress"
    paid.deliver("logo")
    paid.fire_any("request_revision", "")
    paid.deliver_everything()
    paid.proceed([0] * 8)
    paid.pay_the_balance()
    paid.proceed([0])
    paid.history_replays_to_the_current_state()
    paid.invoiced_only_after_approved()
    assert paid.mission.state == "paid"
    assert [r.trigger for r in paid.mission.history][-3:] == ["approve", "invoice", "settle"]

    ended = MissionLifecycle()
    ended.make_ready()
    ended.proceed([0, 0, 0])
    ended.end_collaboration()
    ended.history_replays_to_the_current_state()
    assert ended.mission.state == "terminated"


def test_replay_detects_a_forged_history() -> None:
    """The replay invariant fails on a history whose records do not chain, so it can catch a bug."""
    lifecycle = MissionLifecycle()
    fire(lifecycle.mission, "qualify", at=START)
    lifecycle.mission.history.append(
        TransitionRecord("invoice", "approved", "invoiced", "forger", START)  # does not chain
    )
    try:
        lifecycle.history_replays_to_the_current_state()
    except AssertionError:
        pass
    else:  # pragma: no cover - reached only if the invariant is broken
        raise AssertionError("a forged history replayed")
