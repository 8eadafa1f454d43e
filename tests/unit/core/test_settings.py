"""Settings fail fast, refuse placeholders in production, and read secrets from files."""

from __future__ import annotations

import pytest

from haven.config import ConfigError, Settings, load_settings


def test_defaults_put_everything_under_var():
    settings = Settings()
    assert settings.resolved_database_url == "sqlite:///var/haven.db"
    assert str(settings.resolved_keyring_dir) == "var/keys"


@pytest.mark.parametrize("secret", [None, "changethis", "short-but-real"])
def test_production_refuses_missing_or_placeholder_secrets(secret):
    with pytest.raises(ValueError, match="HAVEN_SECRET_KEY"):
        Settings(env="production", secret_key=secret, public_url="https://haven.example.org")


def test_production_needs_https():
    with pytest.raises(ValueError, match="HAVEN_PUBLIC_URL"):
        Settings(env="production", secret_key="k" * 40, public_url="http://haven.example.org")


def test_production_accepts_real_settings():
    settings = Settings(env="production", secret_key="k" * 40, public_url="https://haven.example.org")
    assert settings.https and "k" * 40 not in repr(settings)


def test_secrets_can_come_from_files(tmp_path, monkeypatch):
    secret_file = tmp_path / "secret"
    secret_file.write_text("f" * 48 + "\n")
    monkeypatch.setenv("HAVEN_SECRET_KEY_FILE", str(secret_file))
    settings = load_settings(env="production", public_url="https://haven.example.org")
    assert settings.secret_key.get_secret_value() == "f" * 48


def test_an_unreadable_secret_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HAVEN_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="HAVEN_SECRET_KEY_FILE cannot be read"):
        load_settings()


def test_bad_values_name_the_setting(monkeypatch):
    monkeypatch.setenv("HAVEN_MAX_BODY_BYTES", "lots")
    with pytest.raises(ConfigError, match="max_body_bytes"):
        load_settings()


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError):
        Settings(no_such_setting=1)


def test_postgres_urls_use_psycopg3():
    assert Settings(database_url="postgresql://u@h/db").resolved_database_url == "postgresql+psycopg://u@h/db"


def test_every_setting_is_described_in_the_docs():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs/configuration.md").read_text()
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"HAVEN_{name.upper()}" in docs, name
