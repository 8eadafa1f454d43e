"""Sign-up, log-in, log-out and the session cookie, through the API."""

from __future__ import annotations

import re

from tests.personas import PASSPHRASE


def test_it_signs_up_with_only_a_passphrase(client):
    response = client.post("/api/v1/auth/signup", json={"passphrase": PASSPHRASE})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"member_id", "handle", "recovery_code", "token"}
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{4}", body["handle"])
    assert len(body["token"]) >= 43
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-haven_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Domain" not in cookie and "Path=/" in cookie


def test_it_logs_in_and_out(client, personas):
    alice = personas.alice
    response = client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": PASSPHRASE})
    assert response.status_code == 200
    token = response.json()["token"]
    assert token != alice.token  # a new session per login
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["handle"] == alice.handle
    assert me.json()["nickname"] == "Alice"
    out = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Alice's other session is untouched by this logout.
    assert alice.get("/api/v1/me").status_code == 200


def test_unknown_handle_and_wrong_passphrase_answer_alike(client, personas):
    alice = personas.alice
    wrong = client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": "not the passphrase"})
    unknown = client.post("/api/v1/auth/login", json={"handle": "nobody-here-1234", "passphrase": "not the passphrase"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "login_failed"


def test_me_needs_a_session(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthenticated", "message": "Please log in."}}


def test_login_rehashes_when_the_argon2_parameters_change(client, personas, runtime):
    from argon2 import PasswordHasher
    from sqlalchemy import text

    alice = personas.alice
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSPHRASE)
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE users SET passphrase_hash = :h WHERE handle = :handle"), {"h": weak, "handle": alice.handle})
    assert client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": PASSPHRASE}).status_code == 200
    with runtime.engine.connect() as conn:
        stored = conn.execute(text("SELECT passphrase_hash FROM users WHERE handle = :h"), {"h": alice.handle}).scalar_one()
    assert stored != weak and "m=65536,t=3,p=4" in stored


def test_forms_without_the_csrf_token_are_refused(client):
    client.get("/signup")
    response = client.post("/signup", data={"passphrase": PASSPHRASE, "csrf_token": "forged"})
    assert response.status_code == 403
    assert "expired" in response.text
