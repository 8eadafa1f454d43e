"""Passphrase rules (ASVS 6.2) and Argon2id parameters (ASVS 11.4.2)."""

from __future__ import annotations

import pytest

from haven.accounts.passphrases import Hasher, check_rules
from haven.errors import Invalid


@pytest.mark.parametrize("passphrase", ["a" * 7, "", "1234567"])
def test_it_rejects_short_passphrases(passphrase):
    with pytest.raises(Invalid, match="at least 8"):
        check_rules(passphrase)


@pytest.mark.parametrize("passphrase", ["x" * 64, "x" * 1024, "🌊🌊🌊🌊🌊🌊🌊🌊", "  spaces count  ", "ALLCAPSNODIGITS"])
def test_it_accepts_long_emoji_and_plain_passphrases(passphrase):
    check_rules(passphrase)


def test_it_rejects_past_1024():
    with pytest.raises(Invalid, match="at most 1024"):
        check_rules("x" * 1025)


@pytest.mark.parametrize("passphrase", ["password", "PASSWORD", "Password1", "12345678", "iloveyou", "qwertyuiop"])
def test_it_rejects_common_passwords_whatever_the_case(passphrase):
    with pytest.raises(Invalid, match="most common"):
        check_rules(passphrase)


def test_it_checks_passphrases_verbatim():
    hasher = Hasher(time_cost=1, memory_kib=8192, parallelism=1, max_concurrent=1)
    stored = hasher.hash("  with spaces  ")
    assert hasher.verify(stored, "  with spaces  ")
    assert not hasher.verify(stored, "with spaces")


def test_defaults_are_argon2id_at_rfc9106_low_memory():
    from haven.config import Settings
    from haven.accounts.passphrases import hasher_for

    stored = hasher_for(Settings(env="test")).hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 65536 and int(params["t"]) >= 3 and int(params["p"]) >= 1


def test_unknown_account_costs_one_verify_too():
    hasher = Hasher(time_cost=1, memory_kib=8192, parallelism=1, max_concurrent=1)
    calls = []

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def verify(self, stored, passphrase):
            calls.append(stored)
            return self.inner.verify(stored, passphrase)

    hasher._ph = Spy(hasher._ph)
    assert hasher.verify(None, "anything at all") is False
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")
