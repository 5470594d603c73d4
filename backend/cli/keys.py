"""`agentops keys …`: create, list and revoke API keys from the shell."""

from __future__ import annotations

from typing import Annotated

import typer

from backend.auth import service
from backend.cli.orm import run_with_orm
from backend.core.scopes import Scope
from backend.settings import get_settings

keys_app = typer.Typer(
    help="Create, list and revoke API keys.", no_args_is_help=True, pretty_exceptions_show_locals=False
)


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="A label to recognise the key by.")],
    scope: Annotated[list[Scope], typer.Option(help="A scope to grant; repeat for several.")],
) -> None:
    """Create a key and print its secret (shown only this once)."""
    key, secret = run_with_orm(get_settings(), lambda: service.create_api_key(name=name, scopes=scope))
    typer.echo(f"Created key {key.prefix} '{key.name}' with scopes {', '.join(key.scopes)}.")
    typer.echo("Secret (store it now; it cannot be shown again):")
    typer.echo(secret)


@keys_app.command("list")
def list_keys(
    include_revoked: Annotated[bool, typer.Option(help="Show revoked keys too.")] = True,
) -> None:
    """List keys, newest first."""
    keys = run_with_orm(get_settings(), lambda: service.list_api_keys(include_revoked=include_revoked))
    if not keys:
        typer.echo("No API keys.")
        return
    typer.echo(f"{'PREFIX':<10} {'NAME':<30} {'SCOPES':<28} {'CREATED':<20} STATE")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        typer.echo(
            f"{key.prefix:<10} {key.name[:30]:<30} {','.join(key.scopes):<28} "
            f"{key.created_at:%Y-%m-%d %H:%M}     {state}"
        )


@keys_app.command("revoke")
def revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix, as `keys list` shows it.")]) -> None:
    """Revoke a key; every API replica refuses it within seconds."""

    async def work() -> bool:
        key = await service.find_api_key_by_prefix(prefix=prefix)
        if key is None:
            return False
        await service.revoke_api_key(key_id=key.id)
        return True

    if not run_with_orm(get_settings(), work):
        typer.echo(f"No API key with prefix {prefix!r}.", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Revoked {prefix}.")
