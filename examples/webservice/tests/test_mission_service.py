"""The example web service, started for real on 127.0.0.1 in a subprocess and spoken to over HTTP:
mission state and triggers, firing with each error as its HTTP status, hooks, and an idempotent
payment webhook."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from missionflow import Money, open_store

SERVICE = Path(__file__).resolve().parents[1] / "mission_service.py"
SECRET = "test-webhook-secret"


@dataclass(frozen=True)
class Service:
    """A running service: where it listens and the database it uses (the application's)."""

    base: str
    db_url: str

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, object] | None = None,
        headers: Mapping[str, str] = {},
    ) -> tuple[int, dict[str, object]]:
        """Send one request; the status and the decoded JSON answer, whatever the status."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base}{path}", data=data, method=method, headers=dict(headers)
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    def webhook(self, body: Mapping[str, object], *, secret: str = SECRET) -> tuple[int, dict[str, object]]:
        """POST a payment webhook signed like the payment provider would sign it."""
        raw = json.dumps(body).encode()
        signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f"{self.base}/webhooks/payment",
            data=raw,
            method="POST",
            headers={"Content-Type": "application/json", "X-Signature": signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service on a free port of 127.0.0.1, over a fresh SQLite file, stopped after the module."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('service') / 'app.db'}"
    env = {**os.environ, "MISSION_SERVICE_WEBHOOK_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, str(SERVICE), "--db", db_url, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first.startswith("listening on http://127.0.0.1:"):
            process.kill()
            _, errors = process.communicate(timeout=30)
            pytest.fail(f"the service did not start: {first!r}\n{errors}")
        yield Service(first.split()[-1], db_url)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


def new_mission(service: Service) -> str:
    """A new mission created by the application itself, straight through the library."""
    with open_store(service.db_url) as store:
        client = store.add_client("Acme").ref
        # Opened on 1 March 2026: the payments of these tests are dated from then on.
        opened = datetime(2026, 3, 1, 9, tzinfo=UTC)
        return store.create_mission(client, "Logo", amount=Money.of("4500", "EUR"), at=opened).ref


def test_get_shows_the_state_and_every_trigger_with_its_reasons(service: Service) -> None:
    """GET /missions/{ref} gives the state and each trigger, allowed or blocked with the guards' reasons."""
    ref = new_mission(service)
    status, body = service.call("GET", f"/missions/{ref}")
    assert status == 200
    assert (body["ref"], body["state"], body["workflow"]) == (ref, "lead", "freelance-mission@3")
    assert body["triggers"] == [
        {"trigger": "qualify", "dest": "criteria_check", "allowed": True, "reasons": []},
        {
            "trigger": "decline",
            "dest": "declined",
            "allowed": False,
            "reasons": ["a reason is required (give it as the note)"],
        },
    ]


def test_an_unknown_mission_or_route_is_404(service: Service) -> None:
    """A mission that does not exist, for reading or firing, and an unknown path answer 404."""
    assert service.call("GET", "/missions/M-999")[0] == 404
    assert service.call("POST", "/missions/M-999/fire", {"trigger": "qualify", "actor": "me"})[0] == 404
    assert service.call("GET", "/nowhere")[0] == 404


def test_firing_moves_the_mission_and_records_who_and_why(service: Service) -> None:
    """POST fire answers 200 with the record; the history holds the actor and the note."""
    ref = new_mission(service)
    status, body = service.call(
        "POST", f"/missions/{ref}/fire", {"trigger": "qualify", "actor": "bea", "note": "referred by Ann"}
    )
    assert status == 200
    assert body["state"] == "criteria_check"
    assert body["record"] == {
        **body["record"],
        "trigger": "qualify",
        "actor": "bea",
        "note": "referred by Ann",
    }
    assert service.call("GET", f"/missions/{ref}")[1]["state"] == "criteria_check"
    with open_store(service.db_url) as store:
        [entry] = store.history(ref)
    assert (entry.record.actor, entry.record.note) == ("bea", "referred by Ann")


def test_a_blocked_trigger_is_409_with_every_reason_and_changes_nothing(service: Service) -> None:
    """A trigger refused by guards answers 409 with each reason and the guard that gave it."""
    ref = new_mission(service)
    service.call("POST", f"/missions/{ref}/fire", {"trigger": "qualify", "actor": "bea"})
    status, body = service.call("POST", f"/missions/{ref}/fire", {"trigger": "accept", "actor": "bea"})
    assert status == 409
    assert body["error"] == "blocked"
    reasons = body["reasons"]
    assert isinstance(reasons, list)
    assert reasons
    assert all("criterion" in reason for reason in reasons)
    assert service.call("GET", f"/missions/{ref}")[1]["state"] == "criteria_check"


