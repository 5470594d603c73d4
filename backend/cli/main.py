"""`agentops`: one command line for every process and chore of the product."""

from __future__ import annotations

from typing import Annotated

import typer

from backend.cli.evals import eval_app
from backend.cli.keys import keys_app
from backend.cli.schema import schema_app
from backend.cli.simulate import simulate
from backend.cli.users import users_app
from backend.settings import ConfigurationError, get_settings

app = typer.Typer(
    help="AgentOps Studio: control plane for AI customer-service agents.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold secrets (keys, URLs with passwords)
)


@app.callback()
def _logs() -> None:
    # Every command logs like the processes do: key-value lines on a terminal, JSON elsewhere (or as
    # AGENTOPS_LOG_JSON says). A bad setting is reported by the command that reads the settings, not here.
    from backend.telemetry.logs import configure_logging

    try:
        settings = get_settings()
    except ConfigurationError:
        configure_logging(level="INFO")
        return
    configure_logging(level=settings.log_level, json=settings.log_json)


app.add_typer(keys_app, name="keys")
app.add_typer(schema_app, name="schema")
app.add_typer(eval_app, name="eval")
app.add_typer(users_app, name="users")
app.command()(simulate)


@app.command()
def up() -> None:
    """Run everything with demo data: PostgreSQL and Redis (private ones if needed), API, worker and
    dashboard; replies on channels with no endpoint go to the built-in sandbox
    (AGENTOPS_SANDBOX_DELIVERY=false: not)."""
    from backend.cli.up import run_up

    run_up()


@app.command()
def api() -> None:
    """Serve the API (GraphQL, GraphiQL, health) with uvicorn; installs GraphiQL's files with npm on first
    use."""
    import uvicorn

    settings = get_settings()
    if settings.graphiql:
        from backend.api.graphiql_files import ensure_assets

        ensure_assets()  # else the page asks a public CDN for them (and the log says why)
    uvicorn.run(
        "backend.api.app:create_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,  # our structlog setup handles uvicorn's records
        proxy_headers=True,
        # Live updates are small JSON messages sent to many subscribers: compressing each one cost more CPU
        # than any other step of the fan-out (bench/live.py), for a few bytes saved.
        ws_per_message_deflate=False,
    )


@app.command()
def dashboard() -> None:
    """Serve the Reflex dashboard (production build); installs its toolchain from the registries on first
    use."""
    from backend.cli.dashboard import run_dashboard

    run_dashboard(get_settings())


@app.command()
def worker() -> None:
    """Run a SAQ worker for the agentops queue."""
    from saq.worker import start

    get_settings()  # fail early, with the variable's name, on bad configuration
    start("jobs.worker.settings")


@app.command("loopback-model")
def loopback_model(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The openai policy's default base URL points here.")] = 11434,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", min=0, help="Time each call takes (a sleep).")
    ] = 0,
    behaviour: Annotated[
        str,
        typer.Option(
            help="rules: decides like the offline rules policy; rounds:N: N-1 tool rounds a turn, then a "
            "reply.",
        ),
    ] = "rules",
) -> None:
    """Serve an OpenAI-compatible model on this machine (no network), for the openai policy and the LLM
    judge."""
    import uvicorn

    from backend.loopback.app import create_loopback_app

    try:
        application = create_loopback_app(latency_ms=latency_ms, behaviour=behaviour)
    except ValueError as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    base_url = f"http://{host}:{port}/v1"
    typer.echo(
        f"Loopback model ({behaviour}, {latency_ms:g} ms a call) on {base_url}; point the product at it "
        f"with AGENTOPS_AGENT_POLICY=openai AGENTOPS_OPENAI_BASE_URL={base_url}"
    )
    # One process: /stats counts every call only if every call lands here.
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)


@app.command()
def migrate() -> None:
    """Create the database if needed and apply pending migrations (the API and worker also do this)."""
    from backend.cli.orm import run_with_orm

    async def nothing() -> None:
        return None

    run_with_orm(get_settings(), nothing)
    typer.echo("Database schema is current.")


@app.command()
def seed() -> None:
    """Send the demo conversations through the accept path (idempotent); a worker processes them."""
    from backend.cli.orm import run_with_orm
    from backend.demo.eval_history import seed_eval_history
    from backend.demo.ops_history import seed_ops_history
    from backend.demo.seed import seed_demo
    from backend.ingest.service import standalone_context
    from backend.scheduling.seed import business_today, seed_business

    settings = get_settings()

    async def send() -> tuple[int, int]:
        slots = await seed_business(timezone=settings.business_timezone, today=business_today(settings))
        async with standalone_context(settings) as context:
            return slots, await seed_demo(context=context)

    slots, accepted = run_with_orm(settings, send)
    runs = run_with_orm(settings, lambda: seed_eval_history(settings=settings))
    history = run_with_orm(settings, lambda: seed_ops_history(timezone=settings.business_timezone))
    typer.echo(f"Added {slots} bookable slot(s) to the demo business.")
    typer.echo(f"Ran {runs} eval run(s) over the golden suites (prompt v1, and booking on v2).")
    typer.echo(f"Added {history} backdated conversation(s): a week of metrics and a resolved incident.")
    typer.echo(f"Accepted {accepted} new demo event(s); a running worker turns them into conversations.")


def main() -> None:
    """Entry point: configuration errors print the variable's name, not a traceback."""
    try:
        app()
    except ConfigurationError as error:
        typer.echo(str(error), err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
