"""The crypto service on a real database: keyring checks, sealing in rows, rotation, shredding."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Column, LargeBinary, MetaData, Table, Uuid, insert, select, update

from haven.config import Settings
from haven.crypto import KeyringError, KeyShredded, SealError
from haven.crypto import service as crypto
from haven.crypto.models import KekVersion, MemberKey

notes_meta = MetaData()
notes = Table(
    "crypto_test_notes",
    notes_meta,
    Column("id", Uuid, primary_key=True),
    Column("owner_id", Uuid, nullable=False),
    Column("body", LargeBinary, nullable=False),
)


@pytest.fixture
def rt(crypto_runtime):
    notes_meta.create_all(crypto_runtime.engine)
    with crypto_runtime.unit_of_work() as s:
        crypto.init_keyring(s)
    return crypto_runtime


def sqlite_path(rt) -> Path:
    return Path(rt.engine.url.database)


def keys_dir(rt):
    return rt.settings.resolved_keyring_dir


def new_owner(rt) -> uuid.UUID:
    owner = uuid.uuid4()
    with rt.unit_of_work() as s:
        crypto.create_data_key(s, owner_id=owner)
    return owner


def write_note(rt, owner, plaintext) -> uuid.UUID:
    row = uuid.uuid4()
    with rt.unit_of_work() as s:
        blob = crypto.seal(s, owner_id=owner, table="crypto_test_notes", column="body", row_id=row, plaintext=plaintext)
        s.execute(insert(notes).values(id=row, owner_id=owner, body=blob))
    return row


def read_note(rt, row) -> str:
    with rt.unit_of_work() as s:
        owner, blob = s.execute(select(notes.c.owner_id, notes.c.body).where(notes.c.id == row)).one()
        return crypto.open_sealed(s, owner_id=owner, table="crypto_test_notes", column="body", row_id=row, blob=blob)


def test_fresh_install_creates_a_private_v1(settings, crypto_runtime_factory):
    crypto_runtime = crypto_runtime_factory(settings, bare=True)
    with crypto_runtime.unit_of_work() as s:
        assert crypto.check_keyring(s) is False
        assert not keys_dir(crypto_runtime).exists()
        assert crypto.init_keyring(s) is True
    with crypto_runtime.unit_of_work() as s:
        assert crypto.init_keyring(s) is False
        assert crypto.check_keyring(s) is True
        assert s.scalars(select(KekVersion.version)).all() == [1]
    assert stat.S_IMODE(keys_dir(crypto_runtime).stat().st_mode) == 0o700
    assert stat.S_IMODE((keys_dir(crypto_runtime) / "kek-v1.key").stat().st_mode) == 0o600


@pytest.mark.sqlite_only  # a second database is made as a SQLite file
def test_a_new_database_registers_the_existing_keyring(rt, tmp_path, crypto_runtime_factory):
    other = Settings(env="test", data_dir=tmp_path / "other", keyring_dir=keys_dir(rt))
    rt2 = crypto_runtime_factory(other, bare=True)
    with rt2.unit_of_work() as s:
        assert crypto.check_keyring(s) is False
        assert crypto.init_keyring(s) is False
    with rt2.unit_of_work() as s:
        assert crypto.check_keyring(s) is True
    assert sorted(p.name for p in keys_dir(rt).iterdir()) == ["kek-v1.key"]


def test_a_note_round_trips_and_is_not_stored_in_clear(rt):
    owner = new_owner(rt)
    canary = f"canary-{uuid.uuid4()}"
    row = write_note(rt, owner, canary)
    assert read_note(rt, row) == canary
    if rt.settings.is_sqlite:
        db = sqlite_path(rt)
        raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))  # with -wal and -shm
        kek = base64.b64decode((keys_dir(rt) / "kek-v1.key").read_bytes())
        assert canary.encode() not in raw
        assert kek not in raw


def test_same_text_twice_gives_different_ciphertext(rt):
    owner = new_owner(rt)
    with rt.unit_of_work() as s:
        blobs = {crypto.seal(s, owner_id=owner, table="t", column="c", row_id=1, plaintext="same") for _ in range(2)}
    assert len(blobs) == 2


def test_ciphertext_copied_to_another_row_fails_closed(rt):
    alice, bob = new_owner(rt), new_owner(rt)
    a1 = write_note(rt, alice, "alice one")
    a2 = write_note(rt, alice, "alice two")
    b1 = write_note(rt, bob, "bob one")
    with rt.unit_of_work() as s:
        blob = s.scalar(select(notes.c.body).where(notes.c.id == a1))
        s.execute(update(notes).where(notes.c.id.in_([a2, b1])).values(body=blob))
    for row in (a2, b1):
        with pytest.raises(SealError) as caught:
            read_note(rt, row)
        assert "alice" not in str(caught.value)
    assert read_note(rt, a1) == "alice one"


def test_optional_values_pass_none_through(rt):
    owner = new_owner(rt)
    with rt.unit_of_work() as s:
        kw = dict(owner_id=owner, table="t", column="c", row_id=uuid.uuid4())
        assert crypto.seal_optional(s, plaintext=None, **kw) is None
        assert crypto.open_optional(s, blob=None, **kw) is None
        assert crypto.open_optional(s, blob=crypto.seal_optional(s, plaintext="x", **kw), **kw) == "x"


def test_an_owner_without_a_key_cannot_seal(rt):
    with rt.unit_of_work() as s, pytest.raises(SealError, match="create_data_key"):
        crypto.seal(s, owner_id=uuid.uuid4(), table="t", column="c", row_id=1, plaintext="x")


def test_a_rolled_back_key_is_not_used_afterwards(rt):
    owner = uuid.uuid4()
    session = rt.session_factory()
    try:
        crypto.create_data_key(session, owner_id=owner)
        crypto.seal(session, owner_id=owner, table="t", column="c", row_id=1, plaintext="x")
        session.rollback()
        with pytest.raises(SealError, match="no data key"):
            crypto.seal(session, owner_id=owner, table="t", column="c", row_id=1, plaintext="x")
    finally:
        session.close()


def test_rotation_rewraps_keys_and_leaves_ciphertext_alone(rt):
    owners = [new_owner(rt) for _ in range(3)]
    rows = {write_note(rt, o, f"note of {i}"): f"note of {i}" for i, o in enumerate(owners)}
    with rt.unit_of_work() as s:
        before_blobs = dict(s.execute(select(notes.c.id, notes.c.body)).all())
        before_wrapped = dict(s.execute(select(MemberKey.owner_id, MemberKey.wrapped_key)).all())
        assert crypto.rotate_kek(s) == 2
    with rt.unit_of_work() as s:
        assert set(s.scalars(select(MemberKey.kek_version))) == {2}
        assert dict(s.execute(select(notes.c.id, notes.c.body)).all()) == before_blobs
        after_wrapped = dict(s.execute(select(MemberKey.owner_id, MemberKey.wrapped_key)).all())
        assert all(after_wrapped[o] != before_wrapped[o] for o in owners)
        assert crypto.check_keyring(s) is True
        assert crypto.count_data_keys(s, kek_version=2) == 3
    assert {row: read_note(rt, row) for row in rows} == rows
    assert (keys_dir(rt) / "kek-v1.key").exists()
    newcomer = new_owner(rt)
    with rt.unit_of_work() as s:
        assert s.get_one(MemberKey, (newcomer, 1)).kek_version == 2


def test_a_wrong_key_file_is_detected_at_start_up(rt):
    owner = new_owner(rt)
    row = write_note(rt, owner, "kept safe")
    impostor = base64.b64encode(os.urandom(32))
    (keys_dir(rt) / "kek-v1.key").write_bytes(impostor)
    with rt.unit_of_work() as s, pytest.raises(KeyringError, match="check value differs") as caught:
        crypto.check_keyring(s)
    assert impostor.decode() not in str(caught.value)
    with rt.unit_of_work() as s, pytest.raises(KeyringError):
        crypto.init_keyring(s)
    with pytest.raises(KeyringError, match="does not unwrap"):
        read_note(rt, row)
    with pytest.raises(KeyringError, match="check value|not the key-encryption key"):
        new_owner(rt)


def test_a_missing_key_file_with_data_is_an_error_not_a_new_key(rt):
    owner = new_owner(rt)
    write_note(rt, owner, "kept safe")
    (keys_dir(rt) / "kek-v1.key").unlink()
    with rt.unit_of_work() as s, pytest.raises(KeyringError, match="kek-v1.key is missing"):
        crypto.check_keyring(s)
    with rt.unit_of_work() as s, pytest.raises(KeyringError, match="will not create a new key"):
        crypto.init_keyring(s)
    assert list(keys_dir(rt).glob("kek-v*.key")) == []


@pytest.mark.sqlite_only  # needs foreign keys off, done here for SQLite
def test_data_keys_without_kek_rows_are_an_error(rt):
    new_owner(rt)
    rt.engine.dispose()
    with closing(sqlite3.connect(sqlite_path(rt))) as conn, conn:  # foreign keys are off by default here
        conn.execute("DELETE FROM kek_versions")
    with rt.unit_of_work() as s, pytest.raises(KeyringError, match="kek_versions is empty"):
        crypto.init_keyring(s)


def test_shred_makes_the_owners_values_unreadable(rt):
    alice, bob = new_owner(rt), new_owner(rt)
    a_row, b_row = write_note(rt, alice, "alice"), write_note(rt, bob, "bob")
    with rt.unit_of_work() as s:
        assert crypto.shred(s, owner_id=alice) == 1
    with pytest.raises(KeyShredded):
        read_note(rt, a_row)
    assert read_note(rt, b_row) == "bob"
    with rt.unit_of_work() as s:
        assert crypto.is_shredded(s, owner_id=alice)
        assert not crypto.is_shredded(s, owner_id=bob)
        with pytest.raises(KeyShredded):
            crypto.seal(s, owner_id=alice, table="t", column="c", row_id=1, plaintext="x")
        with pytest.raises(KeyShredded):
            crypto.create_data_key(s, owner_id=alice)
    ledger = rt.settings.resolved_shred_ledger_path
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    (entry,) = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert entry["owner_id"] == str(alice) and entry["reason"] == "erasure" and entry["shredded_at"]


def test_shred_forgets_the_key_cached_in_the_same_session(rt):
    owner = new_owner(rt)
    with rt.unit_of_work() as s:
        blob = crypto.seal(s, owner_id=owner, table="t", column="c", row_id=1, plaintext="x")
        crypto.shred(s, owner_id=owner)
        with pytest.raises(KeyShredded):
            crypto.seal(s, owner_id=owner, table="t", column="c", row_id=2, plaintext="y")
        with pytest.raises(KeyShredded):
            crypto.open_sealed(s, owner_id=owner, table="t", column="c", row_id=1, blob=blob)


def test_shred_reason_is_a_code_not_free_text(rt):
    with rt.unit_of_work() as s, pytest.raises(ValueError, match="short code"):
        crypto.shred(s, owner_id=uuid.uuid4(), reason="asked by Jane Doe")
    assert not rt.settings.resolved_shred_ledger_path.exists()


def test_ledger_replay_removes_a_restored_key(rt):
    alice, bob = new_owner(rt), new_owner(rt)
    a_row, b_row = write_note(rt, alice, "alice"), write_note(rt, bob, "bob")
    with rt.unit_of_work() as s:
        saved = s.execute(select(MemberKey.__table__).where(MemberKey.owner_id == alice)).mappings().all()
        crypto.shred(s, owner_id=alice)
    with rt.unit_of_work() as s:  # an old backup brings the key back
        s.execute(insert(MemberKey.__table__), [dict(r) for r in saved])
    assert read_note(rt, a_row) == "alice"
    with rt.unit_of_work() as s:
        assert crypto.replay_shred_ledger(s) == 1
    with pytest.raises(KeyShredded):
        read_note(rt, a_row)
    assert read_note(rt, b_row) == "bob"
    with rt.unit_of_work() as s:
        assert crypto.replay_shred_ledger(s) == 0


@pytest.mark.sqlite_only  # backs up with the SQLite online backup API
def test_backup_restore_then_replay_keeps_erasure(rt, crypto_runtime_factory):
    alice, bob = new_owner(rt), new_owner(rt)
    a_row, b_row = write_note(rt, alice, "alice"), write_note(rt, bob, "bob")
    backup = rt.settings.data_dir.parent / "backup.db"
    with closing(sqlite3.connect(sqlite_path(rt))) as src, closing(sqlite3.connect(backup)) as dst:
        src.backup(dst)
    with rt.unit_of_work() as s:
        crypto.shred(s, owner_id=alice)
    restored = crypto_runtime_factory(
        rt.settings.model_copy(update={"database_url": f"sqlite:///{backup}", "keyring_dir": keys_dir(rt)})
    )
    with restored.unit_of_work() as s:
        assert crypto.check_keyring(s) is True
        assert crypto.replay_shred_ledger(s) == 1
    with pytest.raises(KeyShredded):
        read_note(restored, a_row)
    assert read_note(restored, b_row) == "bob"


def test_a_torn_ledger_line_does_not_swallow_the_next(rt):
    ledger = rt.settings.resolved_shred_ledger_path
    ledger.write_text('{"owner_id": "1234')  # a crash mid-append
    owner = new_owner(rt)
    with rt.unit_of_work() as s:
        crypto.shred(s, owner_id=owner)
    with rt.unit_of_work() as s:
        assert crypto.is_shredded(s, owner_id=owner)
        assert crypto.replay_shred_ledger(s) == 0
