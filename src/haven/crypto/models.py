"""Tables of the crypto package: which KEK versions exist, and each owner's wrapped data keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from haven.db.base import Base, UTCDateTime, utcnow


class KekVersion(Base):
    """A key-encryption key version known to this database. The key itself stays in the keyring;
    only its check value is kept, to detect a wrong key file."""

    __tablename__ = "kek_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    check_value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)


class MemberKey(Base):
    """One owner's data key (DEK), wrapped under a KEK version. Deleting the row shreds the data.

    ``owner_id`` is deliberately not a foreign key to ``users``: erasure deletes this row
    first (crypto-shredding) and the owner's other rows in any order after.
    """

    __tablename__ = "member_keys"

    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    dek_version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=1)
    kek_version: Mapped[int] = mapped_column(Integer, ForeignKey("kek_versions.version"))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("dek_version >= 1", name="dek_version_positive"),)


TABLES = (KekVersion.__table__, MemberKey.__table__)
