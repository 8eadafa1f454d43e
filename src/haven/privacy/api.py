"""Consent routes: see every purpose with its current answer and history; change one in one call."""

from __future__ import annotations

from fastapi import APIRouter

from haven.deps import CurrentMember, DbSession
from haven.privacy import schemas, service

router = APIRouter(tags=["privacy"])


def _out(db, member_id) -> schemas.ConsentsOut:
    state = service.current(db, member_id=member_id)
    return schemas.ConsentsOut(
        consents=[
            schemas.ConsentPurposeOut(purpose=p.id, granted=state[p.id], description=p.description, text_version=p.text_version)
            for p in service.PURPOSES.values()
        ],
        history=[
            schemas.ConsentHistoryEntry(purpose=r.purpose, granted=r.granted, text_version=r.text_version, recorded_at=r.recorded_at)
            for r in service.history(db, member_id=member_id)
        ],
    )


@router.get("/me/consents", response_model=schemas.ConsentsOut)
def consents(me: CurrentMember, db: DbSession):
    """Every purpose Haven may ask consent for, the member's current answer (off unless they said yes) and the history."""
    return _out(db, me.user.id)


@router.post("/me/consents", response_model=schemas.ConsentsOut)
def set_consent(body: schemas.ConsentIn, me: CurrentMember, db: DbSession):
    """Give or withdraw one consent. It takes effect on the next request."""
    service.record(db, member_id=me.user.id, purpose=body.purpose, granted=body.granted)
    return _out(db, me.user.id)
