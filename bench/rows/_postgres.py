"""A throwaway PostgreSQL server for the PostgreSQL row, started from the local binaries.

Unlike the test suite's server it keeps PostgreSQL's durable defaults (fsync, synchronous
commit): the row measures what a user's server does. It listens on 127.0.0.1 only; as root
it runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, else the ones on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: Path(p).parent.name, reverse=True
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


@dataclass(frozen=True)
class Server:
    """A running server: how to reach it (never printed: the password is in it)."""

    port: int
    password: str

    def sqlalchemy_url(self, dbname: str) -> str:
        """The URL open_store takes."""
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str) -> str:
        """The connection string psycopg takes."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} password={self.password} dbname={dbname}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"]
    raise RuntimeError("running as root and there is neither a postgres nor a nobody user to run PostgreSQL")


@contextlib.contextmanager
def running_server(bindir: Path) -> Iterator[Server]:
    """Create a cluster in a temporary folder, start it, and stop and remove it afterwards."""
    prefix = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="missionflow-bench-pg-"))
    data = folder / "data"
    password = secrets.token_hex(12)
    (folder / "pwfile").write_text(password + "\n")
    if prefix:
        entry = pwd.getpwnam(prefix[2])
        for path in (folder, folder / "pwfile"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={folder / 'pwfile'}",
             "--auth-host=scram-sha-256", "--auth-local=trust", "--encoding=UTF8", "--locale=C"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(folder / "server.log"),
             "-o", options, "-w", "-t", "60"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        detail = log.read_text(errors="replace")[-800:] if log.exists() else (exc.stderr or "")[-800:]
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {detail}") from None
    try:
        yield Server(port, password)
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
