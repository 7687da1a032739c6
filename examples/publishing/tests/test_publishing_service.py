"""The content-approval example, started for real on 127.0.0.1 in a subprocess (on SQLite and on
PostgreSQL) and driven over HTTP with httpx: what the API lists agrees with what a fire does, four
eyes, a slot reserved in the transaction of the transition, after-commit notifications, and bad
requests answered 400 or 413, never 500."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

SERVICE = Path(__file__).resolve().parents[1] / "publishing_service.py"
WORDS_300 = " ".join(["word"] * 300)
PUBLIC = (
    "missionflow",
    "missionflow.workflow",
    "missionflow.store",
    "missionflow.reports",
    "missionflow.diagrams",
    "missionflow.errors",
)


@dataclass(frozen=True)
class Service:
    """A running service: its HTTP client and the database it uses (the application's own)."""

    http: httpx.Client
    db_url: str

    def new_article(self, *, author: str = "ann", words: int = 120) -> str:
        """POST a new article; its reference."""
        answer = self.http.post(
            "/articles", json={"title": "Spring launch", "author": author, "body": " ".join(["w"] * words)}
        )
        assert answer.status_code == 201, answer.text
        ref: str = answer.json()["ref"]
        return ref

    def fire(self, ref: str, trigger: str, actor: str = "", note: str = "") -> httpx.Response:
        """POST one fire."""
        return self.http.post(
            f"/articles/{ref}/fire", json={"trigger": trigger, "actor": actor, "note": note}
        )

    def triggers(self, ref: str, actor: str = "") -> dict[str, dict[str, object]]:
        """The article's triggers for ``actor``, by name."""
        shown = self.http.get(f"/articles/{ref}", params={"actor": actor}).json()
        return {t["trigger"]: t for t in shown["triggers"]}

    def slots(self) -> list[tuple[str, str]]:
        """The application's slot rows, read from outside the service."""
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                return [tuple(r) for r in connection.execute(text("SELECT slot_at, article FROM pub_slots"))]
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The service on a free port of 127.0.0.1, on a fresh database, stopped after the module."""
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path_factory.mktemp('publishing') / 'app.db'}"
    else:
        db_url = request.getfixturevalue("postgres_url")
    process = subprocess.Popen(
        [sys.executable, str(SERVICE), "--db", db_url, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first.startswith("listening on http://127.0.0.1:"):
            process.kill()
            _, errors = process.communicate(timeout=30)
            pytest.fail(f"the service did not start: {first!r}\n{errors}")
        with httpx.Client(base_url=first.split()[-1], timeout=30) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    http.get("/notifications")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.05)
            yield Service(http, db_url)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


def test_the_listing_and_the_fire_agree_on_the_applications_facts(service: Service) -> None:
    """A short article lists submit as blocked with its word count and is refused the same; once longer, both allow it."""
    ref = service.new_article(words=120)
    reason = "the article has 120 words, 300 are needed"
    assert service.triggers(ref)["submit"] == {
        "trigger": "submit",
        "dest": "in_review",
        "allowed": False,
        "reasons": [reason],
    }
    refused = service.fire(ref, "submit", "ann")
    assert (refused.status_code, refused.json()["reasons"]) == (409, [reason])
    assert reason in service.http.get(f"/articles/{ref}/diagram").text
    path = service.http.get(f"/articles/{ref}/path/published").json()
    assert path["steps"][0]["reasons"] == [reason]

    changed = service.http.put(f"/articles/{ref}/body", json={"body": WORDS_300, "actor": "ann"})
    assert changed.json()["words"] == 300
    assert service.triggers(ref)["submit"]["allowed"] is True
    done = service.fire(ref, "submit", "ann")
    assert (done.status_code, done.json()["state"]) == (200, "in_review")
    history = service.http.get(f"/articles/{ref}").json()["history"]
    assert [(h["trigger"], h["actor"]) for h in history] == [("submit", "ann")]


def test_an_author_cannot_approve_their_own_article(service: Service) -> None:
    """Four eyes: the author sees approve blocked with the reason and is refused; an editor approves."""
    ref = service.new_article(author="ann", words=300)
    service.fire(ref, "submit", "ann")
    mine = service.triggers(ref, actor="ann")["approve"]
    assert (mine["allowed"], mine["reasons"]) == (False, ["an author cannot review their own article"])
    assert service.triggers(ref, actor="eve")["approve"]["allowed"] is True
    refused = service.fire(ref, "approve", "ann")
    assert refused.status_code == 409
    assert refused.json()["failed"] == [
        {"guard": "not_the_author", "reason": "an author cannot review their own article"}
    ]
    assert service.fire(ref, "approve", "eve").json()["state"] == "approved"


def test_changes_are_requested_with_a_note_and_resubmitted(service: Service) -> None:
    """A request for changes needs a note long enough; the article then goes back to review."""
    ref = service.new_article(words=300)
    service.fire(ref, "submit", "ann")
    short = service.fire(ref, "request_changes", "eve", note="meh")
    assert short.json()["reasons"] == ["say what to change (a note of 10+ characters)"]
    assert service.fire(ref, "request_changes", "eve", note="the intro is too long").status_code == 200
    assert service.fire(ref, "resubmit", "ann").json()["state"] == "in_review"


def approved_article(service: Service) -> str:
    """A new article, submitted and approved."""
    ref = service.new_article(words=300)
    service.fire(ref, "submit", "ann")
    service.fire(ref, "approve", "eve")
    return ref


def test_a_slot_is_reserved_in_the_transaction_of_the_transition(service: Service) -> None:
    """Scheduling writes the slot with the transition; a taken slot, or a refused transition, writes neither."""
    slot = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    first, second = approved_article(service), approved_article(service)
    assert service.fire(first, "schedule", "eve").json()["reasons"] == [
        "no publication slot is reserved for it"
    ]
    scheduled = service.http.post(
        f"/articles/{first}/schedule", json={"slot": slot.isoformat(), "actor": "eve"}
    )
    assert scheduled.json()["state"] == "scheduled"
    assert (slot.isoformat(), first) in service.slots()

    taken = service.http.post(f"/articles/{second}/schedule", json={"slot": slot.isoformat(), "actor": "eve"})
    assert taken.status_code == 409
    assert taken.json()["error"] == "slot_taken"
    assert service.http.get(f"/articles/{second}").json()["state"] == "approved"

    draft = service.new_article(words=300)
    other = (slot + timedelta(hours=1)).isoformat()
    refused = service.http.post(f"/articles/{draft}/schedule", json={"slot": other, "actor": "eve"})
    assert refused.status_code == 422
    assert all(article != draft for _, article in service.slots())

    published_too_soon = service.fire(first, "publish", "eve")
    assert published_too_soon.json()["reasons"] == [f"its slot is {slot.isoformat()}"]
    assert service.fire(first, "unschedule", "eve").json()["state"] == "approved"
    assert all(article != first for _, article in service.slots())


def test_an_article_is_published_when_its_slot_has_come_and_everyone_is_told(service: Service) -> None:
    """After-commit notifications follow each durable transition, none for a refused one."""
    ref = approved_article(service)
    past = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    service.http.post(f"/articles/{ref}/schedule", json={"slot": past, "actor": "eve"})
    service.fire(ref, "publish", "")
    assert service.fire(ref, "publish", "eve").json()["state"] == "published"
    told = [n for n in service.http.get("/notifications").json() if n["article"] == ref]
    assert [n["state"] for n in told] == ["in_review", "approved", "scheduled", "published"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"title": 5, "author": "ann"}', 400),
        (b'{"title": "x"}', 400),
        (b'{"title": "' + b"x" * 400 + b'", "author": "ann"}', 400),
        (b'{"title": "x", "author": "ann", "body": "' + b"w " * 40_000 + b'"}', 413),
        (b"[" * 50_000, 400),
        (b'{"title": "nul\\u0000here", "author": "ann"}', 422),
        (b'{"title": "\\udcff", "author": "ann"}', 422),
    ],
)
def test_malformed_requests_are_400_or_413(service: Service, body: bytes, status: int) -> None:
    """Bodies that are not JSON objects, miss fields, have wrong types or are too large are refused as such."""
    answer = service.http.post("/articles", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == status, answer.text


def test_no_malformed_request_gets_a_500(service: Service) -> None:
    """Unknown articles, triggers, states, bad slots and odd bodies answer 4xx on every route."""
    ref = service.new_article()
    attempts = [
        service.http.get("/articles/nope"),
        service.http.post("/articles/nope/fire", json={"trigger": "submit", "actor": "x"}),
        service.fire(ref, "fly", "ann"),
        service.http.post(f"/articles/{ref}/fire", json={"trigger": ["submit"]}),
        service.http.post(f"/articles/{ref}/schedule", json={"slot": "tomorrow", "actor": "x"}),
        service.http.post(f"/articles/{ref}/schedule", json={"slot": "2027-01-01T10:00", "actor": "x"}),
        service.http.get(f"/articles/{ref}/path/nowhere"),
        service.http.put(f"/articles/{ref}/body", content=b"\xff\xfe"),
        service.http.put("/articles/nope/body", json={"body": "x", "actor": "x"}),
    ]
    assert [a.status_code for a in attempts] == [404, 404, 422, 400, 400, 400, 422, 400, 404]


def test_the_example_uses_only_public_names() -> None:
    """Every missionflow import of the service names a public package and a name in its __all__."""
    tree = ast.parse(SERVICE.read_text(encoding="utf-8"))
    seen = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "missionflow":
            assert node.module in PUBLIC, node.module
            public = set(importlib.import_module(node.module).__all__)
            seen.extend(alias.name for alias in node.names)
            assert {alias.name for alias in node.names} <= public
        if isinstance(node, ast.Import):
            assert all(alias.name.split(".")[0] != "missionflow" for alias in node.names)
    assert {"open_async_store", "register_guard", "view_diagram"} <= set(seen)
