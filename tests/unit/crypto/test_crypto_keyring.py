"""The file keyring: KEK files, wrapping, check values, and errors that say what to do."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from haven.crypto.keyring import FileKeyProvider, KeyringError
from haven.crypto.sealing import new_data_key


@pytest.fixture
def keyring(tmp_path):
    return FileKeyProvider(tmp_path / "keys")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_empty_keyring_has_no_versions(keyring):
    assert keyring.versions() == []
    with pytest.raises(KeyringError, match="haven init"):
        keyring.current_version()


def test_add_version_writes_private_files(keyring):
    assert keyring.add_version() == 1
    assert keyring.add_version() == 2
    assert keyring.versions() == [1, 2]
    assert keyring.current_version() == 2
    assert mode(keyring.directory) == 0o700
    assert mode(keyring.path_for(1)) == 0o600
    assert len(base64.b64decode(keyring.path_for(1).read_bytes())) == 32


def test_it_ignores_other_files(keyring):
    keyring.add_version()
    (keyring.directory / "kek-v2.key.bak").write_text("x")
    (keyring.directory / "shred-ledger.jsonl").write_text("")
    assert keyring.versions() == [1]


def test_wrap_round_trips_and_depends_on_the_version(keyring):
    keyring.add_version()
    keyring.add_version()
    dek = new_data_key()
    wrapped = keyring.wrap(1, dek)
    assert dek not in wrapped
    assert keyring.unwrap(1, wrapped) == dek
    with pytest.raises(KeyringError, match="does not unwrap under key-encryption key v2"):
        keyring.unwrap(2, wrapped)


def test_check_value_identifies_a_key_without_revealing_it(keyring):
    keyring.add_version()
    keyring.add_version()
    key = base64.b64decode(keyring.path_for(1).read_bytes())
    assert keyring.check_value(1) == keyring.check_value(1)
    assert keyring.check_value(1) != keyring.check_value(2)
    assert key not in keyring.check_value(1)


def test_a_replaced_key_file_is_noticed(keyring):
    keyring.add_version()
    before = keyring.check_value(1)
    keyring.path_for(1).write_bytes(base64.b64encode(os.urandom(32)))
    assert keyring.check_value(1) != before


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not base64!", "not valid base64"), (base64.b64encode(b"x" * 16), "holds 16 bytes")],
)
def test_it_explains_a_damaged_file(keyring, content, message):
    keyring.add_version()
    keyring.path_for(1).write_bytes(content)
    with pytest.raises(KeyringError, match=message):
        keyring.check_value(1)


def test_it_explains_a_missing_file_without_key_bytes(keyring):
    with pytest.raises(KeyringError) as caught:
        keyring.wrap(3, new_data_key())
    assert "kek-v3.key does not exist" in str(caught.value)
    assert "Restore it" in str(caught.value)


def test_it_refuses_a_file_others_can_read(keyring):
    keyring.add_version()
    os.chmod(keyring.path_for(1), 0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        keyring.check_value(1)


def test_add_version_never_overwrites(keyring, monkeypatch):
    keyring.add_version()
    original = keyring.path_for(1).read_bytes()
    monkeypatch.setattr(keyring, "versions", lambda: [])  # as if another process raced us
    with pytest.raises(KeyringError, match="another rotation"):
        keyring.add_version()
    assert keyring.path_for(1).read_bytes() == original
