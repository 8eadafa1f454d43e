"""The head's MAC key: derived from the configured secret, else a private file made once."""

from __future__ import annotations

import stat
from pathlib import Path

from haven import config
from haven.audit import service
from haven.config import Settings


def test_configured_secret_wins(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, secret_key="s" * 40)
    derived = service.head_secret(settings)
    assert len(derived) == 32 and derived != b"s" * 32
    assert derived != config.local_secret(settings, "throttle")  # one key per purpose
    assert not (tmp_path / "keys").exists()


def test_secret_file_is_created_private_once(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path)
    first = service.head_secret(settings)
    path = tmp_path / "keys" / f"{service.HEAD_SECRET_PURPOSE}.secret"
    assert len(first) == 32 and path.read_bytes() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    config._secret_cache.clear()
    assert service.head_secret(settings) == first
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left
