"""record() stages well-formed entries and refuses programmer errors; no database needed."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from haven.audit import service

MEMBER = uuid.UUID("6f1c1f9e-52b6-4c55-9f57-0d6b0f0b7f11")


@pytest.fixture
def session() -> Session:
    factory = sessionmaker()
    service.install(factory)
    service.install(factory)  # idempotent
    return factory()


def test_stages_a_normalised_entry(session: Session) -> None:
    service.record(
        session,
        actor_role="member",
        actor_id=str(MEMBER).upper(),
        action="member.profile.read",
        subject_id=MEMBER,
        object_type="member",
        object_id=MEMBER,
    )
    (entry,) = session.info[service.PENDING]
    assert entry["actor_id"] == entry["subject_id"] == entry["object_id"] == str(MEMBER)
    assert entry["outcome"] == "success" and entry["reason"] is None
    stamp = datetime.fromisoformat(entry["recorded_at"])
    assert stamp.utcoffset().total_seconds() == 0
    assert len(entry["recorded_at"].split(".")[1]) == len("123456+00:00")  # always microseconds


def test_system_entries_need_no_actor(session: Session) -> None:
    service.record(session, actor_role="system", actor_id=None, action="keys.rotate", object_id="kek-3")
    service.record(
        session, actor_role="anonymous", actor_id=None, action="auth.login.failure", outcome="failure", reason="bad_pass"
    )
    assert len(session.info[service.PENDING]) == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"actor_role": "admin"},
        {"outcome": "ok"},
        {"action": "login"},
        {"action": "Auth.Login"},
        {"action": "auth.login\n.success"},
        {"action": "a." + "b" * 70},
        {"actor_id": "alice"},
        {"actor_id": 42},
        {"subject_id": "not-a-uuid"},
        {"object_type": "Member"},
        {"object_id": "has space"},
        {"object_id": "x\r\ny"},
        {"object_id": True},
        {"reason": "The user typed something"},
        {"reason": "x" * 65},
    ],
)
def test_refuses_malformed_input(session: Session, changes: dict) -> None:
    kwargs = {"actor_role": "member", "actor_id": MEMBER, "action": "auth.login.success", **changes}
    with pytest.raises(ValueError):
        service.record(session, **kwargs)
    assert not session.info.get(service.PENDING)


def test_refuses_a_session_without_the_commit_hook() -> None:
    with pytest.raises(RuntimeError, match="install"):
        service.record(Session(), actor_role="system", actor_id=None, action="keys.rotate")
