"""Helpers for tests, ours and an embedding application's: money in one call, missions walked to
a point of the shipped ``freelance-mission`` lifecycle in a store, in-memory missions, and the
registries put back as they were after a test."""

from __future__ import annotations

from datetime import UTC, date, datetime

from missionflow.freelance import (
    Client,
    ClientRecord,
    Contract,
    Deliverable,
    Mission,
    Payment,
    Settings,
    Specification,
)
from missionflow.money import Money
from missionflow.store import Store
from missionflow.workflow import TransitionRecord, isolated_registries

EUR = "EUR"
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
"""A Monday, 11:00 in Paris: inside the default working hours."""
SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
"""A Saturday: outside the default working days."""

DELIVERABLES = (Deliverable("mockups"), Deliverable("website"), Deliverable("admin access", "access_code"))
"""What the default specification promises: two deliverables and an access code."""


IDENTITY: dict[str, object] = {
    "name": "Camille Martin",
    "legal_form": "EI",
    "siret": "73282932000074",
    "address": "12 rue des Lilas",
    "postcode": "75011",
    "city": "Paris",
    "email": "camille@example.fr",
    "iban": "FR7630006000011234567890189",
    "bic": "BNPAFRPPXXX",
}
"""A freelancer's identity as a lawful document states it (name, legal form, address, SIRET and
the bank details, with valid keys): see :func:`identify`."""
BUSINESS_CLIENT: dict[str, object] = {
    "address": ("5 avenue de la Gare",),
    "postcode": "69002",
    "city": "Lyon",
    "siren": "552100554",
}
"""What documents need to know of a French business client."""
PRIVATE_CLIENT: dict[str, object] = {
    "address": ("8 impasse des Roses",),
    "postcode": "33000",
    "city": "Bordeaux",
}
"""What documents need to know of a private client (besides the e-mail address :func:`add_client`
gives each client, where a private client receives the e-invoice)."""


def identify(store: Store, **changes: object) -> Settings:
    """Give the store's freelancer the identity every document needs (IDENTITY, then ``changes``);
    the other settings stay as they are. Returns the saved settings."""
    settings = store.get_settings().with_changes(**{**IDENTITY, **changes})
    store.save_settings(settings)
    return settings


def add_client(store: Store, name: str = "Acme", *, business: bool = True, **details: object) -> ClientRecord:
    """A new client with an address (and a SIREN for a business) and an e-mail address of their
    own (two clients never share one: a blocked client's is refused to the next), ``details``
    overriding them."""
    known = BUSINESS_CLIENT if business else PRIVATE_CLIENT
    own = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower()).strip("-") or "client"
    email = f"contact@{own}.example.fr"
    return store.add_client(name, business=business, **{**known, "email": email, **details})  # type: ignore[arg-type]


def eur(amount: str | int) -> Money:
    """``Money`` in euros from a plain decimal text (``eur("1350.50")``)."""
    return Money.of(str(amount), EUR)


def specification(
    *deliverables: Deliverable, budget: Money | None = None, deadline: date = date(2026, 6, 1)
) -> Specification:
    """A complete specification (objectives, deliverables, deadline, budget, acceptance criteria)."""
    return Specification(
        objectives="A faster, accessible website",
        deliverables=deliverables or DELIVERABLES,
        deadline=deadline,
        budget=budget or eur("1000"),
        acceptance="The client approves in writing",
    )


def mission(
    ref: str = "M-1", *, state: str = "lead", workflow: str = "freelance-mission", **facts: object
) -> Mission:
    """An in-memory mission of a client Acme (any Mission field may be given)."""
    facts.setdefault("client", Client("Acme", ref="C-1"))
    return Mission(ref=ref, workflow=workflow, state=state, **facts)  # type: ignore[arg-type]


