"""Runtime for the crypto integration tests.

Uses the shared ``haven.db.schema.create_all`` and ``build_runtime`` when they exist. Until the
schema and audit modules land, it builds the same runtime by hand (sessions carrying
``settings`` and ``vault`` in ``info``) and creates only the crypto tables.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from haven.config import Settings
from haven.crypto.models import TABLES
from haven.db.base import Base
from haven.db.engine import make_engine
from haven.runtime import Runtime


def full_stack_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("haven.db.schema", "haven.audit.service"))


def make_crypto_runtime(settings: Settings, *, bare: bool = False) -> Runtime:
    """The app's runtime and schema; ``bare``: only the crypto tables and no keyring yet."""
    if full_stack_available() and not bare:
        from haven.db.schema import create_all
        from haven.runtime import build_runtime

        rt = build_runtime(settings)
        create_all(rt)
        return rt
    from haven.crypto.service import open_vault

    engine = make_engine(settings)
    info = {"settings": settings, "vault": open_vault(settings)}
    factory = sessionmaker(bind=engine, expire_on_commit=False, info=info)
    Base.metadata.create_all(engine, tables=list(TABLES))
    return Runtime(settings=settings, engine=engine, session_factory=factory)


@pytest.fixture
def crypto_runtime_factory() -> Iterator[Callable[[Settings], Runtime]]:
    made: list[Runtime] = []

    def make(settings: Settings, *, bare: bool = False) -> Runtime:
        made.append(make_crypto_runtime(settings, bare=bare))
        return made[-1]

    yield make
    for rt in made:
        rt.dispose()


@pytest.fixture
def crypto_runtime(settings: Settings, crypto_runtime_factory) -> Runtime:
    return crypto_runtime_factory(settings)
