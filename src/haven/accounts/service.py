"""Accounts: the only entry point other domains use. Functions flush; the caller's unit of work commits.

Sign-up asks for nothing but a passphrase. Log-in answers the same way, after the same Argon2
work, whether the handle is unknown or the passphrase wrong. Staff need a TOTP code before
they get a session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from haven.accounts import handles, sessions, throttle, totp
from haven.accounts.models import LoginChallenge, User
from haven.accounts.passphrases import check_rules, hasher_for
from haven.audit import service as audit
from haven.config import Settings
from haven.crypto import service as crypto
from haven.db.base import utcnow
from haven.errors import Conflict, Invalid, NotFound, Unauthenticated

CHALLENGE_TTL = timedelta(minutes=10)
CHALLENGE_MAX_ATTEMPTS = 5
LOGIN_FAILED = "That handle and passphrase do not match."


def _settings(session: Session) -> Settings:
    return session.info["settings"]


def _recovery_code() -> str:
    raw = secrets.token_hex(10).upper()  # 80 bits: too strong to guess, so SHA-256 suffices to store it
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().upper().encode()).hexdigest()


@dataclass(frozen=True)
class Signup:
    user: User
    recovery_code: str
    token: str


@dataclass(frozen=True)
class LoginResult:
    token: str | None = None
    mfa: str | None = None
    challenge: str | None = None
    otpauth_uri: str | None = None


def signup(
    session: Session, *, passphrase: str, nickname: str | None = None,
    country: str | None = None, language: str | None = None,
) -> Signup:
    check_rules(passphrase)
    settings = _settings(session)
    recovery_code = _recovery_code()
    user = User(
        id=uuid.uuid4(), role="member", passphrase_hash=hasher_for(settings).hash(passphrase),
        recovery_code_hash=_hash_recovery(recovery_code),
        country=country.upper() if country else None, language=language,
    )
    _insert_with_unique_handle(session, user)
    crypto.create_data_key(session, owner_id=user.id)
    if nickname:
        user.nickname_sealed = crypto.seal(
            session, owner_id=user.id, table="users", column="nickname", row_id=user.id, plaintext=nickname
        )
    token = sessions.start(session, settings=settings, user=user)
    audit.record(session, actor_role="member", actor_id=user.id, action="member.signup", subject_id=user.id)
    return Signup(user=user, recovery_code=recovery_code, token=token)


def _insert_with_unique_handle(session: Session, user: User, attempts: int = 8) -> None:
    # SQLite holds the write lock (BEGIN IMMEDIATE); on PostgreSQL a lost race ends in the
    # unique constraint, out of some 22 million handles.
    for _ in range(attempts):
        candidate = handles.generate()
        if session.execute(select(User.id).where(User.handle == candidate)).first() is None:
            user.handle = candidate
            session.add(user)
            session.flush()
            return
    raise Conflict("Could not find a free handle; please try again.")


def login(session: Session, *, handle: str, passphrase: str, client_address: str) -> LoginResult:
    settings = _settings(session)
    handle = handles.normalise(handle)
    account_bucket = throttle.bucket(settings, "account", handle)
    address_bucket = throttle.bucket(settings, "address", client_address)
    throttle.check(session, settings=settings, account_bucket=account_bucket, address_bucket=address_bucket)

    user = session.execute(select(User).where(User.handle == handle)).scalar_one_or_none()
    hasher = hasher_for(settings)
    # Always one Argon2 verify, against a dummy hash when the handle is unknown (ASVS 6.3.8).
    ok = hasher.verify(user.passphrase_hash if user else None, passphrase)
    if not ok or user is None or user.disabled_at is not None:
        throttle.record_failure(session, account_bucket=account_bucket, address_bucket=address_bucket)
        audit.record(
            session, actor_role="anonymous", actor_id=None, action="auth.login.failure",
            subject_id=user.id if user else None, outcome="failure",
        )
        raise Unauthenticated(LOGIN_FAILED, code="login_failed", keep_changes=True)

    throttle.clear_account(session, account_bucket=account_bucket)
    if hasher.needs_rehash(user.passphrase_hash):
        user.passphrase_hash = hasher.hash(passphrase)
    if user.is_staff:
        return _start_challenge(session, user)
    token = sessions.start(session, settings=settings, user=user)
    audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.login.success", subject_id=user.id)
    return LoginResult(token=token)


def _start_challenge(session: Session, user: User) -> LoginResult:
    token = sessions.new_token()
    enrolling = user.totp_enrolled_at is None
    uri = None
    if enrolling:
        secret = totp.new_secret()
        user.totp_secret_sealed = crypto.seal(
            session, owner_id=user.id, table="users", column="totp_secret", row_id=user.id, plaintext=secret
        )
        uri = totp.provisioning_uri(secret, handle=user.handle)
    session.execute(delete(LoginChallenge).where(LoginChallenge.user_id == user.id))
    session.add(
        LoginChallenge(
            token_hash=sessions.token_hash(token), user_id=user.id,
            purpose="enrol" if enrolling else "verify", expires_at=utcnow() + CHALLENGE_TTL,
        )
    )
    session.flush()
    audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.login.passphrase_ok", subject_id=user.id)
    return LoginResult(mfa="enrol" if enrolling else "verify", challenge=token, otpauth_uri=uri)


def complete_mfa(session: Session, *, challenge: str, code: str) -> str:
    """Check a staff member's TOTP code against their pending challenge and open a session."""
    settings = _settings(session)
    row = session.execute(
        select(LoginChallenge).where(LoginChallenge.token_hash == sessions.token_hash(challenge))
    ).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow() or row.attempts >= CHALLENGE_MAX_ATTEMPTS:
        raise Unauthenticated("That sign-in step has expired; please log in again.", code="challenge_expired")
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        raise Unauthenticated("That sign-in step has expired; please log in again.", code="challenge_expired")
    secret = crypto.open_sealed(
        session, owner_id=user.id, table="users", column="totp_secret", row_id=user.id, blob=user.totp_secret_sealed
    )
    step = totp.accept(secret, code, last_timecode=user.totp_last_timecode)
    if step is None:
        row.attempts += 1
        audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.mfa.failure", subject_id=user.id, outcome="failure")
        raise Unauthenticated("That code is not valid.", code="mfa_failed", keep_changes=True)
    user.totp_last_timecode = step
    if row.purpose == "enrol":
        user.totp_enrolled_at = utcnow()
        audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.mfa.enrol", subject_id=user.id)
    session.delete(row)
    token = sessions.start(session, settings=settings, user=user)
    audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.login.success", subject_id=user.id)
    return token


