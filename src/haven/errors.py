"""Haven's errors, and the one shape they take on the wire.

Services raise these, never ``HTTPException``; ``haven.app`` renders them as
``{"error": {"code", "message"}}`` for the API or as the HTML error page for pages.
Messages are written by Haven, never built from what a member wrote.

    HavenError (500, "internal")
     ├── Invalid (422, "invalid")
     ├── Unauthenticated (401, "unauthenticated")
     ├── PermissionDenied (403, "forbidden")
     ├── NotFound (404, "not_found")
     ├── Conflict (409, "conflict")
     ├── TooLarge (413, "too_large")
     └── RateLimited (429, "rate_limited")   carries retry_after seconds
"""

from __future__ import annotations


class HavenError(Exception):
    status = 500
    code = "internal"
    message = "Something went wrong on our side. Nothing you sent has been shown to anyone."

    def __init__(self, message: str | None = None, *, code: str | None = None, keep_changes: bool = False) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        # Most errors roll the unit of work back. A few must still commit what was flushed
        # before them, e.g. a failed login's throttle count and audit entry.
        self.keep_changes = keep_changes
        super().__init__(self.message)

    def as_body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class Invalid(HavenError):
    status = 422
    code = "invalid"
    message = "The request is not valid."


class Unauthenticated(HavenError):
    status = 401
    code = "unauthenticated"
    message = "Please log in."


class PermissionDenied(HavenError):
    status = 403
    code = "forbidden"
    message = "You may not do that."


class NotFound(HavenError):
    status = 404
    code = "not_found"
    message = "Not found."


class Conflict(HavenError):
    status = 409
    code = "conflict"
    message = "That conflicts with what is already there."


class TooLarge(HavenError):
    status = 413
    code = "too_large"
    message = "The request is too large."


class RateLimited(HavenError):
    status = 429
    code = "rate_limited"
    message = "Too many attempts. Please wait and try again."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message, keep_changes=True)
        self.retry_after = max(1, int(retry_after))
