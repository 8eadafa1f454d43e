"""Session lifetimes per role (SP 800-63B AAL2/AAL3) and revocation (ASVS 7.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.personas import PASSPHRASE

START = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def _fresh_login(client, person):
    response = client.post("/api/v1/auth/login", json={"handle": person.handle, "passphrase": person.passphrase})
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_member_sessions_end_after_30_idle_minutes(client, personas):
    alice = personas.alice
    with time_machine.travel(START, tick=False) as clock:
        headers = _fresh_login(client, alice)
        clock.shift(timedelta(minutes=29))
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        clock.shift(timedelta(minutes=29))  # activity resets the idle clock
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        clock.shift(timedelta(minutes=30, seconds=1))
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_member_sessions_end_after_12_hours_whatever_the_activity(client, personas):
    alice = personas.alice
    with time_machine.travel(START, tick=False) as clock:
        headers = _fresh_login(client, alice)
        for _ in range(12 * 4 - 1):
            clock.shift(timedelta(minutes=15))
            assert client.get("/api/v1/me", headers=headers).status_code == 200
        clock.shift(timedelta(minutes=15))
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_clinician_sessions_end_after_15_idle_minutes(client, personas):
    with time_machine.travel(START, tick=False) as clock:
        carter = personas.new_staff("clinician", "dr-idle")
        clock.shift(timedelta(minutes=14))
        assert carter.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(minutes=15, seconds=1))
        assert carter.get("/api/v1/me").status_code == 401


def test_the_token_changes_at_every_login(client, personas):
    alice = personas.alice
    tokens = {_fresh_login(client, alice)["Authorization"] for _ in range(3)}
    assert len(tokens) == 3


def test_changing_the_passphrase_ends_every_other_session(client, personas):
    alice = personas.alice
    other = _fresh_login(client, alice)
    response = alice.post("/api/v1/auth/passphrase", json={"current_passphrase": PASSPHRASE, "new_passphrase": "a brand new passphrase"})
    assert response.status_code == 200
    new_headers = {"Authorization": f"Bearer {response.json()['token']}"}
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert alice.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=new_headers).status_code == 200


def test_a_wrong_current_passphrase_changes_nothing(client, personas):
    alice = personas.alice
    response = alice.post("/api/v1/auth/passphrase", json={"current_passphrase": "not it at all", "new_passphrase": "a brand new passphrase"})
    assert response.status_code == 401
    assert alice.get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": PASSPHRASE}).status_code == 200


def test_the_recovery_code_sets_a_new_passphrase_once(client, personas):
    alice = personas.alice
    body = {"handle": alice.handle, "recovery_code": alice.recovery_code, "new_passphrase": "recovered at last, phew"}
    first = client.post("/api/v1/auth/recover", json=body)
    assert first.status_code == 200
    assert first.json()["recovery_code"] != alice.recovery_code
    assert alice.get("/api/v1/me").status_code == 401  # old sessions end
    again = client.post("/api/v1/auth/recover", json={**body, "new_passphrase": "and once more please"})
    assert again.status_code == 401
    login = client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": "recovered at last, phew"})
    assert login.status_code == 200


@pytest.mark.parametrize("bad", ["", "AAAAA-AAAAA-AAAAA-AAAAA"])
def test_a_wrong_recovery_code_is_refused(client, personas, bad):
    alice = personas.alice
    response = client.post("/api/v1/auth/recover", json={"handle": alice.handle, "recovery_code": bad, "new_passphrase": "recovered at last, phew"})
    assert response.status_code == 401
    assert alice.get("/api/v1/me").status_code == 200


def test_cookie_writes_to_the_api_need_the_csrf_header(client, personas):
    alice = personas.alice
    client.post("/api/v1/auth/login", json={"handle": alice.handle, "passphrase": PASSPHRASE})
    assert client.get("/api/v1/me").status_code == 200  # reads with the cookie are fine
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
    client.get("/login")  # a page sets the CSRF cookie
    token = client.cookies.get("__Host-haven_csrf")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
