"""Jinja2 rendering with autoescaping, a CSRF token in every form, and templates from every domain."""

from __future__ import annotations

import re
import secrets
from functools import cache
from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

DOMAINS_WITH_TEMPLATES = ("web", "accounts", "conversation", "library")


INTERNAL_LINK = re.compile(r"(?<![\w/])/(help|library/[a-z0-9-]+)\b")


def internal_links(text: str) -> Markup:
    """Escape the text, then make Haven's own paths (/help, /library/…) links. Nothing else becomes markup."""
    escaped = str(escape(text))
    return Markup(INTERNAL_LINK.sub(r'<a href="/\1">/\1</a>', escaped))


@cache
def environment() -> Environment:
    loaders = [FileSystemLoader(str(resources.files(f"haven.{d}").joinpath("templates"))) for d in DOMAINS_WITH_TEMPLATES]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True))
    env.filters["internal_links"] = internal_links
    return env


def csrf_token(request: Request) -> str:
    """The double-submit token: kept in a cookie, repeated in each form; set on first use."""
    from haven.deps import cookie_names

    existing = request.cookies.get(cookie_names(request)[1])
    if existing:
        return existing
    token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


def render(request: Request, template: str, context: dict | None = None, *, status_code: int = 200) -> HTMLResponse:
    from haven.deps import cookie_names, is_https

    auth = getattr(request.state, "auth", None)
    ctx = {"request": request, "auth": auth, "csrf_token": csrf_token(request), **(context or {})}
    response = HTMLResponse(environment().get_template(template).render(ctx), status_code=status_code)
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(cookie_names(request)[1], new, httponly=True, samesite="lax", secure=is_https(request), path="/")
    return response
