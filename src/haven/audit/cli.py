"""``haven audit …``: commands for operators (mounted by ``haven.cli``)."""

from __future__ import annotations

import typer

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """The hash-chained audit log."""  # keeps `verify` a subcommand while it is the only one


@app.command("verify")
def verify_command() -> None:
    """Check the whole chain and its signed head; exit 1 naming the first bad entry."""
    from sqlalchemy.exc import DBAPIError

    from haven import config, runtime
    from haven.audit import service

    rt = runtime.build_runtime(config.load_settings())
    try:
        with rt.unit_of_work() as session:
            report = service.verify(session)
    except DBAPIError as exc:
        typer.echo(f"cannot read the audit log: {type(exc.orig).__name__}", err=True)
        raise typer.Exit(2) from None
    finally:
        rt.dispose()
    for seq in report.resets:
        typer.echo(f"warning: the head was reset at entry {seq}; entries before it could not be vouched for")
    if report.ok:
        typer.echo(f"ok: {report.entries_checked} entries, head {report.head_hash or 'none'}")
        return
    where = f"entry {report.first_bad_seq}" if report.first_bad_seq is not None else "head"
    typer.echo(f"FAILED at {where}: {report.problem}: {report.message}", err=True)
    raise typer.Exit(1)
