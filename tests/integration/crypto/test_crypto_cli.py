"""``haven keys``: the commands build the runtime from the environment and run one unit of work."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from haven.crypto import service as crypto
from haven.crypto.cli import app
from haven.crypto.models import MemberKey


pytestmark = pytest.mark.sqlite_only  # the CLI is exercised once, on SQLite; tests/integration/cli covers both


@pytest.fixture
def env(settings, crypto_runtime):
    return {
        "HAVEN_ENV": "test",
        "HAVEN_DATA_DIR": str(settings.data_dir),
        "HAVEN_DATABASE_URL": settings.resolved_database_url,
    }


def test_rotate_rewraps_every_data_key(env, crypto_runtime):
    with crypto_runtime.unit_of_work() as s:
        crypto.init_keyring(s)
        for _ in range(2):
            crypto.create_data_key(s, owner_id=uuid.uuid4())
    result = CliRunner().invoke(app, ["rotate"], env=env)
    assert result.exit_code == 0, result.output
    assert "v2 is now current; 2 data keys rewrapped" in result.output
    with crypto_runtime.unit_of_work() as s:
        assert set(s.scalars(select(MemberKey.kek_version))) == {2}


def test_check_reports_a_missing_key_file(env, crypto_runtime):
    with crypto_runtime.unit_of_work() as s:
        crypto.init_keyring(s)
    runner = CliRunner()
    assert runner.invoke(app, ["check"], env=env).exit_code == 0
    (crypto_runtime.settings.resolved_keyring_dir / "kek-v1.key").unlink()
    result = runner.invoke(app, ["check"], env=env)
    assert result.exit_code == 1
    assert "kek-v1.key is missing" in result.output