def test_the_services_before_hook_vetoes_a_fire_without_actor(service: Service) -> None:
    """The application's before-hook refuses an anonymous fire: 409 naming the hook, nothing written."""
    ref = new_mission(service)
    status, body = service.call("POST", f"/missions/{ref}/fire", {"trigger": "qualify"})
    assert status == 409
    assert body["failed"] == [{"guard": "hook:actor_required", "reason": "say who fires the trigger (actor)"}]
    assert service.call("GET", f"/missions/{ref}")[1]["state"] == "lead"


def test_a_trigger_not_possible_from_the_state_is_422_with_the_allowed_ones(service: Service) -> None:
    """A trigger that does not leave the current state answers 422 with the triggers that do."""
    ref = new_mission(service)
    status, body = service.call("POST", f"/missions/{ref}/fire", {"trigger": "invoice", "actor": "bea"})
    assert status == 422
    assert body == {"error": "not_allowed", "state": "lead", "allowed": ["qualify", "decline"]}


def test_bad_requests_are_400_and_wrong_methods_405(service: Service) -> None:
    """A body that is not a JSON object, or without a trigger, is 400; GET on a POST route is 405."""
    ref = new_mission(service)
    assert service.call("POST", f"/missions/{ref}/fire", {"actor": "bea"})[0] == 400
    request = urllib.request.Request(f"{service.base}/missions/{ref}/fire", data=b"not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    with caught.value:
        assert caught.value.code == 400
    assert service.call("GET", f"/missions/{ref}/fire")[0] == 405


def test_an_idempotency_key_makes_a_retried_fire_record_once(service: Service) -> None:
    """Two POSTs with the same Idempotency-Key header record one transition and answer the same record."""
    ref = new_mission(service)
    first = service.call(
        "POST", f"/missions/{ref}/fire", {"trigger": "qualify", "actor": "bea"}, {"Idempotency-Key": "req-1"}
    )
    again = service.call(
        "POST", f"/missions/{ref}/fire", {"trigger": "qualify", "actor": "bea"}, {"Idempotency-Key": "req-1"}
    )
    assert first == again
    with open_store(service.db_url) as store:
        assert len(store.history(ref)) == 1


def test_the_outbox_row_is_written_with_the_transition(service: Service) -> None:
    """The service's after-hook writes its own table in the transition's transaction: one row per fire."""
    ref = new_mission(service)
    service.call("POST", f"/missions/{ref}/fire", {"trigger": "qualify", "actor": "bea"})
    service.call("POST", f"/missions/{ref}/fire", {"trigger": "accept", "actor": "bea"})  # blocked
    engine = create_engine(service.db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT message FROM app_outbox WHERE mission = :m"), {"m": ref})
            assert [row[0] for row in rows] == ["qualify: lead -> criteria_check"]
    finally:
        engine.dispose()


def test_the_same_payment_webhook_delivered_twice_records_one_payment(service: Service) -> None:
    """A payment provider retrying a delivery gets the same answer and the mission has one payment."""
    ref = new_mission(service)
    delivery = {
        "delivery_id": f"evt_{ref}",
        "mission": ref,
        "amount": "1350.00",
        "currency": "EUR",
        "received_on": datetime.now(UTC).date().isoformat(),
        "method": "card",
    }
    first = service.webhook(delivery)
    again = service.webhook(delivery)
    assert first[0] == 200
    assert first == again
    assert first[1]["paid"] == "1350.00"
    shown = service.call("GET", f"/missions/{ref}")[1]
    assert (shown["payments"], shown["paid"]) == (1, "1350.00")


def test_a_delivery_id_reused_for_another_payment_is_refused(service: Service) -> None:
    """The same delivery id with another amount is 422 and records nothing more."""
    ref = new_mission(service)
    delivery = {
        "delivery_id": f"evt_reused_{ref}",
        "mission": ref,
        "amount": "100.00",
        "currency": "EUR",
        "received_on": "2026-03-02",
    }
    assert service.webhook(delivery)[0] == 200
    status, body = service.webhook({**delivery, "amount": "999.00"})
    assert (status, body["field"]) == (422, "idempotency_key")
    assert service.call("GET", f"/missions/{ref}")[1]["payments"] == 1


def test_a_webhook_with_a_bad_signature_or_bad_values_is_refused(service: Service) -> None:
    """A wrong signature is 401; a negative amount or a bad date is 422; nothing is recorded."""
    ref = new_mission(service)
    delivery = {
        "delivery_id": "evt_x",
        "mission": ref,
        "amount": "10",
        "currency": "EUR",
        "received_on": "2026-03-02",
    }
    assert service.webhook(delivery, secret="not the secret")[0] == 401
    assert service.webhook({**delivery, "amount": "-10"})[0] == 422
    for amount in ("1,000", "12.345", "1e3", "10000000000000"):
        status, body = service.webhook({**delivery, "amount": amount})
        assert (status, body["field"]) == (422, "amount"), amount
        assert repr(amount) in str(body["message"])
    assert service.webhook({**delivery, "received_on": "yesterday"})[0] == 422
    assert service.webhook({**delivery, "received_on": "2031-01-01"})[0] == 422
    assert service.call("GET", f"/missions/{ref}")[1]["payments"] == 0


def test_a_payment_for_a_declined_mission_is_a_conflict(service: Service) -> None:
    """Money for a mission declined with nothing due is refused with 409 and recorded nowhere."""
    ref = new_mission(service)
    declined = service.call(
        "POST", f"/missions/{ref}/fire", {"trigger": "decline", "actor": "bea", "note": "no budget"}
    )
    assert declined[0] == 200, declined
    delivery = {
        "delivery_id": f"evt_declined_{ref}",
        "mission": ref,
        "amount": "100",
        "currency": "EUR",
        "received_on": "2026-03-02",
    }
    status, body = service.webhook(delivery)
    assert (status, body["error"]) == (409, "conflict")
    assert service.call("GET", f"/missions/{ref}")[1]["payments"] == 0


def raw_request(service: Service, head: str, body: bytes) -> int:
    """Send bytes as they are (headers that lie included) and return the status the service answers."""
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(service.base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(head.encode("latin-1") + b"\r\n\r\n")
        # the service may answer and close before reading it all: what it should do
        with contextlib.suppress(OSError):
            connection.sendall(body)
        answer = connection.recv(4096)
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("length", "status"), [("-1", 400), ("abc", 400), ("99999999999999999999", 413), ("70000", 413)]
)
def test_a_body_is_capped_whatever_its_headers_say(service: Service, length: str, status: int) -> None:
    """A Content-Length that is negative, not a number or too large never makes the service read
    the body: 400 or 413 at once, even with megabytes behind it."""
    ref = new_mission(service)
    head = f"POST /missions/{ref}/fire HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\nConnection: close"
    assert raw_request(service, head, b"{" * 3_000_000) == status


def test_malformed_requests_are_never_a_500(tmp_path: Path) -> None:
    """Generated methods, paths, headers and bodies (JSON or not, deep, huge, odd text) get a 4xx
    or a 200 from the application, never a 500."""
    import importlib.util
    import io

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    spec = importlib.util.spec_from_file_location("mission_service_fuzzed", SERVICE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    store = open_store(f"sqlite:///{tmp_path / 'fuzz.db'}", hooks=module.service_hooks())
    ref = store.create_mission(store.add_client("Acme").ref, "Logo", amount=Money.of("10", "EUR")).ref
    app = module.MissionService(store, webhook_secret="secret")
    texts = st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            ["qualify", ref, "M-1", "EUR", "2026-03-02", "1e999", "-1", "9" * 40, "\x00", "\udcff"]
        ),
    )
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | texts,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
        max_leaves=12,
    )
    bodies = st.one_of(
        st.binary(max_size=200),
        st.dictionaries(
            st.sampled_from(
                [
                    "trigger",
                    "actor",
                    "note",
                    "data",
                    "delivery_id",
                    "mission",
                    "amount",
                    "currency",
                    "received_on",
                ]
            ),
            values,
        ).map(lambda d: json.dumps(d).encode()),
        st.just(b"[" * 100_000),
        st.just(json.dumps({"trigger": "qualify", "actor": "x" * 20_000}).encode()),
    )

    @settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
        path=st.sampled_from(
            [f"/missions/{ref}", f"/missions/{ref}/fire", "/webhooks/payment", "/missions/%00", "/"]
        )
        | st.text(max_size=20).map(lambda t: "/missions/" + t),
        length=st.one_of(
            st.none(), st.sampled_from(["-1", "abc", "", "0", "10"]), st.integers(0, 10**6).map(str)
        ),
        key=st.one_of(st.none(), texts),
        signature=st.one_of(st.none(), texts),
        body=bodies,
    )
    def answer(
        method: str, path: str, length: str | None, key: str | None, signature: str | None, body: bytes
    ) -> None:
        environ: dict[str, object] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "CONTENT_LENGTH": str(len(body)) if length is None else length,
            "wsgi.input": io.BytesIO(body),
        }
        if key is not None:
            environ["HTTP_IDEMPOTENCY_KEY"] = key
        if signature is not None:
            environ["HTTP_X_SIGNATURE"] = signature
        statuses: list[str] = []
        app(environ, lambda status, headers: statuses.append(status))
        assert not statuses[0].startswith("5"), (method, path, statuses[0])

    try:
        answer()
    finally:
        store.close()
