"""Staff need TOTP (RFC 6238) before a session; each code works once (pyotp#61)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import time_machine

from haven.accounts import service as accounts
from tests.personas import PASSPHRASE

START = datetime(2026, 11, 28, 9, 0, 10, tzinfo=UTC)


def _create(runtime, handle="dr-mfa"):
    with runtime.unit_of_work() as session:
        accounts.create_staff(session, role="clinician", handle=handle, display_name="Dr Mfa", passphrase=PASSPHRASE)


def _login(client, handle="dr-mfa"):
    return client.post("/api/v1/auth/login", json={"handle": handle, "passphrase": PASSPHRASE})


def test_a_passphrase_alone_gives_staff_no_session(client, runtime):
    _create(runtime)
    response = _login(client)
    assert response.status_code == 200
    body = response.json()
    assert "token" not in body and body["mfa"] == "enrol" and body["otpauth_uri"].startswith("otpauth://totp/")
    assert "set-cookie" not in response.headers or "haven_session" not in response.headers["set-cookie"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['challenge']}"}).status_code == 401


def test_each_code_is_accepted_once_and_old_codes_are_refused(client, runtime):
    _create(runtime)
    with time_machine.travel(START, tick=False) as clock:
        enrol = _login(client).json()
        secret = pyotp.parse_uri(enrol["otpauth_uri"]).secret
        code = pyotp.TOTP(secret).now()
        assert client.post("/api/v1/auth/mfa", json={"challenge": enrol["challenge"], "code": code}).status_code == 200

        again = _login(client).json()
        assert again["mfa"] == "verify" and "otpauth_uri" not in again
        replay = client.post("/api/v1/auth/mfa", json={"challenge": again["challenge"], "code": code})
        assert replay.status_code == 401 and replay.json()["error"]["code"] == "mfa_failed"

        clock.shift(timedelta(seconds=30 * 3))
        stale = pyotp.TOTP(secret).at(datetime.now(UTC) - timedelta(seconds=60))  # two steps old
        assert client.post("/api/v1/auth/mfa", json={"challenge": again["challenge"], "code": stale}).status_code == 401
        fresh = pyotp.TOTP(secret).now()
        assert client.post("/api/v1/auth/mfa", json={"challenge": again["challenge"], "code": fresh}).status_code == 200


def test_the_challenge_expires(client, runtime):
    _create(runtime)
    with time_machine.travel(START, tick=False) as clock:
        enrol = _login(client).json()
        secret = pyotp.parse_uri(enrol["otpauth_uri"]).secret
        clock.shift(timedelta(minutes=11))
        response = client.post("/api/v1/auth/mfa", json={"challenge": enrol["challenge"], "code": pyotp.TOTP(secret).now()})
        assert response.status_code == 401 and response.json()["error"]["code"] == "challenge_expired"


def test_the_totp_secret_is_stored_sealed(client, runtime):
    _create(runtime)
    secret = pyotp.parse_uri(_login(client).json()["otpauth_uri"]).secret
    from sqlalchemy import text

    with runtime.engine.connect() as conn:
        blob = conn.execute(text("SELECT totp_secret_sealed FROM users WHERE handle = 'dr-mfa'")).scalar_one()
    assert secret.encode() not in bytes(blob)
