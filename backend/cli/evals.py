"""`agentops eval …`: sync the golden files, run a suite with a progress bar and a CI gate, export cases."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from tortoise.exceptions import DoesNotExist

from backend.agent.setup import build_agent
from backend.cli.orm import run_with_orm
from backend.evals import service
from backend.evals.model_source import CASSETTE_EXPECTATION, ModelSourceNotApplicable, model_source_for
from backend.evals.models import EvalCase, EvalCaseResult, EvalRun, EvalRunStatus, EvalSuite, ModelSource
from backend.evals.sync import GOLDENS_DIR, GoldenError, latest_suite, sync_suites
from backend.events.hub import SilentHub
from backend.settings import get_settings

eval_app = typer.Typer(
    help="Golden suites and eval runs.", no_args_is_help=True, pretty_exceptions_show_locals=False
)
console = Console()


@eval_app.command("sync")
def sync() -> None:
    """Load fixtures/goldens/<suite>/*.yaml as suite versions (an unchanged suite makes no new version)."""
    try:
        synced = run_with_orm(get_settings(), sync_suites)
    except GoldenError as error:
        typer.echo(f"Invalid golden file: {error}", err=True)
        raise typer.Exit(code=2) from None
    for suite in synced:
        state = "new version" if suite.created else "unchanged"
        typer.echo(f"{suite.name:<12} {suite.cases:>4} cases  {suite.version[:12]}  {state}")


@eval_app.command("run")
def run(
    suite: Annotated[str, typer.Option(help="Suite name, e.g. booking.")],
    policy: Annotated[str, typer.Option(help="rules or openai.")] = "rules",
    prompt_version: Annotated[
        str | None, typer.Option(help="Prompt version; the newest when omitted.")
    ] = None,
    baseline: Annotated[
        str | None, typer.Option(help="'latest' or an eval run id to compare with; exits 1 on a regression.")
    ] = None,
    cassettes: Annotated[
        ModelSource | None,
        typer.Option(
            help="openai only: replay the recorded answers (default), record them from the endpoint, or "
            "call it live.",
            case_sensitive=False,
        ),
    ] = None,
) -> None:
    """Run a suite here (no worker needed), show a summary, and gate on regressions against a baseline."""
    settings = get_settings()
    try:
        model_source = model_source_for(policy=policy, requested=cassettes)
    except ModelSourceNotApplicable as error:
        raise typer.BadParameter(str(error), param_hint="--cassettes") from None
    setup = build_agent(settings, policy=policy, prompt_version=prompt_version)

    async def work() -> tuple[EvalRun, EvalRun | None]:
        found = await latest_suite(suite)
        if found is None:
            raise typer.BadParameter(
                f"no suite named {suite!r}; run `agentops eval sync` first", param_hint="--suite"
            )
        previous = await _baseline(found, baseline)
        source = f", {model_source.value}" if model_source else ""
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(
                f"{suite} ({setup.policy.name}{source}, prompt {setup.prompt.version})",
                total=found.case_count,
            )
            head = await service.run_suite_here(
                suite=found,
                setup=setup,
                hub=SilentHub(),
                settings=settings,
                model_source=model_source,
                on_chunk=lambda done: progress.advance(task, done),
            )
        return head, previous

    head, base = run_with_orm(settings, work)
    failing = run_with_orm(
        settings, lambda: EvalCaseResult.filter(run_id=head.id, passed=False).order_by("case_name")
    )
    table = Table(title=f"Eval run {head.id}")
    for column in ("suite", "policy", "model source", "prompt", "cases", "passed", "failed", "pass rate"):
        table.add_column(column)
    table.add_row(
        head.suite.name,
        head.policy,
        head.model_source.value if head.model_source else "-",
        head.prompt_version,
        str(head.total),
        str(head.passed),
        str(head.failed),
        f"{head.passed / max(head.total, 1):.1%}",
    )
    console.print(table)
    misses = 0
    for result in failing:
        first = result.failures[0] if result.failures else {}
        if first.get("expectation") == CASSETTE_EXPECTATION:
            misses += 1
            console.print(
                f"  CASSETTE MISS {result.case_name}: turn {first.get('turn')}, model call "
                f"{first.get('call')}, "
                f"key {first.get('key')}: {first.get('message')}",
                highlight=False,
                soft_wrap=True,
            )
            continue
        console.print(
            f"  FAIL {result.case_name}: turn {first.get('turn')} {first.get('expectation')} "
            f"expected {first.get('expected')!r}"
        )
    if misses:
        console.print(
            f"{misses} cassette miss(es): those cases were not answered by a model. If the prompt, model "
            f"or case changed on purpose, record again: agentops eval run --suite {suite} --policy openai "
            f"--cassettes record",
            highlight=False,
            soft_wrap=True,
        )
    if base is None:
        return
    comparison = run_with_orm(settings, lambda: service.compare_runs(base_id=base.id, head_id=head.id))
    console.print(
        f"Against {base.id} (prompt {base.prompt_version}): {len(comparison.regressions)} regression(s), "
        f"{len(comparison.fixes)} fix(es), pass rate {comparison.base_pass_rate:.1%} → "
        f"{comparison.head_pass_rate:.1%}, exact McNemar p = {comparison.p_value:.3f}"
    )
    for name in comparison.regressions:
        console.print(f"  REGRESSED {name}")
    if comparison.regressions or comparison.significant_drop:
        raise typer.Exit(code=1)


async def _baseline(suite: EvalSuite, baseline: str | None) -> EvalRun | None:
    if baseline is None:
        return None
    if baseline == "latest":
        found = (
            await EvalRun.filter(suite__name=suite.name, status=EvalRunStatus.COMPLETED)
            .order_by("-created_at")
            .first()
        )
        if found is None:
            raise typer.BadParameter(
                "no completed run of this suite to compare with", param_hint="--baseline"
            )
        return found
    try:
        return await EvalRun.get(id=uuid.UUID(baseline))
    except (ValueError, DoesNotExist):
        raise typer.BadParameter(f"no eval run {baseline!r}", param_hint="--baseline") from None


@eval_app.command("export")
def export() -> None:
    """Write cases created in the product (from conversations) to fixtures/goldens/<suite>/ for review."""

    async def work() -> list[tuple[str, EvalCase]]:
        written = []
        for suite in await EvalSuite.filter(source="created").order_by("name", "-created_at"):
            for case in await EvalCase.filter(suite=suite):
                path = GOLDENS_DIR / suite.name / f"{case.name}.yaml"
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(yaml.safe_dump(case.definition, sort_keys=False, allow_unicode=True))
                    written.append((suite.name, case))
        return written

    for suite_name, case in run_with_orm(get_settings(), work):
        typer.echo(f"wrote fixtures/goldens/{suite_name}/{case.name}.yaml")
