"""Erasure by crypto-shredding: the key goes, the rows go, sessions end, a receipt comes back."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect, text

from haven.crypto import KeyShredded
from haven.crypto import service as crypto
from tests.personas import PASSPHRASE


def test_it_needs_the_passphrase(personas):
    alice = personas.alice
    response = alice.delete("/api/v1/me", json={"passphrase": "not my passphrase"})
    assert response.status_code == 401
    assert alice.get("/api/v1/me").status_code == 200


def test_it_erases_and_returns_a_receipt(client, personas, runtime):
    alice, bob = personas.alice, personas.bob
    with runtime.engine.connect() as conn:
        sealed_nickname = conn.execute(text("SELECT nickname_sealed FROM users WHERE handle = :h"), {"h": alice.handle}).scalar_one()

    response = alice.delete("/api/v1/me", json={"passphrase": PASSPHRASE})
    assert response.status_code == 200
    receipt = response.json()
    assert receipt["member_id"] == alice.member_id and "data key" in receipt["erased"]
    assert len(receipt["audit_entry_hash"]) == 64

    assert alice.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": PASSPHRASE}).status_code == 401
    # What was sealed for Alice no longer opens, even from a copy of the old row.
    with runtime.unit_of_work() as session, pytest.raises(KeyShredded):
        crypto.open_sealed(session, owner_id=uuid.UUID(alice.member_id), table="users", column="nickname",
                           row_id=uuid.UUID(alice.member_id), blob=bytes(sealed_nickname))
    # Bob is untouched.
    assert bob.get("/api/v1/me").json()["nickname"] == "Bob"


def test_no_table_but_the_audit_log_keeps_the_member_id(personas, runtime):
    alice = personas.alice
    assert alice.delete("/api/v1/me", json={"passphrase": PASSPHRASE}).status_code == 200
    needle = alice.member_id
    allowed = {"audit_log"}
    with runtime.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table in allowed or table == "alembic_version":
                continue
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                flat = " ".join(str(v) for v in row).replace("-", "")
                assert needle.replace("-", "") not in flat, table
