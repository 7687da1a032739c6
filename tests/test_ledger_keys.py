"""The ledger's key lives outside the database: a private file made on init (or the environment
for servers), refused when others can read it; rotated with the old keys kept to verify the past."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from missionflow import open_store
from missionflow.errors import LedgerKeyError
from missionflow.freelance import Payment
from missionflow.store import KEY_ENV, KeyRing, load_keyring, new_key_text, next_keyring
from missionflow.store.database import downgrade, upgrade
from missionflow.testing import eur, identify, lead, working_mission
from tests.cli_helpers import Cli


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No key in the environment: the key ring is the file in a fresh configuration folder."""
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "missionflow" / "ledger.key"


def test_init_creates_a_private_key_file_and_says_where(key_file: Path, tmp_path: Path) -> None:
    """`missionflow init` writes a new key readable by its owner only, in a private folder."""
    run = Cli(tmp_path / "books.db")
    out = run.ok("init")
    assert f"ledger key ring: {key_file}" in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    ring = load_keyring()
    assert ring.source == str(key_file)
    assert f"(key {ring.current_id})" in out
    assert len(ring.current) == 32
    run.ok("client", "add", "Acme")
    assert run("verify").exit_code == 0


def test_a_key_file_others_can_read_is_refused(key_file: Path, tmp_path: Path) -> None:
    """A key file with group or world access is not used, and the message says how to fix it."""
    load_keyring()
    key_file.chmod(0o644)
    run = Cli(tmp_path / "books.db")
    result = run("client", "add", "Acme")
    assert result.exit_code == 1
    assert f"the ledger key file {key_file} can be read by others (mode 0644)" in result.stderr
    assert f"chmod 600 {key_file}" in result.stderr
    assert "internal error" not in result.stderr


def test_the_environment_wins_over_the_file(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MISSIONFLOW_LEDGER_KEY gives the ring (comma-separated keys, newest last); no file is made."""
    first, second = new_key_text(), new_key_text()
    monkeypatch.setenv(KEY_ENV, f"{first}, {second}")
    ring = load_keyring()
    assert ring.source == KEY_ENV
    assert ring.current == KeyRing.parse(second, "x").current
    assert len(ring.keys) == 2
    assert not key_file.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not base64 !!", "is not base64 text"),
        ("c2hvcnQ=", "shorter than 16 bytes"),
        ("# nothing", "holds no key"),
    ],
)
def test_a_malformed_key_ring_is_refused(text: str, message: str) -> None:
    """A ring that is not base64 keys of at least 16 bytes is a LedgerKeyError naming its source."""
    with pytest.raises(LedgerKeyError, match=message):
        KeyRing.parse(text, "somewhere")


def test_a_database_sealed_with_another_key_refuses_writes(store_url: str) -> None:
    """Opened with a key ring that does not hold the ledger's key, a store writes nothing and
    verify names the entries it cannot check."""
    with open_store(store_url) as store:
        ref = lead(store)
    with open_store(store_url, ledger_key=new_key_text()) as other:
        with pytest.raises(LedgerKeyError, match="which is not in the key ring"):
            other.fire(ref, "qualify")
        [failure, *_] = other.verify()
        assert failure.what == "ledger entry #1"
        assert "is sealed with key" in failure.problem
        assert other.get_mission(ref).state == "lead"


def test_rotation_keeps_the_past_verifiable_and_refuses_the_old_key(key_file: Path, tmp_path: Path) -> None:
    """`ledger rotate` adds a key to the file and seals with it; the ring verifies old and new
    entries, and a store holding only the old key can no longer write."""
    run = Cli(tmp_path / "books.db")
    run.ok("init")
    old = load_keyring()
    run.ok("client", "add", "Acme")
    out = run.ok("ledger", "rotate")
    ring = load_keyring()
    assert ring.keys[0] == old.current
    assert len(ring.keys) == 2
    assert f"sealed with key {ring.current_id}" in out
    run.ok("mission", "new", "C-1", "Logo")
    assert run("verify").exit_code == 0
    status = run.json("ledger", "status")
    assert isinstance(status, dict)
    assert status["keys"] == list(ring.ids)
    with open_store(tmp_path / "books.db", ledger_key=old) as stale:
        client = stale.add_client("Bob").ref  # clients are not in the ledger: nothing to seal
        with pytest.raises(LedgerKeyError):
            stale.create_mission(client, "Site")


def test_rotation_from_the_environment_needs_the_new_key_first(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the ring in the environment, rotate seals to its newest key, which must be new."""
    with open_store(store_url) as store:
        working_mission(store)
        with pytest.raises(Exception, match="already sealed with the newest key"):
            store.audit.rotate_key()
    old = os.environ[KEY_ENV]
    monkeypatch.setenv(KEY_ENV, f"{old},{new_key_text()}")
    ring = next_keyring(load_keyring())
    with open_store(store_url, ledger_key=ring) as store:
        anchor = store.audit.rotate_key()
        store.record_payment(
            "M-1",
            Payment(eur("5"), date(2026, 3, 4)),
        )
        assert store.verify() == []
        assert store.verify(since=str(anchor)) == []


def test_the_migration_brings_an_existing_database_into_the_ledger(store_url: str) -> None:
    """A database from before the ledger: its rows become the first entries, and it verifies."""
    with open_store(store_url) as store:
        identify(store)
        ref = working_mission(store)
        store.issue_invoice(
            ref,
            "deposit",
            eur("300"),
            date(2026, 3, 3),
            date(2026, 4, 2),
        )
    engine = create_engine(store_url)
    try:
        downgrade(engine, "0003")
        upgrade(engine)
        with engine.connect() as conn:
            kinds = dict(conn.execute(text("SELECT kind, count(*) FROM mf_ledger GROUP BY kind")).all())
            history = conn.execute(text("SELECT count(*) FROM mf_history")).scalar_one()
    finally:
        engine.dispose()
    assert kinds["history"] == history
    assert kinds["ledger"] == 1
    assert {"mission", "contract", "payment", "invoice"} <= set(kinds)
    with open_store(store_url) as store:
        assert store.verify() == []
        store.fire(ref, "deliver", data={"deliverable": "website"})
        assert store.verify() == []
