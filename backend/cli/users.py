"""`agentops users …`: create and list dashboard users from the shell."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from backend.cli.orm import run_with_orm
from backend.settings import get_settings
from backend.users import service
from backend.users.roles import ROLE_SCOPES, Role

users_app = typer.Typer(
    help="Create and list dashboard users.", no_args_is_help=True, pretty_exceptions_show_locals=False
)


@users_app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The user's e-mail, used to log in.")],
    role: Annotated[Role, typer.Option(help="viewer reads; operator also acts; admin does everything.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Prompted for (hidden) when not given; at least 8 characters.",
        ),
    ],
) -> None:
    """Create a user who can log in to the dashboard."""
    try:
        new_user = service.NewUser(email=email, password=password, role=role)
    except ValidationError as error:
        problem = error.errors()[0]
        typer.echo(f"Invalid {problem['loc'][0]}: {problem['msg']}.", err=True)
        raise typer.Exit(code=2) from None
    try:
        user = run_with_orm(get_settings(), lambda: service.create_user(new_user=new_user))
    except service.UserAlreadyExists as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from None
    scopes = ", ".join(scope.value for scope in ROLE_SCOPES[user.role])
    typer.echo(f"Created {user.role.value} {user.email} (API scopes: {scopes}).")


@users_app.command("list")
def list_users() -> None:
    """List users by e-mail."""
    users = run_with_orm(get_settings(), service.list_users)
    if not users:
        typer.echo("No users.")
        return
    typer.echo(f"{'EMAIL':<40} {'ROLE':<9} {'CREATED':<17} LAST LOGIN")
    for user in users:
        last_login = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
        typer.echo(
            f"{user.email[:40]:<40} {user.role.value:<9} {user.created_at:%Y-%m-%d %H:%M} {last_login}"
        )
