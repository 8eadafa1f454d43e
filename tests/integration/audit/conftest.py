"""An engine and an installed session factory with only the audit tables, on each database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from haven.audit import service
from haven.audit.models import AUDIT_TABLES
from haven.config import Settings
from haven.db.base import Base
from haven.db.engine import make_engine
from haven.db.uow import unit_of_work

MEMBER = uuid.UUID("6f1c1f9e-52b6-4c55-9f57-0d6b0f0b7f11")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    Base.metadata.create_all(engine, tables=list(AUDIT_TABLES))
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine, settings: Settings) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"settings": settings})
    service.install(factory)
    return factory


@pytest.fixture
def append(factory: sessionmaker[Session]):
    """Append ``n`` entries, one transaction each; entry i reads member MEMBER's object i."""

    def append(n: int, *, start: int = 0) -> None:
        for i in range(start, start + n):
            with unit_of_work(factory) as session:
                service.record(
                    session,
                    actor_role="clinician",
                    actor_id=uuid.UUID(int=i + 1),
                    action="member.profile.read",
                    subject_id=MEMBER,
                    object_type="member",
                    object_id=i,
                )

    return append
