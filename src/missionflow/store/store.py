"""The Store: one object an application holds to keep missions in a database. The generic core
(subjects, the fire, history, facts providers, transactions) is :class:`SubjectStore`; each job of
the trade lives in its own module (clients, missions, terms, payments, invoices, accounts); this
class composes them into one flat API, each method a single call into its module. Timers, ``tick``
and moves to another workflow version are the core's (see ``store_timers``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from missionflow.freelance import (
    DEFAULT_WORKFLOW,
    Amendment,
    ClientRecord,
    Contract,
    Installment,
    InvoiceBalance,
    InvoiceRecord,
    Mission,
    OverdueItem,
    Payment,
    PaymentPlan,
    Settings,
    Specification,
)
from missionflow.freelance.vocabulary import ISSUE_FINAL_INVOICE, LETTER_EFFECTS
from missionflow.money import Money
from missionflow.store import rows
from missionflow.store.accounts import Accounts
from missionflow.store.clients import ClientBook
from missionflow.store.core import SubjectStore
from missionflow.store.correspondence import Correspondence
from missionflow.store.firing import AppConnection, EffectFactory
from missionflow.store.invoices import FinalInvoice, Invoices
from missionflow.store.ledger_keys import KeyRing
from missionflow.store.letters import LetterEffect, Letters
from missionflow.store.missions import MissionBook
from missionflow.store.payments import Payments
from missionflow.store.quotes import Quotes
from missionflow.store.records import MissionSummary
from missionflow.store.terms import Terms
from missionflow.workflow import Hooks, TransitionRecord


class Store(SubjectStore, Correspondence):
    """Missions, clients and their records in SQLite or PostgreSQL, beside subjects of any
    workflow (see SubjectStore); every change is one transaction, or part of the application's.
    Quotes and the documents a client receives are in ClientDocuments, reminder letters and
    e-mailing documents in Correspondence.

    >>> from missionflow import open_store
    >>> with open_store("sqlite://") as store:
    ...     client = store.add_client("Acme")
    ...     mission = store.create_mission(client.ref, "Logo")
    ...     store.fire(mission.ref, "qualify", actor="me").dest
    'criteria_check'
    """

    def __init__(
        self,
        engine: Engine,
        url: URL,
        *,
        owns_engine: bool,
        hooks: Hooks | None = None,
        allow_async: bool = False,
        app_connection: AppConnection | None = None,
        clock: Callable[[], datetime] | None = None,
        ledger_key: KeyRing | None = None,
    ) -> None:
        super().__init__(
            engine,
            url,
            owns_engine=owns_engine,
            hooks=hooks,
            allow_async=allow_async,
            app_connection=app_connection,
            clock=clock,
            ledger_key=ledger_key,
        )
        self._invoices = Invoices(self._db, self._firing)
        self._clients = ClientBook(self._db)
        self._missions = MissionBook(self._db)
        self._terms = Terms(self._db, self._firing)
        self._payments = Payments(self._db)
        self._accounts = Accounts(self._db)
        self._quotes = Quotes(self._db, self._terms)
        self._letters = Letters(self._db)

    def _store_effects(self) -> Mapping[str, EffectFactory]:
        effects: dict[str, EffectFactory] = {ISSUE_FINAL_INVOICE: partial(FinalInvoice, self._db)}
        for name, kind in LETTER_EFFECTS.items():
            effects[name] = partial(LetterEffect, kind)
        return effects

    def get_settings(self) -> Settings:
        """The freelancer's settings (the defaults until some are saved)."""
        with self._db.reading() as session:
            return rows.settings(session)

    def save_settings(self, settings: Settings) -> None:
        """Replace the settings."""
        with self._db.writing() as session:
            rows.save_settings(session, settings)

    def add_client(
        self,
        name: str,
        *,
        email: str = "",
        company: str = "",
        business: bool = True,
        force: bool = False,
        **details: object,
    ) -> ClientRecord:
        """Record a new client ("C-1"...); one matching a blocked client is refused unless ``force``;
        ``details`` as in :meth:`edit_client` (address, siren, language...)."""
        return self._clients.add(
            name, email=email, company=company, business=business, force=force, **details
        )

    def get_client(self, ref: str) -> ClientRecord:
        """The client with this reference; ClientNotFoundError when there is none."""
        return self._clients.get(ref)

    def list_clients(self) -> list[ClientRecord]:
        """Every client, by name."""
        return self._clients.list_all()

    def block_client(self, ref: str, reason: str) -> ClientRecord:
        """Block a client (R11): new leads from them cannot be qualified or accepted."""
        return self._clients.set_blocked(ref, True, reason)

    def unblock_client(self, ref: str) -> ClientRecord:
        """Lift a client's block."""
        return self._clients.set_blocked(ref, False)

    def create_mission(
        self,
        client: str | None,
        title: str,
        *,
        workflow: str = DEFAULT_WORKFLOW,
        version: int | None = None,
        amount: Money | None = None,
        currency: str | None = None,
        deposit_percent: Decimal | None = None,
        included_revisions: int | None = None,
        deadline: date | None = None,
        sessions_planned: int = 0,
        at: datetime | None = None,
    ) -> Mission:
        """Open a new mission for a client in its workflow's initial state, under the workflow's
        newest version unless ``version`` names another (see MissionBook.create)."""
        return self._missions.create(
            client,
            title,
            workflow=workflow,
            version=version,
            amount=amount,
            currency=currency,
            deposit_percent=deposit_percent,
            included_revisions=included_revisions,
            deadline=deadline,
            sessions_planned=sessions_planned,
            at=at,
        )

    def get_mission(self, ref: str) -> Mission:
        """The whole mission: its terms, the records guards read and its history."""
        return self._missions.get(ref)

    def get_missions(self, *, state: str | None = None, client: str | None = None) -> list[Mission]:
        """Every mission in full, read in one transaction (optionally one state's or client's)."""
        return self._missions.get_many(state=state, client=client)

    def list_missions(
        self,
        *,
        state: str | None = None,
        client: str | None = None,
        workflow: str | None = None,
        limit: int | None = None,
    ) -> list[MissionSummary]:
        """Missions, most recently updated first, optionally of one state, client or workflow."""
        return self._missions.list_all(state=state, client=client, workflow=workflow, limit=limit)

    def count_by_state(self) -> dict[str, int]:
        """How many missions are in each state (states with none are left out)."""
        return self._missions.count_by_state()

    def fire(
        self,
        ref: str,
        trigger: str,
        *,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
        data: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        block_client: bool = False,
    ) -> TransitionRecord:
        """Fire ``trigger`` on a mission: the new state, its history entry and the effects the
        transition declares (the final invoice) are written together, or nothing is.

        TransitionNotAllowedError, TransitionBlockedError, or ConcurrentUpdateError when another
        writer changed the mission in between. The same ``idempotency_key`` again returns the first
        record. ``block_client`` (only with a way out into an exit state) blocks the client in the
        same transaction, the note as the reason (R11). Hooks run around it (see Hooks).
        """
        if not block_client:
            return super().fire(
                ref, trigger, actor=actor, note=note, at=at, data=data, idempotency_key=idempotency_key
            )
        extras = [ClientBook.block_with_exit(ref, trigger, note)]
        return self._firing.fire(
            ref,
            trigger,
            actor=actor,
            note=note,
            at=at,
            data=data,
            idempotency_key=idempotency_key,
            extras=extras,
        )

    def answer_criterion(self, ref: str, criterion: str, met: bool, note: str = "") -> None:
        """Record whether a client criterion of the settings is met for this mission (R1)."""
        self._terms.answer_criterion(ref, criterion, met, note)

    def set_specification(self, ref: str, spec: Specification) -> None:
        """Record (or replace) the mission's specification and its deliverables (R3)."""
        self._terms.set_specification(ref, spec)

    def sign_contract(
        self, ref: str, contract: Contract, *, actor: str = "", note: str = "", at: datetime | None = None
    ) -> TransitionRecord:
        """Record the signed contract and fire the signature in one transaction (R4)."""
        return self._terms.sign_contract(ref, contract, actor=actor, note=note, at=at)

    def approve_tacitly(self, ref: str, *, actor: str = "", at: datetime | None = None) -> TransitionRecord:
        """Fire the approval on the client's silence once the acceptance period is over (R10)."""
        return self._terms.approve_tacitly(ref, actor=actor, at=at)

    def deliver(
        self, ref: str, deliverable: str, *, actor: str = "", note: str = "", at: datetime | None = None
    ) -> TransitionRecord:
        """Hand over one deliverable of the specification (the transition the workflow tags ``delivery``)."""
        return self._terms.deliver(ref, deliverable, actor=actor, note=note, at=at)

    def agree_extra_revision(
        self, ref: str, amount: Money, note: str = "", *, at: datetime | None = None
    ) -> None:
        """Agree one more revision round (R8), recorded as an amendment with its price."""
        self._terms.agree_extra_revision(ref, amount, note, at=at)

    def set_rush_surcharge(self, ref: str, amount: Money) -> None:
        """Agree a rush surcharge, which lets a mission with a tight deadline be accepted (R2)."""
        self._terms.set_rush_surcharge(ref, amount)

    def amend_contract(
        self, ref: str, amount: Money, reason: str, *, at: datetime | None = None
    ) -> Amendment:
        """Record an agreed change to the signed contract (R4); the contract itself stays as signed."""
        return self._terms.amend_contract(ref, amount, reason, at=at)

    def list_amendments(self, ref: str) -> list[Amendment]:
        """The amendments of the mission's contract (extra revision rounds included), in the order agreed."""
        return self._terms.list_amendments(ref)

    def record_payment(self, ref: str, payment: Payment, *, idempotency_key: str | None = None) -> Payment:
        """Record money received (R5, R6), once per ``idempotency_key`` (see Payments.record)."""
        return self._payments.record(ref, payment, idempotency_key=idempotency_key)

    def issue_invoice(
        self,
        ref: str,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        references: str | None = None,
        lines: list[dict[str, object]] | None = None,
    ) -> InvoiceRecord:
        """Issue an invoice or a credit note, numbered in its year's gapless series."""
        return self._invoices.issue(ref, kind, total, issued_on, due_on, references, lines)

    def fire_with_invoice(
        self,
        ref: str,
        trigger: str,
        *,
        kind: str,
        total: Money,
        issued_on: date,
        due_on: date,
        lines: list[dict[str, object]] | None = None,
        actor: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> tuple[TransitionRecord, InvoiceRecord]:
        """Issue an invoice and fire ``trigger`` in one transaction (the guards see the invoice)."""
        return self._invoices.fire_with_invoice(
            ref,
            trigger,
            kind=kind,
            total=total,
            issued_on=issued_on,
            due_on=due_on,
            lines=lines,
            actor=actor,
            note=note,
            at=at,
        )

    def issue_deposit_invoice(self, ref: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Issue the deposit invoice (facture d'acompte) of a signed contract."""
        return self._invoices.issue_deposit(ref, issued_on=issued_on)

    def issue_final_invoice(
        self, ref: str, *, actor: str = "", note: str = "", at: datetime | None = None
    ) -> tuple[TransitionRecord, InvoiceRecord]:
        """Fire the transition that issues the final invoice, and return both."""
        return self._invoices.issue_final(ref, actor=actor, note=note, at=at)

    def issue_final_invoice_after_exit(
        self, ref: str, work_done: Money, *, at: datetime | None = None
    ) -> InvoiceRecord:
        """The final invoice of a terminated mission: the work done as agreed, minus the deposits."""
        return self._invoices.issue_after_exit(ref, work_done, at=at)

    def reissue_final_invoice(self, ref: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Issue the final invoice again after its credit note."""
        return self._invoices.reissue_final(ref, issued_on=issued_on)

    def issue_credit_note(self, number: str, reason: str, *, issued_on: date | None = None) -> InvoiceRecord:
        """Cancel an issued invoice with a credit note (avoir) for its whole total."""
        return self._invoices.issue_credit_note(number, reason, issued_on=issued_on)

    def get_invoice(self, number: str) -> InvoiceRecord:
        """The invoice or credit note with this number; InvoiceNotFoundError when there is none."""
        return self._invoices.get(number)

    def list_invoices(self, mission: str | None = None) -> list[InvoiceRecord]:
        """Issued invoices and credit notes in number order, of one mission or all."""
        return self._invoices.list_all(mission)

    def invoice_balances(self, mission: str | None = None, *, on: date | None = None) -> list[InvoiceBalance]:
        """Every invoice with what it has received and its status on ``on`` (today by default)."""
        return self._accounts.invoice_balances(mission, on=on)

    def set_payment_plan(
        self, ref: str, installments: Sequence[Installment], *, on: date | None = None
    ) -> PaymentPlan:
        """Agree an installment plan (R6) for everything the mission's invoices still ask for."""
        return self._accounts.set_payment_plan(ref, installments, on=on)

    def get_payment_plan(self, ref: str, *, on: date | None = None) -> PaymentPlan | None:
        """The mission's current installment plan with each installment's status on ``on`` (or None)."""
        return self._accounts.get_payment_plan(ref, on=on)

    def issue_late_payment_invoice(self, ref: str, *, on: date | None = None) -> InvoiceRecord:
        """Bill the late interest and recovery indemnity owed and not billed yet (see Accounts)."""
        return self._accounts.issue_late_payment_invoice(ref, on=on)

    def overdue(self, on: date) -> list[OverdueItem]:
        """Every invoice and installment unpaid after its due date on ``on``, with interest and indemnity."""
        return self._accounts.overdue(on)
