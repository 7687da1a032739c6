"""The logos printed on documents: read from the settings' file when a document is issued, stored
once by their SHA-256, and read back to print the document again exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from missionflow.errors import ConflictError
from missionflow.store import rows
from missionflow.store.models import LogoRow
from missionflow.store.session import now

MAX_LOGO_BYTES = 2_000_000
"""A logo larger than this is refused: it would weigh on every document it is printed on."""


def keep_logo(session: Session, path: str) -> str | None:
    """Store the logo file at ``path`` (none when empty) and return its SHA-256; ConflictError when
    the file can no longer be read or is not a PNG or SVG image."""
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ConflictError(
            "logo", f"cannot read the logo {path}: {error.strerror} (settings set logo)"
        ) from None
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or b"<svg" in data[:1024]):
        raise ConflictError("logo", f"{path} is neither a PNG nor an SVG image (settings set logo)")
    if len(data) > MAX_LOGO_BYTES:
        raise ConflictError("logo", f"{path} is over {MAX_LOGO_BYTES // 1_000_000} MB: use a smaller image")
    digest = hashlib.sha256(data).hexdigest()
    rows.insert_if_absent(session, LogoRow, {"sha256": digest, "data": data, "created_at": now()})
    return digest


def logo_bytes(session: Session, digest: str | None) -> bytes | None:
    """The logo stored under ``digest`` (None for none)."""
    if digest is None:
        return None
    row = session.get(LogoRow, digest)
    return bytes(row.data) if row is not None else None
