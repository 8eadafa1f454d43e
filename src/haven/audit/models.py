"""The audit tables: ``audit_log`` (the hash chain) and ``audit_head`` (its MAC'd tip).

Columns hold ids and short codes only, never personal content. ``recorded_at`` is text so that
the value hashed is byte for byte the value stored (a database timestamp may round it).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from haven.db.base import Base

# BIGINT on PostgreSQL; on SQLite INTEGER PRIMARY KEY is already 64-bit.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditLog(Base):
    __tablename__ = "audit_log"

    # Assigned by the appender under the append lock, never by the database.
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    # UNIQUE: two entries chained onto the same predecessor (a fork) cannot both commit.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(String(32))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))

    def as_record(self) -> dict[str, object]:
        return {c.key: getattr(self, c.key) for c in self.__table__.columns}

    def __repr__(self) -> str:
        return f"<AuditLog {self.seq} {self.action} {self.outcome}>"


class AuditHead(Base):
    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SeqType)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


AUDIT_TABLES = (AuditLog.__table__, AuditHead.__table__)


def _refuse_change(_mapper, _connection, target) -> None:
    raise RuntimeError(f"audit entries are append-only; refusing to change {target!r}")


# Catch accidental ORM edits early; the database role is what stops deliberate ones.
event.listen(AuditLog, "before_update", _refuse_change)
event.listen(AuditLog, "before_delete", _refuse_change)
