"""A small web service that embeds missionflow, with nothing but the standard library's WSGI server.

It shows what an application does with the library: it opens missionflow on its own database
engine (missionflow's ``mf_`` tables beside the application's ``app_outbox``), subscribes hooks
(a before-hook that insists on knowing who acts, an after-hook that writes the application's
outbox row in the same transaction as the transition, an after_commit hook that logs), and
translates missionflow's errors into HTTP answers. A malformed request is always a 4xx (a body
over 64 KB is 413 whatever its headers say, a body that is not a JSON object is 400), never a 500:

    GET  /missions/{ref}          the state and every trigger, allowed or blocked with reasons
    POST /missions/{ref}/fire     {"trigger", "actor", "note", "data"} -> 200, 409 blocked (reasons),
                                  422 not allowed from this state (allowed triggers), 404
    POST /webhooks/payment        {"delivery_id", "mission", "amount", "currency", "received_on"}:
                                  the same delivery twice records one payment

Run it (it only ever listens on 127.0.0.1)::

    python examples/webservice/mission_service.py --db sqlite:///missions.db --port 8000
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Protocol, runtime_checkable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table, create_engine, func

from missionflow import (
    ConcurrentUpdateError,
    ConflictError,
    HookEvent,
    Hooks,
    InvalidValueError,
    Money,
    NotFoundError,
    Store,
    TransitionBlockedError,
    TransitionNotAllowedError,
    TransitionRecord,
    open_store,
)
from missionflow.freelance import Payment

HOST = "127.0.0.1"
"""The service is an example: it never listens beyond this machine."""
SECRET_ENV = "MISSION_SERVICE_WEBHOOK_SECRET"
"""When set, payment webhooks must carry ``X-Signature: sha256=<HMAC of the body with this secret>``."""
MAX_BODY = 64 * 1024
FIRE_ATTEMPTS = 3

log = logging.getLogger("mission_service")

app_tables = MetaData()
outbox = Table(
    "app_outbox",
    app_tables,
    Column("id", Integer, primary_key=True),
    Column("mission", String(20), nullable=False),
    Column("message", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)
"""The application's own table: messages to send, written in the transition's transaction."""

StartResponse = Callable[[str, list[tuple[str, str]]], object]
Environ = Mapping[str, object]


class Reply(Exception):
    """An HTTP answer decided deep in a handler: its status and JSON body."""

    def __init__(self, status: int, body: Mapping[str, object]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def service_hooks() -> Hooks:
    """The application's subscriptions: who acts is required, the outbox is transactional, commits are logged."""
    hooks = Hooks()

    @hooks.before()
    def actor_required(event: HookEvent) -> str | None:
        return None if event.actor.strip() else "say who fires the trigger (actor)"

    @hooks.after()
    def write_outbox(event: HookEvent) -> None:
        # Same connection, same transaction: the message exists exactly when the transition does.
        if isinstance(event.connection, Connection):
            event.connection.execute(
                outbox.insert().values(
                    mission=event.subject.ref, message=f"{event.trigger}: {event.source} -> {event.dest}"
                )
            )

    @hooks.after_commit()
    def log_transition(event: HookEvent) -> None:
        log.info(
            "%s %s: %s -> %s by %s", event.subject.ref, event.trigger, event.source, event.dest, event.actor
        )

    return hooks


def record_json(record: TransitionRecord) -> dict[str, object]:
    """A history record as JSON."""
    return {
        "trigger": record.trigger,
        "source": record.source,
        "dest": record.dest,
        "actor": record.actor,
        "at": record.at.isoformat(),
        "note": record.note,
    }


