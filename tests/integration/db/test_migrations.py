"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from haven.db import migrate
from haven.db.engine import make_engine
from haven.db.schema import metadata


def test_upgrading_an_empty_database_to_head_matches_the_models(settings):
    engine = make_engine(settings)
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) == set(metadata().tables) | {"alembic_version"}
    assert migrate.autogenerate_diff(engine) == []
    migrate.upgrade(engine)  # running it again is harmless
    engine.dispose()


def test_sqlite_runs_in_wal_with_full_sync_and_a_busy_timeout(tmp_path):
    from haven.config import Settings

    engine = make_engine(Settings(env="test", data_dir=tmp_path))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        conn.exec_driver_sql("CREATE TABLE t (x)")
        for name in ("haven.db", "haven.db-wal"):
            assert ((tmp_path / name).stat().st_mode & 0o777) == 0o600, name
    engine.dispose()
    assert (tmp_path.stat().st_mode & 0o777) == 0o700
