"""Engines and sessions for SQLite (default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL`` (acknowledged writes survive power loss),
a busy timeout, and ``BEGIN IMMEDIATE`` for every transaction: a deferred transaction that
later writes gets SQLITE_BUSY at once, ignoring the busy timeout. Every Haven request writes
(sessions, audit), so all transactions take the write lock up front.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from haven.config import Settings, ensure_private_dir

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        if settings.database_url is None:
            ensure_private_dir(settings.data_dir)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _create_private_file(engine.url.database)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _create_private_file(path: str | None) -> None:
    """Create the database file 0600 before SQLite does (it would follow the umask); -wal and -shm copy its mode."""
    if path and path != ":memory:" and not os.path.exists(path):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
