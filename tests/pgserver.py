"""A throwaway PostgreSQL server for the tests, started from the local binaries.

It listens on 127.0.0.1 only (a free port; its unix socket in its own temporary folder),
runs with fsync off, and is stopped with ``pg_ctl stop -m immediate``. PostgreSQL refuses
to run as root, so as root the server runs as the ``postgres`` user (or ``nobody``).
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
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL's server is not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
            candidates.append(out.stdout.strip())
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        path = Path(folder)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def _version_key(folder: str) -> tuple[int, ...]:
    version = Path(folder).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_as() -> str | None:
    """The user to run the server as: None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and there is neither a postgres nor a nobody user to run PostgreSQL")


@dataclass
class PostgresServer:
    """A running server; ``url(dbname)`` gives a psycopg URL with the superuser's password."""

    bindir: Path
    folder: Path
    port: int
    password: str
    user: str | None

    def _command(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return [*prefix, *args]

    def url(self, dbname: str = "postgres") -> str:
        """A SQLAlchemy URL for one database of this server."""
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        """Run one statement (CREATE DATABASE, DROP DATABASE) outside a transaction."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            password=self.password,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql.encode())

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                self._command(
                    str(self.bindir / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.folder / "data"),
                    "-m",
                    "immediate",
                    "-w",
                ),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(bindir: Path) -> PostgresServer:
    """Create a cluster in a temporary folder and start it; raise RuntimeError with its log on failure."""
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="missionflow-pg-"))
    password = secrets.token_hex(12)
    (folder / "pwfile").write_text(password + "\n")
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (folder, folder / "pwfile"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bindir, folder, 0, password, user)
    data = folder / "data"
    init = subprocess.run(
        server._command(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            f"--pwfile={folder / 'pwfile'}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        server.stop()
        raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    last_log = ""
    for _attempt in range(3):
        server.port = _free_port()
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={server.port}",
                f"-c unix_socket_directories={folder}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        log = folder / "server.log"
        started = subprocess.run(
            server._command(
                str(bindir / "pg_ctl"),
                "start",
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            return server
        last_log = log.read_text(errors="replace") if log.exists() else started.stderr
    server.stop()
    raise RuntimeError(f"PostgreSQL did not start:\n{last_log}")