def logout(session: Session, *, user: User, token: str) -> None:
    sessions.end(session, token=token)
    audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.logout", subject_id=user.id)


def _require_passphrase(session: Session, user: User, passphrase: str, action: str) -> None:
    if not hasher_for(_settings(session)).verify(user.passphrase_hash, passphrase):
        audit.record(session, actor_role=user.role, actor_id=user.id, action=action, subject_id=user.id, outcome="failure")
        raise Unauthenticated("That passphrase is not right.", code="passphrase_wrong", keep_changes=True)


def change_passphrase(session: Session, *, user: User, current: str, new: str) -> str:
    """Set a new passphrase, end every session (SE-2) and return a fresh token for this client."""
    check_rules(new)
    _require_passphrase(session, user, current, "auth.passphrase.change")
    settings = _settings(session)
    user.passphrase_hash = hasher_for(settings).hash(new)
    sessions.revoke_all(session, user_id=user.id)
    audit.record(session, actor_role=user.role, actor_id=user.id, action="auth.passphrase.change", subject_id=user.id)
    return sessions.start(session, settings=settings, user=user)


def recover(session: Session, *, handle: str, recovery_code: str, new_passphrase: str, client_address: str) -> tuple[str, str]:
    """Use the one-time recovery code: new passphrase, new code, every other session ended."""
    check_rules(new_passphrase)
    settings = _settings(session)
    handle = handles.normalise(handle)
    account_bucket = throttle.bucket(settings, "account", handle)
    address_bucket = throttle.bucket(settings, "address", client_address)
    throttle.check(session, settings=settings, account_bucket=account_bucket, address_bucket=address_bucket)
    user = session.execute(select(User).where(User.handle == handle, User.role == "member")).scalar_one_or_none()
    expected = user.recovery_code_hash if user and user.recovery_code_hash else "0" * 64
    if user is None or not hmac.compare_digest(expected, _hash_recovery(recovery_code)):
        throttle.record_failure(session, account_bucket=account_bucket, address_bucket=address_bucket)
        audit.record(session, actor_role="anonymous", actor_id=None, action="auth.recover.failure",
                     subject_id=user.id if user else None, outcome="failure")
        raise Unauthenticated("That handle and recovery code do not match.", code="recovery_failed", keep_changes=True)
    new_code = _recovery_code()
    user.passphrase_hash = hasher_for(settings).hash(new_passphrase)
    user.recovery_code_hash = _hash_recovery(new_code)
    sessions.revoke_all(session, user_id=user.id)
    throttle.clear_account(session, account_bucket=account_bucket)
    audit.record(session, actor_role="member", actor_id=user.id, action="auth.recover", subject_id=user.id)
    return sessions.start(session, settings=settings, user=user), new_code


