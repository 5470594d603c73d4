"""Evaluators as golden expectations: the same files that score live turns check replayed ones.

A golden turn may say `expect: {evaluators: {backed_claims: {min_score: 1}}}` and a case may say
`evaluators: {...}` for every turn an evaluator applies to. Judges replay their grades from
fixtures/cassettes/evaluators/<name>/<version>.json (AGENTOPS_QUALITY_JUDGE_CASSETTES: replay, record, live).
"""

from __future__ import annotations

from typing import Any

import httpx
from tortoise import connections

from backend.agent.cassettes import CassetteMiss
from backend.evals.golden import EvaluatorExpectation, GoldenCase, GoldenTurn
from backend.quality.definitions import Evaluator, load_evaluator, parse_selection
from backend.quality.judge import Judge
from backend.quality.judge_cassette import JudgeCassette
from backend.quality.scoring import JudgeRunner, evaluate_turn
from backend.quality.subject import ThreadLine, ToolUse, TurnSubject
from backend.settings import Settings, get_settings

_judges: dict[str, JudgeRunner] = {}  # one per judge evaluator version and process: its client and cassette


def judge_cassette_path(settings: Settings, evaluator: Evaluator):
    return settings.eval_cassettes_dir / "evaluators" / evaluator.name / f"{evaluator.version}.json"


def offline_judge(evaluator: Evaluator, settings: Settings | None = None) -> JudgeRunner:
    """The judge golden cases use for this evaluator: its cassette replayed (or recorded), or the endpoint
    live."""
    settings = settings or get_settings()
    key = f"{evaluator.key}:{settings.quality_judge_cassettes}"
    if key not in _judges:
        mode = settings.quality_judge_cassettes
        path = judge_cassette_path(settings, evaluator)
        transport = (
            None
            if mode == "live"
            else JudgeCassette(
                path=path,
                evaluator=evaluator.key,
                inner=httpx.AsyncHTTPTransport() if mode == "record" else None,
            )
        )
        _judges[key] = JudgeRunner(judge=Judge.from_settings(settings, transport=transport))
    return _judges[key]


def _subject(
    case: GoldenCase,
    *,
    number: int,
    services: list[str],
    transcript: list[dict[str, Any]],
    tool_calls: list[dict[str, Any]],
    violations: list[dict[str, Any]],
) -> TurnSubject:
    """Turn `number` of a case being played, from what the runner has recorded so far."""
    earlier: list[ThreadLine] = []
    for line in transcript:
        if line["turn"] >= number:
            continue
        earlier.append(ThreadLine("CUSTOMER", line["customer"], case.clock))
        if line.get("reply") is not None:
            earlier.append(ThreadLine("AGENT", line["reply"], case.clock))
    uses = [
        (
            call["turn"],
            ToolUse(
                name=call["name"],
                arguments=call.get("arguments") or {},
                result=call.get("result"),
                error=call.get("error"),
            ),
        )
        for call in tool_calls
    ]
    current = next(line for line in transcript if line["turn"] == number)
    return TurnSubject(
        channel=case.channel,
        customer_text=current["customer"],
        reply=current.get("reply"),
        now=case.clock,
        tools=tuple(use for turn, use in uses if turn == number),
        earlier_tools=tuple(use for turn, use in uses if turn < number),
        violations=tuple(hit["rule"] for hit in violations if hit["turn"] == number),
        failed=current.get("status") == "FAILED",
        earlier=tuple(earlier),
        services=tuple(services),
    )


async def _services() -> list[str]:
    rows = await connections.get("default").execute_query_dict("SELECT name FROM services ORDER BY name")
    return [row["name"] for row in rows]


def _miss(key: str, expected: Any, actual: Any) -> dict[str, Any]:
    return {"expectation": f"evaluators.{key}", "expected": expected, "actual": actual}


def _compare(
    key: str, wanted: EvaluatorExpectation, score: float | None, label: str, reason: str
) -> list[dict]:
    misses = []
    if wanted.min_score is not None and (score is None or score < wanted.min_score):
        misses.append(
            _miss(key, f"score >= {wanted.min_score}", {"score": score, "label": label, "reason": reason})
        )
    if wanted.max_score is not None and (score is None or score > wanted.max_score):
        misses.append(
            _miss(key, f"score <= {wanted.max_score}", {"score": score, "label": label, "reason": reason})
        )
    if wanted.label is not None and wanted.label != label:
        misses.append(_miss(key, {"label": wanted.label}, {"score": score, "label": label, "reason": reason}))
    return misses


async def evaluator_misses(
    case: GoldenCase,
    *,
    turn: GoldenTurn,
    number: int,
    transcript: list[dict[str, Any]],
    tool_calls: list[dict[str, Any]],
    violations: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The evaluator expectations turn `number` missed, as {expectation, expected, actual}."""
    wanted = {**case.evaluators, **turn.expect.evaluators}
    if not wanted:
        return []
    required = set(turn.expect.evaluators)  # the case-wide ones only where they apply
    evaluators = {key: load_evaluator(*parse_selection(key)[0]) for key in wanted}
    subject = _subject(
        case,
        number=number,
        services=await _services(),
        transcript=transcript,
        tool_calls=tool_calls,
        violations=violations,
    )
    misses: list[dict[str, Any]] = []
    for key, evaluator in evaluators.items():
        judge = offline_judge(evaluator) if evaluator.kind == "judge" else None
        try:
            verdicts = await evaluate_turn(subject=subject, evaluators=[evaluator], judge=judge)
        except CassetteMiss as miss:
            misses.append(_miss(key, "a recorded judge grade", miss.explanation))
            continue
        if not verdicts:
            if key in required:
                misses.append(_miss(key, "a score", f"{evaluator.key} does not apply to this turn"))
            continue
        verdict = verdicts[0][1]
        misses += _compare(key, wanted[key], verdict.score, verdict.label, verdict.reason)
    return misses
