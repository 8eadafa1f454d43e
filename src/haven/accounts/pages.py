"""HTML pages for accounts: sign up, log in (with the staff TOTP step), log out, home.

Plain form posts, so they work without JavaScript. Every form carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from haven.accounts import service, sessions
from haven.audit import service as audit
from haven.accounts.api import clear_session_cookie, set_session_cookie
from haven.deps import ClientAddress, DbSession, OptionalAuth, check_csrf
from haven.errors import HavenError, RateLimited
from haven.web.templating import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=4096)]
OptionalFormText = Annotated[str | None, Form(max_length=4096)]


def _form_error(db: Session, request: Request, template: str, error: HavenError, context: dict | None = None) -> Response:
    """Re-render the form with the error; keep flushed changes only when the error asks to (a failed login)."""
    if not error.keep_changes:
        db.rollback()
    # API messages start with the field ("passphrase: …"); on a page the field is right there.
    field, _, rest = error.message.partition(": ")
    message = rest[:1].upper() + rest[1:] if rest and field.isidentifier() else error.message
    response = render(request, template, {"error": message, **(context or {})}, status_code=error.status)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, auth: OptionalAuth):
    return _redirect("/home") if auth else render(request, "signup.html")


@router.post("/signup", response_class=HTMLResponse)
def signup(
    request: Request, db: DbSession, csrf_token: FormText, passphrase: FormText,
    nickname: OptionalFormText = None,
):
    check_csrf(request, csrf_token)
    nickname = (nickname or "").strip()[:40] or None
    try:
        result = service.signup(db, passphrase=passphrase, nickname=nickname)
    except HavenError as error:
        return _form_error(db, request, "signup.html", error)
    # The new session is live: the page header should show the signed-in navigation.
    request.state.auth = sessions.Authenticated(user=result.user, session_id=None, role=result.user.role)
    response = render(request, "signup_done.html", {"handle": result.user.handle, "recovery_code": result.recovery_code}, status_code=201)
    set_session_cookie(request, response, result.token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, auth: OptionalAuth):
    return _redirect("/home") if auth else render(request, "login.html")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: DbSession, address: ClientAddress, csrf_token: FormText, handle: FormText, passphrase: FormText):
    check_csrf(request, csrf_token)
    try:
        result = service.login(db, handle=handle[:64], passphrase=passphrase, client_address=address)
    except HavenError as error:
        return _form_error(db, request, "login.html", error, {"handle": handle[:64]})
    if result.mfa:
        return render(request, "mfa.html", {"challenge": result.challenge, "enrol": result.mfa == "enrol", "otpauth_uri": result.otpauth_uri})
    response = _redirect("/home")
    set_session_cookie(request, response, result.token)
    return response


@router.post("/login/mfa", response_class=HTMLResponse)
def login_mfa(request: Request, db: DbSession, csrf_token: FormText, challenge: FormText, code: FormText):
    check_csrf(request, csrf_token)
    try:
        token = service.complete_mfa(db, challenge=challenge[:128], code=code[:16])
    except HavenError as error:
        return _form_error(db, request, "mfa.html", error, {"challenge": challenge, "enrol": False})
    response = _redirect("/home")
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, auth: OptionalAuth, csrf_token: FormText):
    check_csrf(request, csrf_token)
    if auth:
        service.logout(db, user=auth.user, token=request.state.token)
    response = _redirect("/")
    clear_session_cookie(request, response)
    return response


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, db: DbSession, auth: OptionalAuth):
    if auth is None:
        return _redirect("/login")
    profile = service.get_profile(db, user=auth.user)
    return render(request, "home.html", {"profile": profile})


@router.get("/access-log", response_class=HTMLResponse)
def access_log(request: Request, db: DbSession, auth: OptionalAuth):
    """Who touched this account's data, when and why, with each entry's place in the hash chain."""
    if auth is None:
        return _redirect("/login")
    head = audit.head(db)
    return render(request, "access_log.html", {"entries": audit.list_for_subject(db, subject_id=auth.user.id), "head": head})
