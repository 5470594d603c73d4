"""`agentops schema export`: write the GraphQL schema that the code defines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backend.settings import PROJECT_ROOT

schema_app = typer.Typer(help="The GraphQL schema file.", no_args_is_help=True)


@schema_app.command("export")
def export(
    output: Annotated[Path, typer.Option(help="Where to write it; '-' prints it.")] = PROJECT_ROOT
    / "schema.graphql",
) -> None:
    """Write schema.graphql from the code (a test fails when the committed file differs)."""
    from backend.api.schema import schema_sdl

    sdl = schema_sdl()
    if str(output) == "-":
        typer.echo(sdl, nl=False)
        return
    output.write_text(sdl)
    typer.echo(f"Wrote {output}")
