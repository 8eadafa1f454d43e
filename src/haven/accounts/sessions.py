"""Server-side sessions: 256-bit random tokens, stored as SHA-256, with idle and absolute limits per role."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haven.accounts.models import AuthSession, User
from haven.config import Settings
from haven.db.base import utcnow

# Writing last_seen on every request would make every read a write; a minute is finer than any limit.
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def limits(settings: Settings, role: str) -> tuple[timedelta, timedelta]:
    if role == "member":
        return timedelta(minutes=settings.member_idle_minutes), timedelta(hours=settings.member_absolute_hours)
    return timedelta(minutes=settings.clinician_idle_minutes), timedelta(hours=settings.clinician_absolute_hours)


@dataclass(frozen=True)
class Authenticated:
    user: User
    session_id: object
    role: str


def start(session: Session, *, settings: Settings, user: User) -> str:
    """Open a session for ``user`` and return its token (shown to the client once, never stored)."""
    token = new_token()
    now = utcnow()
    _, absolute = limits(settings, user.role)
    session.add(
        AuthSession(
            token_hash=token_hash(token), user_id=user.id, role=user.role,
            created_at=now, last_seen_at=now, expires_at=now + absolute,
        )
    )
    session.flush()
    return token


def resolve(session: Session, *, settings: Settings, token: str) -> Authenticated | None:
    """The live session for ``token``, or None when unknown, idle too long, expired or disabled."""
    row = session.execute(select(AuthSession).where(AuthSession.token_hash == token_hash(token))).scalar_one_or_none()
    if row is None:
        return None
    now = utcnow()
    idle, _ = limits(settings, row.role)
    if now >= row.expires_at or now - row.last_seen_at >= idle:
        session.delete(row)
        session.flush()
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Authenticated(user=user, session_id=row.id, role=row.role)


def end(session: Session, *, token: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash(token)))


def revoke_all(session: Session, *, user_id) -> None:
    session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
