"""Account tables. Members give nothing but a passphrase; what they choose to add is sealed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from haven.db.base import Base, UTCDateTime, new_id, utcnow

ROLES = ("member", "clinician", "operator")


class User(Base):
    """One row per person who can log in. Members are known only by a generated handle."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    role: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    passphrase_hash: Mapped[str] = mapped_column(String(255))
    recovery_code_hash: Mapped[str | None] = mapped_column(String(64))
    # Chosen by the member, so personal: sealed with their own data key.
    nickname_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # ISO 3166 country and BCP 47 language: coarse, chosen, used for help lines and wording.
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(16))
    # Staff only: how colleagues and linked members see them.
    display_name: Mapped[str | None] = mapped_column(String(120))
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last accepted TOTP time step: a code is accepted once (pyotp#61).
    totp_last_timecode: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_staff(self) -> bool:
        return self.role in ("clinician", "operator")


class AuthSession(Base):
    """A server-side session. Only the SHA-256 of the token is kept, so a database leak grants nothing."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginChallenge(Base):
    """The step between a staff passphrase and a session: enrol or enter a TOTP code."""

    __tablename__ = "login_challenges"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "enrol" or "verify"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthFailure(Base):
    """A failed login, counted per bucket for throttling. Buckets are keyed hashes: no handle or address kept."""

    __tablename__ = "auth_failures"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    bucket: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
