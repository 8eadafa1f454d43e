"""TOTP for staff (RFC 6238, 30 s steps, ±1 step), each code accepted once.

pyotp's ``verify`` accepts a used code again (pyotp#61), so Haven records the accepted time
step and refuses any step at or before it, in the same transaction that opens the session.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp

VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, handle: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=handle, issuer_name="Haven")


def accept(secret: str, code: str, *, last_timecode: int | None) -> int | None:
    """The time step the code belongs to if it is valid and newer than the last one used, else None."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(datetime.now(UTC))
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            if last_timecode is not None and step <= last_timecode:
                return None
            return step
    return None