def lead(
    store: Store,
    *,
    client: str = "Acme",
    title: str = "Logo",
    amount: str | None = "1000",
    business: bool = True,
    at: datetime = MONDAY,
    **terms: object,
) -> str:
    """A new mission for a new client (with an address, and a SIREN for a business), as a lead;
    returns its reference. ``terms`` go to ``create_mission`` (``deposit_percent``, ``workflow``,
    ``deadline``...). The freelancer's identity is :func:`identify`'s job: a test may want to see
    an invoice refused without it."""
    client_ref = add_client(store, client, business=business).ref
    money = eur(amount) if amount is not None else None
    return store.create_mission(client_ref, title, amount=money, at=at, **terms).ref  # type: ignore[arg-type]


def accept(store: Store, ref: str, *, at: datetime = MONDAY) -> None:
    """Qualify the lead, answer every criterion of the settings yes, and accept it."""
    store.fire(ref, "qualify", at=at)
    for criterion in store.get_settings().criteria:
        store.answer_criterion(ref, criterion.name, True)
    store.fire(ref, "accept", at=at)


def sign(
    store: Store,
    ref: str,
    *,
    spec: Specification | None = None,
    amount: str | None = None,
    acceptance_days: int | None = None,
    signed_by: str = "Acme",
    terms_version: str = "CGV-2026-1",
    at: datetime = MONDAY,
) -> None:
    """Accept the lead, write a complete specification and sign the contract (for the mission's
    amount unless ``amount`` is given)."""
    accept(store, ref, at=at)
    mission = store.get_mission(ref)
    price = eur(amount) if amount is not None else (mission.amount or eur("1000"))
    store.set_specification(ref, spec or specification(budget=price))
    contract = Contract(price, terms_version, at.date(), signed_by, acceptance_days)
    store.sign_contract(ref, contract, at=at)


def start(store: Store, ref: str, *, at: datetime = MONDAY) -> None:
    """Pay and confirm the agreed deposit (none when 0 %), then start the work."""
    due = store.get_mission(ref).deposit_due
    if due.amount > 0:
        store.record_payment(ref, Payment(due, at.date(), "transfer"))
        store.fire(ref, "confirm_deposit", at=at)
    store.fire(ref, "start_work", at=at)


def deliver(store: Store, ref: str, name: str, *, at: datetime = MONDAY, actor: str = "") -> TransitionRecord:
    """Hand over one deliverable of the specification."""
    return store.fire(ref, "deliver", data={"deliverable": name}, at=at, actor=actor)


def approve(store: Store, ref: str, *, at: datetime = MONDAY) -> None:
    """Deliver every deliverable still pending, then have the client approve."""
    current = store.get_mission(ref)
    delivered = {name for name, _ in current.deliveries()}
    spec = current.specification
    for item in spec.deliverables if spec is not None else ():
        if item.name not in delivered:
            deliver(store, ref, item.name, at=at)
    store.fire(ref, "approve", at=at, actor="client")


def signed_mission(store: Store, *, acceptance_days: int | None = None, **options: object) -> str:
    """A new mission walked to ``contract_signed``; ``options`` go to :func:`lead`."""
    ref = lead(store, **options)  # type: ignore[arg-type]
    sign(store, ref, acceptance_days=acceptance_days)
    return ref


def working_mission(store: Store, *, acceptance_days: int | None = None, **options: object) -> str:
    """A new mission signed, its deposit paid and confirmed, its work started (``in_progress``).

    >>> from missionflow.store import open_store
    >>> with open_store("sqlite://") as store:
    ...     store.get_mission(working_mission(store)).state
    'in_progress'
    """
    ref = signed_mission(store, acceptance_days=acceptance_days, **options)
    start(store, ref)
    return ref


def approved_mission(store: Store, *, acceptance_days: int | None = None, **options: object) -> str:
    """A new mission whose every deliverable is delivered and approved (``approved``)."""
    ref = working_mission(store, acceptance_days=acceptance_days, **options)
    approve(store, ref)
    return ref


__all__ = [
    "BUSINESS_CLIENT",
    "DELIVERABLES",
    "EUR",
    "IDENTITY",
    "MONDAY",
    "PRIVATE_CLIENT",
    "SATURDAY",
    "accept",
    "add_client",
    "approve",
    "approved_mission",
    "deliver",
    "eur",
    "identify",
    "isolated_registries",
    "lead",
    "mission",
    "sign",
    "signed_mission",
    "specification",
    "start",
    "working_mission",
]
