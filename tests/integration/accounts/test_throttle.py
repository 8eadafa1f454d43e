"""Login throttling per account and per address (ASVS 4.0.3 2.2.1), on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from haven.config import Settings
from tests.personas import PASSPHRASE

START = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path, database_url):
    # Low limits keep the test short: every attempt costs a real Argon2 verify.
    return Settings(
        env="test", data_dir=tmp_path / "var", database_url=database_url,
        login_account_failures_per_hour=12, login_address_failures_per_hour=20,
    )


def _login(client, handle, passphrase="wrong passphrase here", **kw):
    return client.post("/api/v1/auth/login", json={"handle": handle, "passphrase": passphrase}, **kw)


def test_it_backs_off_from_the_fifth_failure(client, personas):
    alice = personas.alice
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert _login(client, alice.handle).status_code == 401
        blocked = _login(client, alice.handle, PASSPHRASE)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) >= 1
        assert blocked.json()["error"]["code"] == "rate_limited"
        clock.shift(timedelta(seconds=2))
        assert _login(client, alice.handle, PASSPHRASE).status_code == 200


def test_it_caps_failures_per_account_per_hour(client, personas, runtime):
    alice = personas.alice
    limit = runtime.settings.login_account_failures_per_hour
    with time_machine.travel(START, tick=False) as clock:
        statuses = []
        for _ in range(limit + 3):
            clock.shift(timedelta(minutes=15))  # past every back-off step
            statuses.append(_login(client, alice.handle).status_code)
            clock.shift(timedelta(seconds=-15 * 60 + 20))
        assert 429 in statuses
        clock.shift(timedelta(hours=1, minutes=16))
        assert _login(client, alice.handle, PASSPHRASE).status_code == 200


def test_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_help(client, personas, runtime):
    limit = runtime.settings.login_address_failures_per_hour
    with time_machine.travel(START, tick=False):
        last = None
        for i in range(limit + 1):
            # A different unknown handle each time, so only the address bucket counts.
            last = _login(client, f"nobody-{i}", headers={"X-Forwarded-For": f"203.0.113.{i % 250}"})
        assert last.status_code == 429
