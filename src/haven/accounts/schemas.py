"""Request and response bodies for accounts. Requests forbid unknown fields (no mass assignment)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# Lengths are enforced by the passphrase rules so the message can explain them; here only a hard cap.
Passphrase = Field(max_length=4096)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class SignupIn(Strict):
    passphrase: str = Passphrase
    nickname: str | None = Field(None, max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. GB")
    language: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$", description="BCP 47, e.g. en-GB")


class SignupOut(BaseModel):
    member_id: uuid.UUID
    handle: str
    recovery_code: str = Field(description="Shown once. Lets the member set a new passphrase.")
    token: str


class LoginIn(Strict):
    handle: str = Field(max_length=64)
    passphrase: str = Passphrase


class LoginOut(BaseModel):
    token: str | None = Field(None, description="The session token (members; staff after the TOTP step).")
    mfa: str | None = Field(None, description="Staff only: `enrol` or `verify` — post the code to /auth/mfa.")
    challenge: str | None = Field(None, description="Staff only: the one-step token for /auth/mfa (10 minutes).")
    otpauth_uri: str | None = Field(None, description="Staff enrolling only: add this to an authenticator app.")


class MfaIn(Strict):
    challenge: str = Field(max_length=128)
    code: str = Field(max_length=16)


class TokenOut(BaseModel):
    token: str


class PassphraseChangeIn(Strict):
    current_passphrase: str = Passphrase
    new_passphrase: str = Passphrase


class RecoverIn(Strict):
    handle: str = Field(max_length=64)
    recovery_code: str = Field(max_length=64)
    new_passphrase: str = Passphrase


class RecoverOut(BaseModel):
    token: str
    recovery_code: str = Field(description="A new recovery code; the old one no longer works.")


class EraseIn(Strict):
    passphrase: str = Passphrase


class EraseReceipt(BaseModel):
    erased_at: datetime
    member_id: uuid.UUID
    erased: list[str]
    audit_entry_hash: str | None = Field(description="Head of the audit chain after the erasure was recorded.")


class ProfileOut(BaseModel):
    member_id: uuid.UUID
    role: str
    handle: str
    nickname: str | None
    country: str | None
    language: str | None
    created_at: datetime


class ProfileUpdate(Strict):
    nickname: str | None = Field(None, max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$")
    language: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")


class AccessLogEntry(BaseModel):
    seq: int
    at: str
    actor_role: str
    actor_id: str | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    reason: str | None
    hash: str


class AccessLogOut(BaseModel):
    entries: list[AccessLogEntry]
    chain_head: str | None
