"""Passphrase rules and Argon2id hashing.

Rules follow NIST SP 800-63B / ASVS 6.2: 8 to 1024 characters, any characters, no composition
rules, checked verbatim (no trimming), and not one of the commonest breached passwords.
Hashes use argon2-cffi's RFC 9106 low-memory profile by default (t=3, 64 MiB, p=4) and are
rehashed at login when the parameters change. A semaphore bounds how many 64 MiB hashes run
at once so a burst of logins cannot exhaust memory.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from haven.errors import Invalid

MIN_LENGTH = 8
MAX_LENGTH = 1024


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("haven.accounts").joinpath("data/common-passwords.txt").read_text()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_rules(passphrase: str) -> None:
    """Raise Invalid naming the field when the passphrase breaks a rule."""
    if len(passphrase) < MIN_LENGTH:
        raise Invalid(f"passphrase: use at least {MIN_LENGTH} characters; a few words together work well.")
    if len(passphrase) > MAX_LENGTH:
        raise Invalid(f"passphrase: use at most {MAX_LENGTH} characters.")
    if passphrase.lower() in common_passwords():
        raise Invalid("passphrase: this is one of the most common passwords; please choose another.")


class Hasher:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int, max_concurrent: int) -> None:
        self._ph = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        self._slots = threading.BoundedSemaphore(max_concurrent)
        # Verified against when the handle is unknown, so both paths cost one Argon2 verify.
        self._dummy = self.hash("haven-dummy-passphrase-for-timing")

    def hash(self, passphrase: str) -> str:
        with self._slots:
            return self._ph.hash(passphrase)

    def verify(self, stored_hash: str | None, passphrase: str) -> bool:
        with self._slots:
            try:
                return self._ph.verify(stored_hash or self._dummy, passphrase) and stored_hash is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._ph.check_needs_rehash(stored_hash)


_hashers: dict[tuple[int, int, int, int], Hasher] = {}
_hashers_lock = threading.Lock()


def hasher_for(settings) -> Hasher:
    """One Hasher (and semaphore) per parameter set, shared by every request of the process."""
    key = (
        settings.argon2_time_cost,
        settings.argon2_memory_kib,
        settings.argon2_parallelism,
        settings.argon2_max_concurrent,
    )
    with _hashers_lock:
        if key not in _hashers:
            _hashers[key] = Hasher(
                time_cost=key[0], memory_kib=key[1], parallelism=key[2], max_concurrent=key[3]
            )
        return _hashers[key]
