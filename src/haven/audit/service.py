"""Recording, sealing and verifying audit entries.

Services call ``record(session, ...)``: it only stages the entry on the session. The hook that
``install`` puts on the session factory seals staged entries at commit time, in the same
transaction as the action they describe: it takes the append lock, reads the MAC'd head,
chains the entries after it and moves the head. Sealing at commit keeps the lock for
milliseconds instead of the whole request (a lock held across the request deadlocked in
LanternOps/breeze#1240); ``UNIQUE(prev_hash)`` turns any fork that slipped past the lock into a
failed commit instead of a silent branch.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from haven.audit import chain
from haven.audit.models import AuditHead, AuditLog
from haven.config import Settings, local_secret

log = logging.getLogger(__name__)

PENDING = "audit_pending"
MARKS = "audit_savepoint_marks"
INSTALLED = "audit_installed"
HEAD_SECRET_PURPOSE = "audit-head"
RESET_ACTION = "audit.head.reset"
# pg_advisory_xact_lock key: the bytes of "havenaud" as a signed 64-bit integer.
APPEND_LOCK_KEY = int.from_bytes(b"havenaud", "big", signed=True)

ROLES = frozenset({"member", "clinician", "operator", "system", "anonymous"})
OUTCOMES = frozenset({"success", "failure", "denied"})
_ACTION = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
_CODE = re.compile(r"[a-z][a-z0-9_.-]*")
_OBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


# ---------------------------------------------------------------- staging


def _uuid_text(name: str, value: uuid.UUID | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise ValueError(f"audit {name} must be a UUID")


def _code(name: str, value: str | None, pattern: re.Pattern[str], max_len: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len or not pattern.fullmatch(value):
        raise ValueError(f"audit {name} must be a short lowercase code")
    return value


def _object_id(value: uuid.UUID | str | int | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    if isinstance(value, str) and len(value) <= 64 and _OBJECT_ID.fullmatch(value):
        return value
    raise ValueError("audit object_id must be a UUID, an integer or a short id")


def record(
    session: Session,
    *,
    actor_role: str,
    actor_id: uuid.UUID | str | None,
    action: str,
    subject_id: uuid.UUID | str | None = None,
    object_type: str | None = None,
    object_id: uuid.UUID | str | int | None = None,
    outcome: str = "success",
    reason: str | None = None,
) -> None:
    """Stage an audit entry; it is written when (and only if) the session commits.

    Starts the session's transaction if none is open, so a rollback always discards it.
    Raises ValueError for malformed codes or ids: audit entries carry ids and codes only.
    """
    if not session.info.get(INSTALLED):
        raise RuntimeError("haven.audit.service.install() was not called on this session's factory")
    if actor_role not in ROLES:
        raise ValueError(f"audit actor_role must be one of {sorted(ROLES)}")
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {sorted(OUTCOMES)}")
    entry = {
        "recorded_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "actor_role": actor_role,
        "actor_id": _uuid_text("actor_id", actor_id),
        "action": _code("action", action, _ACTION, 64),
        "subject_id": _uuid_text("subject_id", subject_id),
        "object_type": _code("object_type", object_type, _CODE, 32),
        "object_id": _object_id(object_id),
        "outcome": outcome,
        "reason": _code("reason", reason, _CODE, 64),
    }
    if session.get_transaction() is None:
        # Begin now so that a rollback before the first query still discards this entry.
        session.begin()
    session.info.setdefault(PENDING, []).append(entry)


# ---------------------------------------------------------------- the head's secret

def head_secret(settings: Settings) -> bytes:
    return local_secret(settings, HEAD_SECRET_PURPOSE)


def _settings(session: Session) -> Settings:
    settings = session.info.get("settings")
    if settings is None:
        raise RuntimeError("the audit log needs session.info['settings'] (set by the session factory)")
    return settings


# ---------------------------------------------------------------- sealing at commit


def _take_append_lock(session: Session) -> None:
    # SQLite needs nothing here: every Haven transaction begins IMMEDIATE, holding the write lock.
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})


def _read_head(session: Session):
    stmt = select(AuditHead.seq, AuditHead.hash, AuditHead.mac).where(AuditHead.id == 1)
    return session.execute(stmt).first()


def _read_tail(session: Session):
    stmt = select(AuditLog.seq, AuditLog.hash).order_by(AuditLog.seq.desc()).limit(1)
    return session.execute(stmt).first()


def _chain_tip(session: Session, secret: bytes) -> tuple[int, str, str | None]:
    """Where to append: (seq, hash, reason the head had to be reset or None)."""
    head_row, tail = _read_head(session), _read_tail(session)
    authentic = head_row is not None and chain.head_is_authentic(secret, head_row.seq, head_row.hash, head_row.mac)
    if authentic and (tail is None or tail.seq <= head_row.seq):
        # Chain after the head, not the tail, so that a truncated tail stays visible as a gap.
        return head_row.seq, head_row.hash, None
    if head_row is None and tail is None:
        return 0, chain.GENESIS_HASH, None
    reason = "head_missing" if head_row is None else ("head_invalid" if not authentic else "head_behind")
    # Never re-sign a head we cannot vouch for; restart from the real tail and say so in the chain.
    log.warning("audit.head_reset", extra={"fields": {"reason": reason}})
    return (tail.seq, tail.hash, reason) if tail else (0, chain.GENESIS_HASH, reason)


def _write_head(session: Session, seq: int, hash_: str, secret: bytes) -> None:
    values = {"seq": seq, "hash": hash_, "mac": chain.head_mac(secret, seq, hash_)}
    table = AuditHead.__table__
    result = session.execute(update(table).where(table.c.id == 1).values(**values))
    if result.rowcount == 0:
        session.execute(table.insert().values(id=1, **values))


def _seal(session: Session) -> str | None:
    """Chain the staged entries into the log now; returns the new head hash (None if nothing was staged)."""
    if session.in_nested_transaction():
        return None  # a savepoint is being released; the outer commit seals
    pending = session.info.get(PENDING)
    if not pending:
        return None
    entries = list(pending)
    pending.clear()
    secret = head_secret(_settings(session))
    _take_append_lock(session)
    seq, prev_hash, reset = _chain_tip(session, secret)
    if reset:
        entries.insert(
            0,
            {
                **entries[0],
                "actor_role": "system",
                "actor_id": None,
                "action": RESET_ACTION,
                "subject_id": None,
                "object_type": "audit_head",
                "object_id": None,
                "outcome": "failure",
                "reason": reset,
            },
        )
    rows = chain.seal(entries, after_seq=seq, after_hash=prev_hash)
    session.add_all([AuditLog(**row) for row in rows])
    _write_head(session, rows[-1]["seq"], rows[-1]["hash"], secret)
    return rows[-1]["hash"]


def flush_pending(session: Session) -> str | None:
    """Seal what is staged before the commit, when the caller must show the entry's hash (an erasure receipt).

    Takes the append lock until the commit, so use it at the end of a unit of work.
    """
    return _seal(session)


def _on_transaction_create(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(MARKS, {})[transaction] = len(session.info.get(PENDING, ()))


def _on_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if pending is None:
        return
    if previous.nested:
        # A rolled-back savepoint drops only what was staged inside it.
        del pending[session.info.get(MARKS, {}).get(previous, 0) :]
    else:
        pending.clear()


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Savepoint marks are still needed by after_soft_rollback, which runs after this event.
    if transaction.parent is None:
        session.info.pop(MARKS, None)
        if session.info.get(PENDING):
            session.info[PENDING].clear()


def install(session_factory: sessionmaker) -> None:
    """Make sessions from ``session_factory`` seal staged audit entries when they commit."""
    if session_factory.kw.get("info", {}).get(INSTALLED):
        return
    event.listen(session_factory, "before_commit", _seal)
    event.listen(session_factory, "after_transaction_create", _on_transaction_create)
    event.listen(session_factory, "after_soft_rollback", _on_soft_rollback)
    event.listen(session_factory, "after_transaction_end", _on_transaction_end)
    # Sessions copy this dict, so record() can refuse a session whose entries would be lost.
    session_factory.kw["info"] = {**session_factory.kw.get("info", {}), INSTALLED: True}


# ---------------------------------------------------------------- reading and verifying


@dataclass
class VerifyReport:
    ok: bool
    entries_checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    message: str = ""
    head_seq: int | None = None
    head_hash: str | None = None
    # Sequence numbers of audit.head.reset entries: the chain before each could not be vouched for.
    resets: list[int] = field(default_factory=list)


def head(session: Session) -> tuple[int, str] | None:
    row = _read_head(session)
    return (row.seq, row.hash) if row else None


def list_for_subject(
    session: Session, *, subject_id: uuid.UUID | str, limit: int = 200, before_seq: int | None = None
) -> list[AuditLog]:
    """Entries about one member, newest first; page with ``before_seq`` (the last seq shown)."""
    if not 1 <= limit <= 1000:
        raise ValueError("limit must be between 1 and 1000")
    stmt = select(AuditLog).where(AuditLog.subject_id == _uuid_text("subject_id", subject_id))
    if before_seq is not None:
        stmt = stmt.where(AuditLog.seq < before_seq)
    return list(session.scalars(stmt.order_by(AuditLog.seq.desc()).limit(limit)))


def _find_seq_by_hash(session: Session):
    def find(hash_: str) -> int | None:
        return session.execute(select(AuditLog.seq).where(AuditLog.hash == hash_).limit(1)).scalar()

    return find


def verify(session: Session, *, batch_size: int = 1000) -> VerifyReport:
    """Walk the whole chain in ``seq`` order and check it against the MAC'd head.

    Holds the append lock while it runs (SQLite holds the write lock anyway), so the head
    and the rows are read at one point in time; appends wait until it finishes.
    """
    secret = head_secret(_settings(session))
    _take_append_lock(session)
    head_row = _read_head(session)
    authentic = head_row is not None and chain.head_is_authentic(secret, head_row.seq, head_row.hash, head_row.mac)
    verifier = chain.ChainVerifier(
        head_seq=head_row.seq if authentic else None, find_seq_by_hash=_find_seq_by_hash(session)
    )
    resets: list[int] = []
    stmt = select(*AuditLog.__table__.columns).order_by(AuditLog.seq)
    result = session.execute(stmt, execution_options={"yield_per": batch_size})
    try:
        for row in result.mappings():
            if verifier.feed(row):
                break
            if row["action"] == RESET_ACTION:
                resets.append(row["seq"])
    finally:
        result.close()

    report = VerifyReport(
        ok=False,
        entries_checked=verifier.checked,
        head_seq=head_row.seq if head_row else None,
        head_hash=head_row.hash if head_row else None,
        resets=resets,
    )
    broken = verifier.broken
    if broken is None and authentic:
        broken = chain.check_end(
            last_seq=verifier.last_seq, last_hash=verifier.last_hash, heads=[(head_row.seq, head_row.hash)]
        )
    if broken is None and head_row is None and verifier.checked:
        broken = chain.Break(None, chain.HEAD_MISSING, "the log has entries but no head")
    if broken is None and head_row is not None and not authentic:
        broken = chain.Break(None, chain.HEAD_INVALID, "the head's MAC does not match (forged, or the secret changed)")
    if broken is None:
        report.ok = True
        report.message = f"{verifier.checked} entries verified"
        return report
    report.first_bad_seq, report.problem, report.message = broken.seq, broken.problem, broken.message
    return report
