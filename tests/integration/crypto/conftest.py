"""Runtimes for the crypto tests: the app's own, or a bare one (crypto tables only, no keyring yet)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from haven.config import Settings
from haven.crypto.models import TABLES
from haven.crypto.service import open_vault
from haven.db.base import Base
from haven.db.engine import make_engine
from haven.db.schema import create_all
from haven.runtime import Runtime, build_runtime


def make_crypto_runtime(settings: Settings, *, bare: bool = False) -> Runtime:
    if not bare:
        rt = build_runtime(settings)
        create_all(rt)
        return rt
    engine = make_engine(settings)
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"settings": settings, "vault": open_vault(settings)})
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
