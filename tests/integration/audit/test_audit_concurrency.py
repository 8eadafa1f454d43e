"""Eight processes appending at once produce one unbroken chain (LG-2, RB-2, pitfall 6)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from haven.audit import service
from haven.audit.models import AuditLog
from haven.config import Settings
from haven.db.engine import make_engine
from haven.db.uow import unit_of_work

WRITERS = 8
ENTRIES = 50


def _writer(index: int, data_dir: str, database_url: str) -> int:
    settings = Settings(env="test", data_dir=Path(data_dir), database_url=database_url)
    engine = make_engine(settings)
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"settings": settings})
    service.install(factory)
    actor = uuid.UUID(int=index + 1)
    try:
        for i in range(ENTRIES):
            with unit_of_work(factory) as session:
                service.record(session, actor_role="system", actor_id=actor, action="test.append", object_id=i)
    finally:
        engine.dispose()
    return index


@pytest.fixture(scope="module")
def writers() -> Iterator[multiprocessing.pool.Pool]:
    # Spawn, not fork: each writer is a fresh interpreter with its own connections. One pool
    # of eight serves both databases, so interpreters start once.
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        yield pool


@pytest.mark.slow
def test_concurrent_writers_make_one_chain(settings: Settings, factory, writers) -> None:
    args = [(i, str(settings.data_dir), settings.resolved_database_url) for i in range(WRITERS)]
    assert sorted(writers.starmap(_writer, args, chunksize=1)) == list(range(WRITERS))

    total = WRITERS * ENTRIES
    with unit_of_work(factory) as session:
        report = service.verify(session)
        assert report.ok, report.message
        assert report.entries_checked == report.head_seq == total
        rows = session.execute(select(AuditLog.seq, AuditLog.actor_id, AuditLog.object_id).order_by(AuditLog.seq)).all()
    assert [r.seq for r in rows] == list(range(1, total + 1))
    per_writer = Counter(r.actor_id for r in rows)
    assert per_writer == {str(uuid.UUID(int=i + 1)): ENTRIES for i in range(WRITERS)}
    # The writers really overlapped: the chain switches writer far more often than 7 times.
    switches = sum(a.actor_id != b.actor_id for a, b in zip(rows, rows[1:]))
    assert switches > 2 * WRITERS
    # Each writer's own entries appear in the order it committed them.
    for i in range(WRITERS):
        mine = [int(r.object_id) for r in rows if r.actor_id == str(uuid.UUID(int=i + 1))]
        assert mine == list(range(ENTRIES))