class MissionService:
    """The WSGI application: routes, JSON in and out, missionflow's errors as HTTP statuses.

    >>> with open_store("sqlite://") as store:
    ...     ref = store.create_mission(store.add_client("Acme").ref, "Logo").ref
    ...     MissionService(store).route("GET", f"/missions/{ref}", b"", {})["state"]
    'lead'
    """

    def __init__(self, store: Store, *, webhook_secret: str = "") -> None:
        self.store = store
        self.webhook_secret = webhook_secret.encode()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = str(environ.get("PATH_INFO", "/"))
        headers = {
            k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")
        }
        try:
            body = _read_body(environ)
            status, answer = 200, self.route(method, path, body, headers)
        except Reply as reply:
            status, answer = reply.status, reply.body
        except Exception:
            log.exception("%s %s failed", method, path)
            status, answer = 500, {"error": "internal", "message": "the service failed; see its log"}
        payload = json.dumps(answer, indent=2).encode()
        start_response(
            f"{status} {_REASONS.get(status, 'Error')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def route(self, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> Mapping[str, object]:
        """Dispatch one request; raise Reply for anything but a 200."""
        try:
            if match := re.fullmatch(r"/missions/([^/]+)", path):
                _allow(method, "GET")
                return self.show(match.group(1))
            if match := re.fullmatch(r"/missions/([^/]+)/fire", path):
                _allow(method, "POST")
                return self.fire(match.group(1), _json(body), headers.get("idempotency-key"))
            if path == "/webhooks/payment":
                _allow(method, "POST")
                self._check_signature(body, headers.get("x-signature", ""))
                return self.payment_webhook(_json(body))
        except NotFoundError as error:
            raise Reply(404, {"error": "not_found", "message": str(error)}) from None
        except InvalidValueError as error:
            raise Reply(422, {"error": "invalid", "field": error.field, "message": str(error)}) from None
        except ConflictError as error:
            raise Reply(409, {"error": "conflict", "message": str(error)}) from None
        raise Reply(404, {"error": "not_found", "message": f"no route for {path}"})

    def show(self, ref: str) -> Mapping[str, object]:
        """GET /missions/{ref}: the mission's state and what can be fired now."""
        mission = self.store.get_mission(ref)
        return {
            "ref": mission.ref,
            "title": mission.title,
            "client": mission.client.name,
            "workflow": f"{mission.workflow}@{mission.workflow_version}",
            "state": mission.state,
            "version": mission.version,
            "paid": str(mission.paid_total.amount),
            "currency": mission.currency,
            "payments": len(mission.payments),
            "triggers": [
                {"trigger": o.trigger, "dest": o.dest, "allowed": o.allowed, "reasons": list(o.reasons)}
                for o in self.store.triggers(ref)
            ],
        }

    def fire(self, ref: str, request: Mapping[str, object], key: str | None) -> Mapping[str, object]:
        """POST /missions/{ref}/fire: fire a trigger, retrying when another writer got there first."""
        trigger = _text(request, "trigger", required=True)
        data = request.get("data") or {}
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise Reply(400, {"error": "bad_request", "message": "'data' must map names to text"})
        for attempt in range(1, FIRE_ATTEMPTS + 1):
            try:
                record = self.store.fire(
                    ref,
                    trigger,
                    actor=_text(request, "actor"),
                    note=_text(request, "note"),
                    data=data,
                    idempotency_key=key,
                )
                return {"mission": ref.upper(), "state": record.dest, "record": record_json(record)}
            except TransitionBlockedError as error:
                failed = [{"guard": r.guard, "reason": r.reason} for r in error.failed]
                raise Reply(
                    409, {"error": "blocked", "reasons": list(error.reasons), "failed": failed}
                ) from None
            except TransitionNotAllowedError as error:
                raise Reply(
                    422, {"error": "not_allowed", "state": error.state, "allowed": list(error.allowed)}
                ) from None
            except ConcurrentUpdateError:
                # The guards are evaluated again on fresh facts: retrying is safe.
                if attempt == FIRE_ATTEMPTS:
                    raise Reply(
                        409, {"error": "conflict", "message": "the mission kept changing; try again"}
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def payment_webhook(self, request: Mapping[str, object]) -> Mapping[str, object]:
        """POST /webhooks/payment: record a payment once per delivery id, however often it is delivered."""
        delivery = _text(request, "delivery_id", required=True)
        ref = _text(request, "mission", required=True)
        try:
            received_on = date.fromisoformat(_text(request, "received_on", required=True))
        except ValueError:
            raise Reply(
                422, {"error": "invalid", "field": "received_on", "message": "use YYYY-MM-DD"}
            ) from None
        amount = Money.of(_text(request, "amount", required=True), _text(request, "currency", required=True))
        payment = Payment(amount, received_on, _text(request, "method") or "webhook", delivery)
        recorded = self.store.record_payment(ref, payment, idempotency_key=delivery)
        mission = self.store.get_mission(ref)
        return {
            "mission": mission.ref,
            "delivery_id": delivery,
            "amount": str(recorded.amount.amount),
            "currency": recorded.amount.currency,
            "paid": str(mission.paid_total.amount),
        }

    def _check_signature(self, body: bytes, signature: str) -> None:
        if not self.webhook_secret:
            return
        expected = "sha256=" + hmac.new(self.webhook_secret, body, hashlib.sha256).hexdigest()
        # bytes: compare_digest refuses text with non-ASCII characters, which a header may hold
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape")):
            raise Reply(401, {"error": "bad_signature", "message": "X-Signature does not match the body"})


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
}


def _allow(method: str, expected: str) -> None:
    if method != expected:
        raise Reply(405, {"error": "method_not_allowed", "allowed": [expected]})


def _read_body(environ: Environ) -> bytes:
    """The request's body, never more than MAX_BODY bytes read whatever the headers say: a length
    that is not a number (or negative: read() would read to the end) is 400, a larger one 413."""
    text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not text.isascii() or not text.isdigit():
        raise Reply(400, {"error": "bad_request", "message": "Content-Length is not a number of bytes"})
    if len(text) > 12 or int(text) > MAX_BODY:
        raise Reply(413, {"error": "too_large", "message": f"at most {MAX_BODY} bytes"})
    length = int(text)
    stream = environ.get("wsgi.input")
    return stream.read(length) if length and isinstance(stream, _Readable) else b""


@runtime_checkable
class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def _json(body: bytes) -> Mapping[str, object]:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise Reply(400, {"error": "bad_request", "message": "the body is not JSON"}) from None
    if not isinstance(value, dict):
        raise Reply(400, {"error": "bad_request", "message": "the body must be a JSON object"})
    return value


def _text(request: Mapping[str, object], key: str, *, required: bool = False) -> str:
    value = request.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Reply(400, {"error": "bad_request", "message": f"{key!r} must be given as text"})
    return value


# --- running it --------------------------------------------------------------------------------


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request (the store is safe to share between threads)."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    """Requests go to the log, not to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s " + format, self.address_string(), *args)


def serve(database_url: str, port: int) -> None:
    """Open the application's database, then serve on 127.0.0.1:port until SIGTERM or Ctrl-C."""
    engine = create_engine(database_url)
    app_tables.create_all(engine)
    store = open_store(engine=engine, hooks=service_hooks())
    app = MissionService(store, webhook_secret=os.environ.get(SECRET_ENV, ""))
    server = make_server(HOST, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on http://{HOST}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--db URL`` (default: $MISSIONFLOW_DB) and ``--port`` (0 picks a free one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", default=os.environ.get("MISSIONFLOW_DB", "sqlite:///missions.db"))
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    serve(args.db, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
