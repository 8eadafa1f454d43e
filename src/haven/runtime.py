"""What a running Haven process holds: settings, engine, session factory, keyring vault.

Built once by ``create_app`` or a CLI command. Services reach the vault and settings through
``session.info`` (set here by the session factory), so their signatures stay
``(session, *, ...)`` and no module reads global state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from haven.config import Settings
from haven.db.engine import make_engine
from haven.db.uow import unit_of_work


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with unit_of_work(self.session_factory) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def build_runtime(settings: Settings, *, engine: Engine | None = None) -> Runtime:
    from haven.audit import service as audit_service
    from haven.crypto import service as crypto_service

    engine = engine or make_engine(settings)
    vault = crypto_service.open_vault(settings)
    session_factory = sessionmaker(
        bind=engine, expire_on_commit=False, info={"settings": settings, "vault": vault}
    )
    audit_service.install(session_factory)
    return Runtime(settings=settings, engine=engine, session_factory=session_factory)
