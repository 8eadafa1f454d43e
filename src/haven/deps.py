"""Named request dependencies, so route signatures read like prose (``db: DbSession, me: CurrentMember``).

The unit of work: one session per request, committed once after the handler returns, rolled
back when it raises (unless the error asks to keep what was flushed, as a failed login does).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from haven.accounts import sessions
from haven.accounts.sessions import Authenticated
from haven.errors import HavenError, NotFound, PermissionDenied, Unauthenticated
from haven.runtime import Runtime

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def db_session(request: Request) -> Iterator[Session]:
    session = get_runtime(request).session_factory()
    try:
        yield session
        session.commit()
    except HavenError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so a failed commit is a 500, not a false 200.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def cookie_names(request: Request) -> tuple[str, str]:
    """Session and CSRF cookie names: ``__Host-`` over HTTPS; browsers refuse that prefix without Secure."""
    if is_https(request):
        return "__Host-haven_session", "__Host-haven_csrf"
    return "haven_session", "haven_csrf"


def is_https(request: Request) -> bool:
    if request.url.scheme == "https" or request.app.state.runtime.settings.https:
        return True
    return _peer_is_trusted(request) and request.headers.get("x-forwarded-proto", "").lower() == "https"


def _peer_is_trusted(request: Request) -> bool:
    peer = request.client.host if request.client else ""
    return peer in request.app.state.runtime.settings.trusted_proxies


def client_address(request: Request) -> str:
    """The client's address: the peer, or the last untrusted hop of X-Forwarded-For behind a trusted proxy.

    Rotating X-Forwarded-For from an untrusted peer changes nothing (fastify-rate-limit#7).
    """
    peer = request.client.host if request.client else "unknown"
    if not _peer_is_trusted(request):
        return peer
    trusted = set(request.app.state.runtime.settings.trusted_proxies)
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return peer


ClientAddress = Annotated[str, Depends(client_address)]


def bearer_or_cookie_token(request: Request) -> tuple[str | None, bool]:
    """The presented session token and whether it came from a cookie."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None, False
    return request.cookies.get(cookie_names(request)[0]), True


def check_csrf(request: Request, presented: str | None) -> None:
    expected = request.cookies.get(cookie_names(request)[1])
    if not expected or not presented or not hmac.compare_digest(expected, presented):
        raise PermissionDenied("The form has expired; please reload the page and try again.", code="csrf_failed")


def optional_auth(request: Request, db: DbSession) -> Authenticated | None:
    token, from_cookie = bearer_or_cookie_token(request)
    if not token:
        return None
    auth = sessions.resolve(db, settings=get_runtime(request).settings, token=token)
    if auth is None:
        return None
    # A cookie rides along with cross-site requests; API writes with a cookie must prove same-origin.
    if from_cookie and request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        check_csrf(request, request.headers.get("x-csrf-token"))
    request.state.auth = auth
    request.state.token = token
    return auth


def require_auth(auth: Annotated[Authenticated | None, Depends(optional_auth)]) -> Authenticated:
    if auth is None:
        raise Unauthenticated()
    return auth


def require_member(auth: Annotated[Authenticated, Depends(require_auth)]) -> Authenticated:
    # A staff session asking for member-only resources gets 404, not a hint that they exist.
    if auth.role != "member":
        raise NotFound()
    return auth


OptionalAuth = Annotated[Authenticated | None, Depends(optional_auth)]
CurrentUser = Annotated[Authenticated, Depends(require_auth)]
CurrentMember = Annotated[Authenticated, Depends(require_member)]
