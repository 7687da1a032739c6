"""Files the command line writes (``-o``): whole or not at all, never into a folder that does not
exist, and as private as the database when they hold client data. Every ``-o`` goes through
:func:`write_output`."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import click

from missionflow_cli.app import echo, emit_bytes, shown


def write_output(
    target: str | os.PathLike[str], content: str | bytes, *, private: bool, db: str | None = None
) -> Path:
    """Write an ``-o`` file whole or not at all: into a temporary file beside it, then renamed over it.

    The folder must exist (it is never created: a typo in a path should not make folders). A file
    with client data (``private``) gets the permissions of the database (0600 for the default
    SQLite file), another one the usual permissions for new files.
    """
    path = Path(target)
    if not str(target).strip():
        raise click.BadParameter("give a file name", param_hint="'-o'")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.is_dir():
            raise click.BadParameter(f"{shown(str(path))} is a folder; give a file name", param_hint="'-o'")
        if not path.parent.is_dir():
            raise click.BadParameter(
                f"the folder {shown(str(path.parent))} does not exist", param_hint="'-o'"
            )
        _replace(path, data, _file_mode(private, db))
    except OSError as error:  # a name too long, a folder not writable, a full disk...
        raise click.BadParameter(
            f"cannot write {shown(str(path))}: {error.strerror}", param_hint="'-o'"
        ) from None
    return path


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a temporary file in ``path``'s folder, then rename it over ``path``."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _file_mode(private: bool, db: str | None) -> int:
    if not private:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    from missionflow.store import database_file

    file = database_file(db)
    if file is not None and file.exists():
        return stat.S_IMODE(file.stat().st_mode) & 0o666
    return 0o600


def write_document(
    data: bytes, output: str | os.PathLike[str] | None, *, binary: bool, db: str | None = None
) -> None:
    """Write a rendered document to ``output`` through :func:`write_output` (it holds client data:
    as private as the database) and print where, or print it (text shown safely; a PDF is never
    written to a terminal: give ``-o FILE`` or redirect the output)."""
    if output is not None:
        echo(str(write_output(output, data, private=True, db=db)))
        return
    if not binary:
        echo(data.decode("utf-8"), nl=False)
        return
    emit_bytes(data)


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of printing (its folder must exist).",
)
