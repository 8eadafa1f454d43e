"""The ASGI app factory: settings → runtime → routers, middleware and error rendering."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from haven import __version__
from haven.config import ConfigError, Settings, load_settings
from haven.crypto import SealError
from haven.errors import HavenError, Invalid, NotFound, RateLimited, TooLarge
from haven.runtime import Runtime, build_runtime
from haven.web.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware

log = logging.getLogger(__name__)

# Statuses Starlette raises itself, mapped onto Haven's codes.
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    if runtime is None:
        runtime = build_runtime(settings or load_settings())
    settings = runtime.settings
    check_ready(runtime)

    production = settings.env == "production"
    app = FastAPI(
        title="Haven",
        version=__version__,
        description="Anonymous, encrypted, audited mental-health support. JSON API under /api/v1.",
        docs_url=None if production else "/api/docs",
        redoc_url=None,
        openapi_url=None if production else "/api/openapi.json",
    )
    app.state.runtime = runtime

    from haven.accounts import api as accounts_api
    from haven.accounts import pages as accounts_pages
    from haven.conversation import api as conversation_api
    from haven.conversation import pages as conversation_pages
    from haven.library import api as library_api, pages as library_pages
    from haven.privacy import api as privacy_api
    from haven.safety import api as safety_api
    from haven.web import pages as web_pages
    from haven.web.static import mount_static

    routers = [
        ("/api/v1", accounts_api.router), ("/api/v1", conversation_api.router), ("/api/v1", privacy_api.router),
        ("/api/v1", safety_api.router),
        ("", web_pages.router), ("", accounts_pages.router), ("", conversation_pages.router),
        ("/api/v1", library_api.router), ("", library_pages.router),
    ]
    for prefix, router in routers:
        app.include_router(router, prefix=prefix)
    app.state.routers = routers
    app.state.route_paths = {id(route): prefix + route.path for prefix, router in routers for route in router.routes}
    mount_static(app)

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.https)
    _install_error_handlers(app)
    _install_request_log(app)
    return app


def worker_app() -> FastAPI:
    """Entry point for each worker process of ``haven serve --workers N``: settings from the environment."""
    from haven.logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)


def route_table(app: FastAPI) -> list[tuple[str, set[str]]]:
    """Every (path, methods) Haven serves, for tests that walk all routes (FastAPI keeps included routers private)."""
    return [(prefix + route.path, set(route.methods)) for prefix, router in app.state.routers for route in router.routes]


def check_ready(runtime: Runtime) -> None:
    """Refuse to serve with a wrong or missing keyring (never create keys over existing data)."""
    from sqlalchemy import inspect

    from haven.crypto import service as crypto

    if "alembic_version" not in inspect(runtime.engine).get_table_names():
        raise ConfigError("The database has not been set up yet: run `haven migrate` first.")
    with runtime.unit_of_work() as session:
        if not crypto.check_keyring(session):
            raise ConfigError("No key-encryption key is registered yet: run `haven migrate` first.")


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def render_error(request: Request, error: HavenError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else {}
    if wants_html(request):
        from haven.web.templating import render

        response = render(request, "error.html", {"error": error}, status_code=error.status)
        response.headers.update(headers)
        return response
    return JSONResponse(error.as_body(), status_code=error.status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HavenError)
    async def haven_error(request: Request, exc: HavenError) -> Response:
        return render_error(request, exc)

    @app.exception_handler(SealError)
    async def unreadable(request: Request, exc: SealError) -> Response:
        # Fail closed: a sealed value that does not open (moved, tampered, key gone) is never guessed at.
        log.error("crypto.open_failed", extra={"fields": {"kind": type(exc).__name__}})
        return render_error(request, HavenError(
            "Some stored data could not be opened, so nothing was shown. The operator has been told.",
            code="sealed_data_unreadable",
        ))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # Name the field and the rule; never echo the value, which may be member content.
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")) or "body"
        return render_error(request, Invalid(f"{where}: {first.get('msg', 'is not valid')}"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return render_error(request, NotFound())
        if exc.status_code == 413:
            return render_error(request, TooLarge())
        error = HavenError("That request cannot be handled here.", code=HTTP_CODES.get(exc.status_code, "http_error"))
        error.status = exc.status_code
        return render_error(request, error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("request.unexpected_error", exc_info=exc, extra={"fields": {"path": request.scope.get("route_path", "")}})
        return render_error(request, HavenError())


def _install_request_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_log(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route_path = request.app.state.route_paths.get(id(request.scope.get("route")), "unmatched")
        log.info(
            "http.request",
            extra={"fields": {
                "method": request.method,
                # The route template, not the URL: ids in paths are fine, but queries are not logged.
                "route": route_path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }},
        )
        return response
