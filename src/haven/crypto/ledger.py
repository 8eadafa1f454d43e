"""The shred ledger: one JSON line per erased owner, in a file beside the keyring.

It lives outside the database so that restoring a database backup cannot undo an erasure:
the restore replays the ledger before serving (CR-5, pitfall 5). Lines hold an owner id, a
time and a short reason code; no personal data.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

from haven.config import ensure_private_dir
from haven.crypto.keyring import fsync_dir
from haven.db.base import utcnow

log = logging.getLogger(__name__)


def read_owners(path: Path) -> set[uuid.UUID]:
    """Every owner id in the ledger. A line that does not parse (a write torn by a crash,
    whose shred therefore never completed) is skipped with a warning."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    owners: set[uuid.UUID] = set()
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            owners.add(uuid.UUID(json.loads(line)["owner_id"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("crypto.ledger_line_skipped", extra={"fields": {"line": number}})
    return owners


def append(path: Path, *, owner_id: uuid.UUID, reason: str) -> None:
    """Append one line and fsync it before returning: the tombstone must survive a crash."""
    if not path.parent.exists():
        ensure_private_dir(path.parent)
    record = {"owner_id": str(owner_id), "shredded_at": utcnow().isoformat(), "reason": reason}
    data = (json.dumps(record, sort_keys=True) + "\n").encode()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        # A torn previous line must not swallow this record: start on a fresh line.
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if size == 0:
        fsync_dir(path.parent)
