"""A content-approval service for an agency, on async FastAPI, embedding missionflow's async store.

It shows what an application in another domain does with the library: its articles and
publication slots live in its own tables (``pub_articles``, ``pub_slots``) in the same database as
missionflow's; its workflow (``content-approval.yaml``) runs on its own parameterised guards
(``enough_words``, ``note_given``), a four-eyes guard that reads who acts (``not_the_author``) and
guards on the slot reserved for an article; a facts provider reads those facts in the
transaction of every fire, listing and diagram, so that what the API lists as allowed is what a
fire allows; a slot is reserved in the same transaction as the transition that schedules the
article; an after-commit hook sends a notification once a transition is durable::

    POST /articles                     {"title", "body", "author"} -> 201, the article and its state
    GET  /articles/{ref}?actor=NAME    the article, its state and every trigger for NAME, with reasons
    PUT  /articles/{ref}/body          {"body", "actor"}: a new text (the guards see it at once)
    POST /articles/{ref}/fire          {"trigger", "actor", "note"} -> 200, 409 blocked (reasons),
                                       422 not allowed from this state (allowed triggers), 404
    POST /articles/{ref}/schedule      {"slot", "actor"}: reserve the slot and schedule, together
    GET  /articles/{ref}/path/{state}  what stands between the article and a state, step by step
    GET  /articles/{ref}/diagram       the article's lifecycle as a Mermaid diagram
    GET  /notifications                what the after-commit hook sent, oldest first

Run it (it only ever listens on 127.0.0.1)::

    python examples/publishing/publishing_service.py --db sqlite:///publishing.db --port 8000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import Column, MetaData, String, Table, Text, delete, insert, make_url, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from missionflow import (
    ConcurrentUpdateError,
    ConflictError,
    GuardContext,
    GuardParam,
    HookEvent,
    InvalidValueError,
    NotFoundError,
    Subject,
    TransitionBlockedError,
    TransitionNotAllowedError,
    TransitionRecord,
    load_workflow,
    register_guard,
    register_workflow,
)
from missionflow.diagrams import render_diagram
from missionflow.reports import view_diagram
from missionflow.store import AsyncStore, open_async_store
from missionflow.workflow import TransactionConnection, load_workflow_file

HOST = "127.0.0.1"
"""The service is an example: it never listens beyond this machine."""
WORKFLOW_FILE = Path(__file__).resolve().with_name("content-approval.yaml")
MAX_BODY = 64 * 1024
"""The largest request body accepted (413 beyond)."""
MAX_TEXT = 20_000

log = logging.getLogger("publishing_service")

app_tables = MetaData()
articles = Table(
    "pub_articles",
    app_tables,
    Column("ref", String(100), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("author", String(100), nullable=False),
    Column("body", Text, nullable=False),
)
slots = Table(
    "pub_slots",
    app_tables,
    Column("slot_at", String(32), primary_key=True),  # a publication slot, as UTC ISO text
    Column("article", String(100), nullable=False, unique=True),
)
"""The application's own tables, beside missionflow's ``mf_`` tables in the same database."""


# --- the application's guards ------------------------------------------------------------------


def register_guards() -> None:
    """The guards the workflow file names; each says yes (None) or why not, and reads only facts."""

    @register_guard("enough_words", params={"minimum": int}, words="long enough to review", reads=())
    def enough_words(article: Subject, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
        words = ctx.facts.get("words", 0)
        minimum = params.get("minimum", 0)
        if not isinstance(words, int) or not isinstance(minimum, int) or words >= minimum:
            return None
        return f"the article has {words} words, {minimum} are needed"

    @register_guard("not_the_author", words="someone other than the author", reads=())
    def not_the_author(article: Subject, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
        if not ctx.actor:
            return "say who you are (actor)"
        return "an author cannot review their own article" if ctx.actor == ctx.facts.get("author") else None

    @register_guard("note_given", params={"min_length": int}, words="a note says why", reads=())
    def note_given(article: Subject, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
        shortest = params.get("min_length", 1)
        assert isinstance(shortest, int)
        return (
            None
            if len(ctx.note.strip()) >= shortest
            else f"say what to change (a note of {shortest}+ characters)"
        )

    @register_guard("slot_reserved", words="a publication slot is reserved", reads=())
    def slot_reserved(article: Subject, ctx: GuardContext, params: Mapping[str, GuardParam]) -> str | None:
        return None if ctx.facts.get("slot_at") else "no publication slot is reserved for it"

    @register_guard("slot_time_reached", words="its slot has come", reads=())
    def slot_time_reached(
        article: Subject, ctx: GuardContext, params: Mapping[str, GuardParam]
    ) -> str | None:
        slot = ctx.facts.get("slot_at")
        if not isinstance(slot, str):
            return "no publication slot is reserved for it"
        return None if datetime.fromisoformat(slot) <= ctx.now else f"its slot is {slot}"


async def article_facts(article: Subject, connection: TransactionConnection) -> Mapping[str, object]:
    """The facts the guards read, from the application's tables, in the store's transaction."""
    assert isinstance(connection, AsyncConnection)
    row = (
        await connection.execute(
            select(articles.c.author, articles.c.body, slots.c.slot_at)
            .select_from(articles.outerjoin(slots, slots.c.article == articles.c.ref))
            .where(articles.c.ref == article.ref)
        )
    ).first()
    if row is None:
        return {}
    return {"author": row.author, "words": len(row.body.split()), "slot_at": row.slot_at}


# --- requests ------------------------------------------------------------------------------------


class Refused(Exception):
    """An answer other than 200 decided while reading a request: its status and JSON body."""

    def __init__(self, status: int, body: Mapping[str, object]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


async def read_json(request: Request) -> Mapping[str, object]:
    """The request's JSON object, at most MAX_BODY bytes (413), valid JSON and an object (400)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise Refused(413, {"error": "too_large", "message": f"at most {MAX_BODY} bytes"})
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise Refused(413, {"error": "too_large", "message": f"at most {MAX_BODY} bytes"})
    try:
        value = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise Refused(400, {"error": "bad_request", "message": "the body is not JSON"}) from None
    if not isinstance(value, dict):
        raise Refused(400, {"error": "bad_request", "message": "the body must be a JSON object"})
    return value


