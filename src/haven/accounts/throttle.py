"""Login throttling per account and per client address, kept in the database so that every
worker sees the same counts (in-memory counters are per process: slowapi#226).

- Per account: back-off from the fifth failure (1 s, 2 s, 4 s … capped at 15 minutes) and at
  most ``login_account_failures_per_hour`` failures in any hour.
- Per address: at most ``login_address_failures_per_hour`` failures in any hour.
A success clears the account's failures. Buckets are HMACs of the handle or address, so the
table holds neither.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from haven.accounts.models import AuthFailure
from haven.config import Settings, local_secret
from haven.db.base import utcnow
from haven.errors import RateLimited

WINDOW = timedelta(hours=1)
BACKOFF_FROM = 5
BACKOFF_CAP_SECONDS = 15 * 60


def bucket(settings: Settings, kind: str, value: str) -> str:
    return hmac.new(local_secret(settings, "throttle"), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _recent(session: Session, bucket_id: str):
    since = utcnow() - WINDOW
    row = session.execute(
        select(func.count(), func.min(AuthFailure.failed_at), func.max(AuthFailure.failed_at)).where(
            AuthFailure.bucket == bucket_id, AuthFailure.failed_at > since
        )
    ).one()
    return row[0], row[1], row[2]


def _utc(value):
    # SQLite returns naive datetimes from aggregate functions; they were stored as UTC.
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def check(session: Session, *, settings: Settings, account_bucket: str, address_bucket: str) -> None:
    """Raise RateLimited with the seconds to wait when either bucket is over its limit."""
    now = utcnow()
    count, oldest, latest = _recent(session, account_bucket)
    oldest, latest = _utc(oldest), _utc(latest)
    if count >= settings.login_account_failures_per_hour:
        raise RateLimited(int((oldest + WINDOW - now).total_seconds()) + 1)
    if count >= BACKOFF_FROM:
        wait = min(2 ** (count - BACKOFF_FROM), BACKOFF_CAP_SECONDS)
        remaining = (latest + timedelta(seconds=wait) - now).total_seconds()
        if remaining > 0:
            raise RateLimited(int(remaining) + 1)
    count, oldest, _ = _recent(session, address_bucket)
    if count >= settings.login_address_failures_per_hour:
        raise RateLimited(int((_utc(oldest) + WINDOW - now).total_seconds()) + 1)


def record_failure(session: Session, *, account_bucket: str, address_bucket: str) -> None:
    now = utcnow()
    session.add_all([AuthFailure(bucket=account_bucket, failed_at=now), AuthFailure(bucket=address_bucket, failed_at=now)])
    # Old rows are no longer counted; trimming here keeps the table small without a job.
    session.execute(delete(AuthFailure).where(AuthFailure.failed_at < now - WINDOW))
    session.flush()


def clear_account(session: Session, *, account_bucket: str) -> None:
    session.execute(delete(AuthFailure).where(AuthFailure.bucket == account_bucket))
