"""Shared fixtures: settings on a temporary data dir, a database per test, the app and its client.

Every test that asks for ``database_url`` (directly or through ``runtime``/``client``) runs on
SQLite, and again on PostgreSQL when ``HAVEN_TEST_DATABASE_URL`` is set (CI sets it). Each
PostgreSQL test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from haven.config import Settings

PG_URL = os.environ.get("HAVEN_TEST_DATABASE_URL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_kind" in metafunc.fixturenames:
        # `sqlite_only`: the test is about SQLite itself (its files, its backup API), not Haven on PostgreSQL.
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        kinds = ["sqlite"] + (["postgresql"] if PG_URL and not sqlite_only else [])
        metafunc.parametrize("db_kind", kinds, scope="function")


def _pg_url() -> str:
    url = PG_URL or ""
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@pytest.fixture
def database_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'haven.db'}"
        return
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(_pg_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in _pg_url() else "?"
    yield f"{_pg_url()}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(env="test", data_dir=tmp_path / "var", database_url=database_url)


@pytest.fixture
def runtime(settings: Settings):
    from haven.db.schema import create_all
    from haven.runtime import build_runtime

    rt = build_runtime(settings)
    create_all(rt)
    yield rt
    rt.dispose()


@pytest.fixture
def app(runtime):
    from haven.app import create_app

    return create_app(runtime=runtime)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    # https so that the __Host- cookies (Secure) are kept and sent back, as in production.
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


@pytest.fixture
def personas(client, runtime):
    from tests.personas import Personas

    return Personas(client, runtime)