@dataclass(frozen=True)
class Profile:
    user: User
    nickname: str | None


def get_profile(session: Session, *, user: User) -> Profile:
    nickname = crypto.open_optional(
        session, owner_id=user.id, table="users", column="nickname", row_id=user.id, blob=user.nickname_sealed
    )
    return Profile(user=user, nickname=nickname)


def update_profile(session: Session, *, user: User, changes: dict) -> Profile:
    if "nickname" in changes:
        user.nickname_sealed = crypto.seal_optional(
            session, owner_id=user.id, table="users", column="nickname", row_id=user.id, plaintext=changes["nickname"] or None
        )
    if "country" in changes:
        user.country = changes["country"].upper() if changes["country"] else None
    if "language" in changes:
        user.language = changes["language"]
    audit.record(session, actor_role=user.role, actor_id=user.id, action="member.profile.update", subject_id=user.id)
    session.flush()
    return get_profile(session, user=user)


@dataclass(frozen=True)
class Erasure:
    member_id: uuid.UUID
    erased_at: datetime
    erased: list[str]


def erase(session: Session, *, user: User, passphrase: str) -> Erasure:
    """Crypto-shred the member's data key, delete their rows and sessions; a pseudonymous audit stub stays."""
    if user.role != "member":
        raise Invalid("Staff accounts are removed by an operator.")
    _require_passphrase(session, user, passphrase, "member.erase")
    member_id = user.id
    crypto.shred(session, owner_id=member_id, reason="erasure")
    sessions.revoke_all(session, user_id=member_id)
    session.execute(delete(LoginChallenge).where(LoginChallenge.user_id == member_id))
    session.delete(user)
    session.flush()
    audit.record(session, actor_role="member", actor_id=member_id, action="member.erase", subject_id=member_id)
    return Erasure(member_id=member_id, erased_at=utcnow(), erased=["data key", "profile", "sessions"])


def create_staff(session: Session, *, role: str, handle: str, display_name: str, passphrase: str) -> User:
    """Operator command path: clinicians and operators must enrol TOTP at their first login."""
    if role not in ("clinician", "operator"):
        raise Invalid("role: must be clinician or operator.")
    check_rules(passphrase)
    handle = handles.normalise(handle)
    if not handle or len(handle) > 64:
        raise Invalid("handle: 1 to 64 characters.")
    if session.execute(select(User.id).where(User.handle == handle)).first() is not None:
        raise Conflict("handle: already taken.")
    user = User(
        id=uuid.uuid4(), role=role, handle=handle, display_name=display_name,
        passphrase_hash=hasher_for(_settings(session)).hash(passphrase),
    )
    session.add(user)
    session.flush()
    crypto.create_data_key(session, owner_id=user.id)
    audit.record(session, actor_role="operator", actor_id=None, action=f"admin.create_{role}", object_type="user", object_id=user.id)
    return user


def get_or_raise(session: Session, *, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
