"""``haven chat``: talk to the same engine in the terminal, on the local database (operators, demos)."""

from __future__ import annotations

import typer

from haven.config import load_settings


def chat(
    handle: str = typer.Option(None, help="Log in as this member (asks for the passphrase). Default: a new anonymous member."),
) -> None:
    """Talk to Haven in the terminal. Type /quit to leave. Messages are stored sealed, as in the web chat."""
    from haven.accounts import service as accounts
    from haven.accounts.models import User
    from haven.conversation import service
    from haven.errors import HavenError
    from haven.runtime import build_runtime

    runtime = build_runtime(load_settings())
    try:
        with runtime.unit_of_work() as session:
            if handle:
                passphrase = typer.prompt("Passphrase", hide_input=True)
                accounts.login(session, handle=handle, passphrase=passphrase, client_address="cli")
                member = session.query(User).filter_by(handle=handle.strip().lower()).one()
            else:
                passphrase = typer.prompt("Choose a passphrase for this demo member", hide_input=True)
                member = accounts.signup(session, passphrase=passphrase).user
                typer.echo(f"You are {member.handle}. (Crisis help: see /help on the web, or call your local emergency number.)")
            member_id = member.id
            conversation_id = service.create(session, member=member).id
    except HavenError as exc:
        typer.echo(exc.message, err=True)
        runtime.dispose()
        raise typer.Exit(1) from None
    typer.echo("Say how you are. /quit to leave.\n")
    try:
        while True:
            try:
                text = input("you> ")
            except EOFError:
                break
            if text.strip() in ("/quit", "/exit"):
                break
            try:
                with runtime.unit_of_work() as session:
                    member = session.get(User, member_id)
                    result = service.post_message(session, member=member, conversation_id=conversation_id, text=text)
            except HavenError as exc:
                typer.echo(f"haven> ({exc.message})")
                continue
            typer.echo(f"haven> {result.reply.text}")
            if result.reply.quick_replies:
                typer.echo(f"       [{' | '.join(result.reply.quick_replies)}]")
    finally:
        runtime.dispose()
