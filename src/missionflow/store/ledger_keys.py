"""The ledger's secret keys, kept outside the database: a key ring read from ``MISSIONFLOW_LEDGER_KEY``
(servers) or from a file readable by its owner only in the user's configuration folder.

A key ring lists every key the ledger was ever sealed with, oldest first; the last one seals new
entries. Each key is 32 random bytes written in URL-safe base64, one per line (``#`` starts a
comment); in the environment variable, keys are separated by commas. A key is known by its id,
the first 16 hex digits of an HMAC of a fixed text under the key, which the ledger stores with
every entry (never the key itself).

>>> ring = KeyRing.parse("ZmFrZS1rZXktZm9yLWEtZG9jdGVzdC0wMDAwMDAwMDA=", "doctest")
>>> ring.current_id == ring.ids[0]
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from missionflow.errors import LedgerKeyError

KEY_ENV = "MISSIONFLOW_LEDGER_KEY"
"""A key ring given by the environment (comma-separated keys, newest last): it wins over the file."""
KEY_FILE_ENV = "MISSIONFLOW_LEDGER_KEY_FILE"
"""Another key file than the default one."""
KEY_FILE_NAME = "ledger.key"
APP_NAME = "missionflow"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
_ID_TEXT = b"missionflow ledger key id"


def key_id(key: bytes) -> str:
    """The public name of a key: 16 hex digits that reveal nothing of it."""
    return hmac.new(key, _ID_TEXT, hashlib.sha256).hexdigest()[:16]


def new_key_text() -> str:
    """A fresh random key, as written in a key ring."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class KeyRing:
    """The keys that sealed the ledger (oldest first) and where they came from; the last one seals."""

    keys: tuple[bytes, ...]
    source: str
    """Where the ring was read: the environment variable's name or the file's path."""

    def __post_init__(self) -> None:
        if not self.keys:
            raise LedgerKeyError(f"the ledger key ring in {self.source} holds no key")

    @classmethod
    def parse(cls, text: str, source: str) -> KeyRing:
        """The ring written in ``text`` (lines or commas of base64 keys, ``#`` comments)."""
        keys: list[bytes] = []
        for line in text.replace(",", "\n").splitlines():
            word = line.split("#", 1)[0].strip()
            if not word:
                continue
            try:
                key = base64.urlsafe_b64decode(word + "=" * (-len(word) % 4))
            except (binascii.Error, ValueError):
                raise LedgerKeyError(f"a ledger key in {source} is not base64 text") from None
            if len(key) < MIN_KEY_BYTES:
                raise LedgerKeyError(f"a ledger key in {source} is shorter than {MIN_KEY_BYTES} bytes")
            keys.append(key)
        return cls(tuple(keys), source)

    @property
    def current(self) -> bytes:
        """The key that seals new entries."""
        return self.keys[-1]

    @property
    def current_id(self) -> str:
        """The id of the key that seals new entries."""
        return key_id(self.current)

    @property
    def ids(self) -> tuple[str, ...]:
        """The id of every key of the ring, oldest first."""
        return tuple(key_id(k) for k in self.keys)

    def key(self, wanted: str) -> bytes | None:
        """The key with this id, or None when the ring does not hold it."""
        for key in self.keys:
            if key_id(key) == wanted:
                return key
        return None

    def with_new_key(self) -> tuple[KeyRing, str]:
        """This ring with a fresh key appended (it seals from now on), and that key's text."""
        text = new_key_text()
        return KeyRing((*self.keys, base64.urlsafe_b64decode(text)), self.source), text

    def as_text(self) -> str:
        """The ring as written in a key file, oldest key first."""
        return "".join(base64.urlsafe_b64encode(k).decode("ascii") + "\n" for k in self.keys)


def default_key_file() -> Path:
    """Where the key ring lives when no environment variable gives it."""
    configured = os.environ.get(KEY_FILE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / KEY_FILE_NAME


def _check_private(path: Path) -> None:
    """Refuse a key file that someone else could read or write: a leaked key forges the ledger."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise LedgerKeyError(f"the ledger key file {path} is not a regular file")
    if info.st_mode & 0o077:
        raise LedgerKeyError(
            f"the ledger key file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):04o}); "
            f"make it private with: chmod 600 {path}"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise LedgerKeyError(f"the ledger key file {path} belongs to another user")


def read_key_file(path: Path) -> KeyRing:
    """The ring in a key file, refused when others can read it."""
    try:
        _check_private(path)
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise LedgerKeyError(f"there is no ledger key file at {path}; run missionflow init") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not a key file"
        raise LedgerKeyError(f"cannot read the ledger key file {path}: {reason}") from None
    return KeyRing.parse(text, str(path))


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the ring atomically, readable by its owner only (its folder too when it creates it)."""
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(ring.as_text())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        finally:
            if temporary.exists():
                temporary.unlink()
    except OSError as error:
        raise LedgerKeyError(f"cannot write the ledger key file {path}: {error.strerror}") from None


def load_keyring(*, create: bool = True) -> KeyRing:
    """The ring from ``MISSIONFLOW_LEDGER_KEY``, else from the key file (created on first use when
    ``create``, like the default database)."""
    given = os.environ.get(KEY_ENV, "").strip()
    if given:
        return KeyRing.parse(given, KEY_ENV)
    path = default_key_file()
    if create and not path.exists():
        ring = KeyRing((base64.urlsafe_b64decode(new_key_text()),), str(path))
        write_key_file(path, ring)
        return ring
    return read_key_file(path)


def next_keyring(ring: KeyRing) -> KeyRing:
    """The ring a rotation seals to. A file ring gets a fresh key, written to the file before
    anything is sealed with it (a key is never used before it is kept); a ring from the environment
    must already end with the new key (``missionflow ledger new-key`` makes one)."""
    if ring.source == KEY_ENV:
        return ring
    rotated, _ = ring.with_new_key()
    write_key_file(Path(ring.source), rotated)
    return rotated


def keyring_of(value: KeyRing | str | bytes | None) -> KeyRing | None:
    """A ring from what an application gives ``open_store(ledger_key=...)``: a ring, its text, or
    one raw key of at least 16 bytes."""
    if value is None or isinstance(value, KeyRing):
        return value
    if isinstance(value, bytes):
        if len(value) < MIN_KEY_BYTES:
            raise LedgerKeyError(f"a ledger key must be at least {MIN_KEY_BYTES} bytes")
        return KeyRing((value,), "the application")
    return KeyRing.parse(value, "the application")
