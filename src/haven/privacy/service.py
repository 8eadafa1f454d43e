"""Consents. Everything is off until the member says yes; withdrawing is one call and counts at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from haven.audit import service as audit
from haven.errors import Invalid
from haven.privacy.models import ConsentRecord


@dataclass(frozen=True)
class Purpose:
    id: str
    text_version: int
    description: str


PURPOSES = {
    p.id: p
    for p in (
        Purpose("llm_processing", 1, "Let Haven phrase some listening replies with a language model run by this service's "
                "operator. Your words are stripped of names, contacts and addresses first; crisis replies are never generated."),
        Purpose("memory_across_conversations", 1, "Let Haven remember topics and exercises from your earlier conversations."),
        Purpose("personalisation", 1, "Let Haven learn which exercises help you, from your own ratings."),
        Purpose("research", 1, "Allow your pseudonymous data to be used in research the operator runs. Never on without your yes."),
    )
}


def current(session: Session, *, member_id: uuid.UUID) -> dict[str, bool]:
    """The latest answer per purpose; a purpose never answered is off."""
    state = {purpose: False for purpose in PURPOSES}
    rows = session.execute(
        select(ConsentRecord.purpose, ConsentRecord.granted)
        .where(ConsentRecord.member_id == member_id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    for purpose, granted in rows:
        if purpose in state:
            state[purpose] = granted
    return state


def has(session: Session, *, member_id: uuid.UUID, purpose: str) -> bool:
    row = session.execute(
        select(ConsentRecord.granted)
        .where(ConsentRecord.member_id == member_id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.recorded_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return bool(row)


def record(session: Session, *, member_id: uuid.UUID, purpose: str, granted: bool) -> None:
    if purpose not in PURPOSES:
        raise Invalid(f"purpose: must be one of {', '.join(sorted(PURPOSES))}.")
    session.add(ConsentRecord(member_id=member_id, purpose=purpose, granted=granted, text_version=PURPOSES[purpose].text_version))
    session.flush()
    audit.record(
        session, actor_role="member", actor_id=member_id, action="consent.grant" if granted else "consent.withdraw",
        subject_id=member_id, object_type="consent", object_id=purpose,
    )


def history(session: Session, *, member_id: uuid.UUID) -> list[ConsentRecord]:
    return list(
        session.execute(
            select(ConsentRecord).where(ConsentRecord.member_id == member_id).order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        ).scalars()
    )
