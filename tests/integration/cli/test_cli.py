"""The ``haven`` command, driven through Typer's runner on a fresh data directory."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from haven.cli import app
from tests.personas import PASSPHRASE


@pytest.fixture
def env(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HAVEN_DATABASE_URL", database_url)
    monkeypatch.setenv("HAVEN_ENV", "test")
    return tmp_path / "var"


def run(*args, input=None):
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def test_migrate_creates_the_schema_and_the_keyring(env):
    result = run("migrate")
    assert result.exit_code == 0, result.output
    key = env / "keys" / "kek-v1.key"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert (env / "keys").stat().st_mode & 0o777 == 0o700
    again = run("migrate")  # idempotent; never a second key
    assert again.exit_code == 0 and sorted(p.name for p in (env / "keys").glob("kek-*")) == ["kek-v1.key"]


def test_create_clinician_then_rotate_then_verify(env):
    assert run("migrate").exit_code == 0
    created = run("admin", "create-clinician", "--handle", "dr-okafor", "--name", "Dr Okafor", input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert created.exit_code == 0, created.output
    assert "dr-okafor" in created.output and PASSPHRASE not in created.output
    rotated = run("keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert (env / "keys" / "kek-v2.key").exists()
    verified = run("audit", "verify")
    assert verified.exit_code == 0 and "ok" in verified.output.lower()


def test_audit_verify_fails_and_names_the_entry_after_tampering(env, database_url):
    assert run("migrate").exit_code == 0
    for handle in ("dr-a", "dr-b", "dr-c"):
        assert run("admin", "create-clinician", "--handle", handle, "--name", "X", input=f"{PASSPHRASE}\n{PASSPHRASE}\n").exit_code == 0
    from sqlalchemy import create_engine

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'admin.create_operator' WHERE seq = 2"))
    engine.dispose()
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "2" in result.output and "edited" in result.output


def test_a_weak_staff_passphrase_is_refused(env):
    assert run("migrate").exit_code == 0
    result = run("admin", "create-clinician", "--handle", "dr-weak", "--name", "W", input="password\npassword\n")
    assert result.exit_code == 1 and "most common" in result.output


def test_a_wrong_key_file_stops_start_up_with_a_message(env):
    assert run("migrate").exit_code == 0
    assert run("admin", "create-clinician", "--handle", "dr-k", "--name", "K", input=f"{PASSPHRASE}\n{PASSPHRASE}\n").exit_code == 0
    import base64
    import os

    key = env / "keys" / "kek-v1.key"
    key.write_text(base64.b64encode(os.urandom(32)).decode())
    result = run("serve", "--port", "1")
    assert result.exit_code == 2
    assert "kek-v1" in result.output or "key" in result.output.lower()
    migrate = run("migrate")
    assert migrate.exit_code == 2


def test_a_missing_key_file_stops_start_up_and_no_new_key_is_made(env):
    assert run("migrate").exit_code == 0
    assert run("admin", "create-clinician", "--handle", "dr-m", "--name", "M", input=f"{PASSPHRASE}\n{PASSPHRASE}\n").exit_code == 0
    (env / "keys" / "kek-v1.key").unlink()
    assert run("serve", "--port", "1").exit_code == 2
    assert run("migrate").exit_code == 2
    assert not (env / "keys" / "kek-v1.key").exists()