def text_field(request: Mapping[str, object], key: str, *, required: bool = True, limit: int = 300) -> str:
    """A text field of the request: 400 when it is missing (if required), not text, or too long."""
    value = request.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Refused(400, {"error": "bad_request", "message": f"{key!r} must be given as text"})
    if len(value) > limit:
        raise Refused(400, {"error": "bad_request", "message": f"{key!r} is longer than {limit} characters"})
    return value


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


# --- the application -----------------------------------------------------------------------------


def async_url(url: str) -> str:
    """The URL with an async driver: aiosqlite for SQLite, psycopg for PostgreSQL."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}[parsed.get_backend_name()]
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def create_app(database_url: str) -> FastAPI:
    """The FastAPI application on ``database_url`` (its tables and missionflow's created on start)."""
    notifications: list[dict[str, str]] = []
    running: dict[str, tuple[AsyncStore, AsyncEngine]] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_async_engine(async_url(database_url))
        async with engine.begin() as connection:
            await connection.run_sync(app_tables.create_all)
        # Our own engine: missionflow may configure it (WAL and queued writers on SQLite).
        store = await open_async_store(engine=engine, configure_engine=True)
        store.provide_facts(article_facts, workflow="content-approval")

        @store.hooks.after(trigger="unschedule")
        async def free_the_slot(event: HookEvent) -> None:
            assert isinstance(event.connection, AsyncConnection)
            await event.connection.execute(delete(slots).where(slots.c.article == event.subject.ref))

        @store.hooks.after_commit()
        async def notify(event: HookEvent) -> None:
            await asyncio.sleep(0)  # a real service would send a mail or a webhook here
            notifications.append({"article": event.subject.ref, "state": event.dest, "by": event.actor})

        running["now"] = (store, engine)
        try:
            yield
        finally:
            await store.close()
            await engine.dispose()

    app = FastAPI(title="Content approval", lifespan=lifespan)

    def store_of() -> AsyncStore:
        return running["now"][0]

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> JSONResponse:
        return JSONResponse(dict(error.body), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "bad_request", "message": "malformed request"}, status_code=400)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, error: NotFoundError) -> JSONResponse:
        return JSONResponse({"error": "not_found", "message": str(error)}, status_code=404)

    @app.exception_handler(TransitionBlockedError)
    async def blocked(request: Request, error: TransitionBlockedError) -> JSONResponse:
        failed = [{"guard": r.guard, "reason": r.reason} for r in error.failed]
        return JSONResponse(
            {"error": "blocked", "reasons": list(error.reasons), "failed": failed}, status_code=409
        )

    @app.exception_handler(TransitionNotAllowedError)
    async def not_allowed(request: Request, error: TransitionNotAllowedError) -> JSONResponse:
        body = {"error": "not_allowed", "state": error.state, "allowed": list(error.allowed)}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(ConcurrentUpdateError)
    async def conflict(request: Request, error: ConcurrentUpdateError) -> JSONResponse:
        return JSONResponse(
            {"error": "conflict", "message": "the article changed meanwhile; try again"}, status_code=409
        )

    @app.exception_handler(ConflictError)
    async def conflicting(request: Request, error: ConflictError) -> JSONResponse:
        return JSONResponse({"error": "conflict", "message": str(error)}, status_code=409)

    @app.exception_handler(InvalidValueError)
    async def invalid(request: Request, error: InvalidValueError) -> JSONResponse:
        return JSONResponse(
            {"error": "invalid", "field": error.field, "message": str(error)}, status_code=422
        )

    async def show(ref: str, actor: str = "") -> dict[str, object]:
        store = store_of()
        subject = await store.get_subject(ref)
        async with running["now"][1].connect() as connection:
            row = (await connection.execute(select(articles).where(articles.c.ref == ref))).one()
            slot = (await connection.execute(select(slots.c.slot_at).where(slots.c.article == ref))).scalar()
        options = await store.triggers(ref, actor=actor)
        return {
            "ref": subject.ref,
            "title": row.title,
            "author": row.author,
            "words": len(row.body.split()),
            "slot": slot,
            "state": subject.state,
            "version": subject.version,
            "history": [record_json(r) for r in subject.history],
            "triggers": [
                {"trigger": o.trigger, "dest": o.dest, "allowed": o.allowed, "reasons": list(o.reasons)}
                for o in options
            ],
        }

    @app.post("/articles", status_code=201)
    async def create_article(request: Request) -> dict[str, object]:
        body = await read_json(request)
        title = text_field(body, "title")
        text = text_field(body, "body", required=False, limit=MAX_TEXT)
        author = text_field(body, "author", limit=100)
        store = store_of()
        async with store.transaction() as connection:
            subject = await store.create_subject("content-approval", title=title)
            await connection.execute(
                insert(articles).values(ref=subject.ref, title=title, author=author, body=text)
            )
        return await show(subject.ref, author)

    @app.get("/articles/{ref}")
    async def get_article(ref: str, actor: str = "") -> dict[str, object]:
        return await show(ref, actor)

    @app.put("/articles/{ref}/body")
    async def change_body(ref: str, request: Request) -> dict[str, object]:
        body = await read_json(request)
        text = text_field(body, "body", limit=MAX_TEXT)
        actor = text_field(body, "actor", limit=100)
        store = store_of()
        async with store.transaction() as connection:
            await store.bump_version(ref)  # a fire that read the old text must not decide on it
            await connection.execute(update(articles).where(articles.c.ref == ref).values(body=text))
        return await show(ref, actor)

    @app.post("/articles/{ref}/fire")
    async def fire(ref: str, request: Request) -> dict[str, object]:
        body = await read_json(request)
        trigger = text_field(body, "trigger", limit=100)
        actor = text_field(body, "actor", required=False, limit=100)
        note = text_field(body, "note", required=False, limit=2000)
        record = await store_of().fire(ref, trigger, actor=actor, note=note)
        return {"article": ref, "state": record.dest, "record": record_json(record)}

    @app.post("/articles/{ref}/schedule")
    async def schedule(ref: str, request: Request) -> dict[str, object]:
        body = await read_json(request)
        actor = text_field(body, "actor", limit=100)
        try:
            slot = datetime.fromisoformat(text_field(body, "slot", limit=40))
        except ValueError:
            raise Refused(
                400, {"error": "bad_request", "message": "'slot' must be an ISO date and time"}
            ) from None
        if slot.tzinfo is None:
            raise Refused(400, {"error": "bad_request", "message": "'slot' needs a time zone (like +00:00)"})
        store = store_of()
        try:
            # The reservation and the transition commit together, or neither does.
            async with store.transaction() as connection:
                at = slot.astimezone(UTC).isoformat()
                await connection.execute(insert(slots).values(slot_at=at, article=ref))
                record = await store.fire(ref, "schedule", actor=actor)
        except IntegrityError:
            raise Refused(
                409, {"error": "slot_taken", "message": f"the slot {slot.isoformat()} is taken"}
            ) from None
        return {"article": ref, "state": record.dest, "slot": at, "record": record_json(record)}

    @app.get("/articles/{ref}/path/{target}")
    async def path(ref: str, target: str, actor: str = "") -> dict[str, object]:
        report = await store_of().path_to(ref, target, actor=actor)
        steps = [
            {"trigger": s.trigger, "source": s.source, "dest": s.dest, "reasons": list(s.reasons)}
            for s in report.steps or ()
        ]
        return {"target": target, "reachable": report.steps is not None, "steps": steps}

    @app.get("/articles/{ref}/diagram")
    async def diagram(ref: str, actor: str = "") -> PlainTextResponse:
        drawing = view_diagram(await store_of().view(ref, actor=actor))
        return PlainTextResponse(render_diagram(drawing, "mermaid").decode("utf-8"))

    @app.get("/notifications")
    async def sent() -> list[dict[str, str]]:
        return notifications

    return app


def load_rules() -> None:
    """Register the application's guards and its workflow (once per process)."""
    register_guards()
    definition = load_workflow_file(WORKFLOW_FILE)
    register_workflow(definition)
    assert load_workflow("content-approval") is definition


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--db URL`` (default: $PUBLISHING_DB) and ``--port`` (0 picks a free one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", default=os.environ.get("PUBLISHING_DB", "sqlite:///publishing.db"))
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    load_rules()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, args.port))
    server = uvicorn.Server(uvicorn.Config(create_app(args.db), log_level="warning", lifespan="on"))
    # uvicorn stops cleanly on SIGTERM and then raises the signal again for the handler it found:
    # this one lets the process end with status 0 once the store and the engine are closed.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    print(f"listening on http://{HOST}:{listener.getsockname()[1]}", flush=True)
    server.run(sockets=[listener])
    return 0


if __name__ == "__main__":
    sys.exit(main())
