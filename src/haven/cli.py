"""The ``haven`` command. Thin: each command builds the runtime, opens one unit of work, calls services."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from haven.config import ConfigError, load_settings

app = typer.Typer(help="Haven: anonymous, encrypted, audited mental-health support.", no_args_is_help=True)
admin = typer.Typer(help="Operator tasks: staff accounts.", no_args_is_help=True)
console = Console(stderr=True)


@contextmanager
def _runtime() -> Iterator:
    """The runtime for one command, its connections closed afterwards."""
    from haven.runtime import build_runtime

    try:
        runtime = build_runtime(load_settings())
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    try:
        yield runtime
    finally:
        runtime.dispose()


@app.command()
def migrate() -> None:
    """Create or upgrade the database, and create the keyring on a fresh install."""
    from haven.crypto import KeyringError
    from haven.crypto import service as crypto
    from haven.db import migrate as migrations

    with _runtime() as runtime:
        migrations.upgrade(runtime.engine)
        try:
            with runtime.unit_of_work() as session:
                created = crypto.init_keyring(session)
        except KeyringError as exc:
            console.print(f"[red]Keyring problem:[/red] {exc}")
            raise typer.Exit(2) from None
        keyring_dir = runtime.settings.resolved_keyring_dir
    if created:
        console.print(f"Created a new key-encryption key in {keyring_dir}. Back it up apart from the database.")
    console.print("Database is up to date.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes; they share only the database."),
) -> None:
    """Serve the pages and the API. Workers are stateless: run more, or more machines behind a load balancer."""
    import uvicorn

    from haven.app import create_app
    from haven.crypto import KeyringError
    from haven.logging import configure_logging

    with _runtime() as runtime:
        try:
            app_ = create_app(runtime=runtime)
        except (KeyringError, ConfigError) as exc:
            console.print(f"[red]Haven will not start:[/red] {exc}")
            raise typer.Exit(2) from None
        configure_logging(runtime.settings.log_level)
        console.print(f"Haven is serving on http://{host}:{port}  (Ctrl+C to stop)")
        # Forwarded headers are handled by Haven itself, and only from HAVEN_TRUSTED_PROXIES.
        options = {"host": host, "port": port, "access_log": False, "log_config": None, "proxy_headers": False,
                   "server_header": False}
        if workers == 1:
            uvicorn.run(app_, **options)
        else:
            uvicorn.run("haven.app:worker_app", factory=True, workers=workers, **options)


def _create_staff(role: str, handle: str, name: str) -> None:
    from haven.accounts import service as accounts
    from haven.errors import HavenError

    passphrase = typer.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
    try:
        with _runtime() as runtime, runtime.unit_of_work() as session:
            user = accounts.create_staff(session, role=role, handle=handle, display_name=name, passphrase=passphrase)
    except HavenError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Created {role} {user.handle} ({user.id}). They enrol an authenticator app at first login.")


@admin.command("create-clinician")
def create_clinician(
    handle: str = typer.Option(..., help="The login name, e.g. dr-okafor."),
    name: str = typer.Option(..., help="Name shown to linked members."),
) -> None:
    """Create a clinician. The passphrase is asked for, never taken from the command line."""
    _create_staff("clinician", handle, name)


@admin.command("create-operator")
def create_operator(
    handle: str = typer.Option(..., help="The login name."),
    name: str = typer.Option(..., help="Display name."),
) -> None:
    """Create an operator account (TOTP enrolment at first login)."""
    _create_staff("operator", handle, name)


def _mount_domains() -> None:
    from haven.audit.cli import app as audit_app
    from haven.conversation.cli import chat
    from haven.crypto.cli import app as keys_app
    from haven.nlu.cli import eval_app, train_app

    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")
    app.add_typer(admin, name="admin")
    app.command("chat")(chat)
    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")


_mount_domains()


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        sys.exit(2)
