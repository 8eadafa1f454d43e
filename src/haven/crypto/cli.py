"""``haven keys``: rotate and check key-encryption keys. Thin: each command is one unit of work."""

from __future__ import annotations

import typer

app = typer.Typer(help="Key-encryption keys and member data keys.", no_args_is_help=True)


@app.callback()
def _keys() -> None:
    """Key-encryption keys and member data keys."""


@app.command()
def rotate() -> None:
    """Create a new key-encryption key and rewrap every member's data key under it.

    Sealed data is not re-encrypted. Older key files stay in the keyring and are still
    needed to read backups taken before this rotation: keep them.
    """
    from haven.crypto import service

    def work(session):
        version = service.rotate_kek(session)
        return version, service.count_data_keys(session, kek_version=version)

    version, count = _run(work)
    typer.echo(f"Key-encryption key v{version} is now current; {count} data keys rewrapped.")


@app.command()
def check() -> None:
    """Check that every key-encryption key the database names is present and correct."""
    from haven.crypto import service

    def work(session):
        return service.check_keyring(session), service.count_data_keys(session)

    ready, count = _run(work)
    if not ready:
        typer.echo("No key-encryption key is registered yet. Run `haven init`.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Keyring is consistent with the database; {count} data keys.")


def _run(work):
    from haven.config import ConfigError, load_settings
    from haven.crypto.keyring import KeyringError
    from haven.runtime import build_runtime

    try:
        runtime = build_runtime(load_settings())
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    try:
        with runtime.unit_of_work() as session:
            return work(session)
    except KeyringError as exc:
        typer.echo(f"Keyring error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        runtime.dispose()
