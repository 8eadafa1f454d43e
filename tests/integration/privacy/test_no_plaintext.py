"""Personal content is stored only sealed (CR-1): a canary written through the API is not in the database bytes."""

from __future__ import annotations

from sqlalchemy import inspect, text

CANARY = "CANARYnick7f3a"


def _database_bytes(runtime) -> bytes:
    """Every value of every table, as the database gives it, plus the raw SQLite files when there are any."""
    chunks = []
    with runtime.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                chunks.extend(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    if runtime.settings.is_sqlite:
        path = runtime.engine.url.database
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as handle:
                    chunks.append(handle.read())
            except FileNotFoundError:
                pass
    return b"\n".join(chunks)


def test_a_nickname_is_not_stored_in_plain_text(client, runtime):
    response = client.post("/api/v1/auth/signup", json={"passphrase": "correct horse battery staple", "nickname": CANARY})
    assert response.status_code == 201
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json()['token']}"}).json()["nickname"] == CANARY
    dump = _database_bytes(runtime)
    assert CANARY.encode() not in dump
    assert CANARY.encode("utf-16-le") not in dump


def test_the_same_nickname_twice_gives_different_ciphertexts(client, runtime):
    for _ in range(2):
        client.post("/api/v1/auth/signup", json={"passphrase": "correct horse battery staple", "nickname": "Same"})
    with runtime.engine.connect() as conn:
        blobs = [bytes(b) for (b,) in conn.execute(text("SELECT nickname_sealed FROM users"))]
    assert len(blobs) == 2 and blobs[0] != blobs[1]


def test_the_key_encryption_key_is_not_in_the_database(client, runtime):
    client.post("/api/v1/auth/signup", json={"passphrase": "correct horse battery staple"})
    import base64

    dump = _database_bytes(runtime)
    keys = list(runtime.settings.resolved_keyring_dir.glob("kek-v*.key"))
    assert keys
    for key_file in keys:
        raw = key_file.read_bytes().strip()
        assert raw not in dump and base64.b64decode(raw) not in dump


def test_a_ciphertext_copied_to_another_row_fails_closed(client, personas, runtime):
    alice, bob = personas.alice, personas.bob
    with runtime.engine.begin() as conn:
        blob = conn.execute(text("SELECT nickname_sealed FROM users WHERE handle = :h"), {"h": alice.handle}).scalar_one()
        conn.execute(text("UPDATE users SET nickname_sealed = :b WHERE handle = :h"), {"b": blob, "h": bob.handle})
    response = bob.get("/api/v1/me")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "sealed_data_unreadable"
    assert "Alice" not in response.text
    assert alice.get("/api/v1/me").json()["nickname"] == "Alice"


def test_no_table_has_a_column_for_contact_details_or_addresses():
    """PR-4: minimisation by default. Haven never stores e-mail, phone or IP addresses."""
    import re

    from haven.db.schema import metadata

    forbidden = re.compile(r"(^|_)(e?mail|phone|msisdn|ip|ip_address|address|user_agent|device)(_|$)")
    for table in metadata().tables.values():
        for column in table.columns:
            assert not forbidden.search(column.name), f"{table.name}.{column.name}"
