"""Agent runs as the pages show them: the run, its tool calls and its guardrail hits, as display strings."""

from __future__ import annotations

import dataclasses
from typing import Any

from frontend.views.formatting import clock_time, detail_href, milliseconds, pretty_json, synthetic_flag
from frontend.views.quality import SCORE_FIELDS, ScoreView, score_view, scores_summary

ANY = "ANY"
RUN_STATUSES = [ANY, "OK", "FAILED", "HANDED_OFF"]
POLICIES = [ANY, "rules", "openai"]
# How the chosen evaluator scored the runs listed (AgentRunFilter.scorePassed).
VERDICTS = {ANY: None, "FAILED": False, "PASSED": True}

# Fields every run view needs; the detail adds the messages and the conversation.
RUN_FIELDS = f"""
  id status policy promptName promptVersion model intent latencyMs promptTokens completionTokens error
      createdAt
  synthetic triggerMessage {{ sequence text }} replyMessage {{ sequence text deliveryStatus sandbox }}
  toolCalls {{ name position arguments result error latencyMs }}
  violations {{ id stage rule severity action message excerpt createdAt }}
  scores {{ {SCORE_FIELDS} }}
"""


@dataclasses.dataclass
class ToolCallView:
    name: str
    position: str
    arguments: str
    result: str
    error: str
    latency: str


@dataclasses.dataclass
class ViolationView:
    stage: str
    rule: str
    severity: str
    action: str
    message: str
    excerpt: str
    time: str


@dataclasses.dataclass
class RunView:
    id: str
    href: str
    time: str
    status: str
    policy: str
    prompt: str
    model: str
    intent: str
    latency: str
    tokens: str
    error: str
    customer_text: str
    reply_text: str
    reply_delivery: str  # the reply's delivery status ("" when it was not for the customer)
    reply_sandbox: str  # "sandbox" when the built-in sandbox took it, else ""
    tools_summary: str
    conversation_href: str
    customer: str
    synthetic: str  # "synthetic" for the demo's backdated history, else ""
    tool_calls: list[ToolCallView]
    violations: list[ViolationView]
    scores: list[ScoreView]


def empty_run() -> RunView:
    """What a page shows before the run is read."""
    blank = {field.name: "" for field in dataclasses.fields(RunView) if field.type == "str"}
    return RunView(**blank, tool_calls=[], violations=[], scores=[])


def tool_call_view(call: dict[str, Any]) -> ToolCallView:
    return ToolCallView(
        name=call["name"],
        position=str(call.get("position", "")),
        arguments=pretty_json(call["arguments"]),
        result=pretty_json(call.get("result")),
        error=call.get("error") or "",
        latency=milliseconds(call.get("latencyMs")),
    )


def violation_view(violation: dict[str, Any]) -> ViolationView:
    return ViolationView(
        stage=violation["stage"],
        rule=violation["rule"],
        severity=violation["severity"],
        action=violation["action"],
        message=violation["message"],
        excerpt=violation["excerpt"],
        time=clock_time(violation["createdAt"]),
    )


def run_view(run: dict[str, Any]) -> RunView:
    """A run from RUN_FIELDS (plus `conversation { id customer }` when asked for)."""
    conversation = run.get("conversation") or {}
    tokens = [run.get("promptTokens"), run.get("completionTokens")]
    return RunView(
        id=run["id"],
        href=detail_href("runs", run["id"]),
        time=clock_time(run["createdAt"]),
        status=run["status"],
        policy=run["policy"],
        prompt=f"{run['promptName']} {run['promptVersion']}",
        model=run.get("model") or "",
        intent=run.get("intent") or "",
        latency=milliseconds(run["latencyMs"]),
        tokens="" if tokens == [None, None] else f"{tokens[0] or 0} in / {tokens[1] or 0} out",
        error=run.get("error") or "",
        customer_text=(run.get("triggerMessage") or {}).get("text", ""),
        reply_text=(run.get("replyMessage") or {}).get("text", ""),
        reply_delivery=(run.get("replyMessage") or {}).get("deliveryStatus") or "",
        reply_sandbox="sandbox" if (run.get("replyMessage") or {}).get("sandbox") else "",
        tools_summary=", ".join(call["name"] for call in run["toolCalls"]),
        conversation_href=detail_href("conversations", conversation["id"]) if conversation else "",
        customer=conversation.get("customer", ""),
        tool_calls=[tool_call_view(call) for call in run["toolCalls"]],
        violations=[violation_view(violation) for violation in run["violations"]],
        scores=[score_view(score) for score in run.get("scores", [])],
        synthetic=synthetic_flag(run.get("synthetic")),
    )


def run_filter(
    *,
    status: str,
    policy: str,
    prompt_version: str,
    min_latency_ms: str,
    evaluator: str = ANY,
    verdict: str = ANY,
    max_score: str = "",
) -> dict[str, Any]:
    """The AgentRunFilter input for the chosen filters; ValueError when the latency or the score is not a
    number."""
    chosen: dict[str, Any] = {}
    if evaluator != ANY:
        chosen["evaluator"] = evaluator
    if VERDICTS.get(verdict) is not None:
        chosen["scorePassed"] = VERDICTS[verdict]
    if max_score.strip():
        chosen["maxScore"] = float(max_score)
    if status != ANY:
        chosen["status"] = status
    if policy != ANY:
        chosen["policy"] = policy
    if prompt_version.strip():
        chosen["promptVersion"] = prompt_version.strip()
    if min_latency_ms.strip():
        chosen["minLatencyMs"] = float(min_latency_ms)
    return chosen


RUN_ROW_FIELDS = """
  id status policy promptName promptVersion intent latencyMs createdAt error synthetic
  toolCalls { name } conversation { id customer channel }
  scores { evaluator score passed label skipped }
"""


def run_row(run: dict[str, Any], *, cursor: str = "") -> dict[str, str]:
    """One row of the Agent runs table (from RUN_ROW_FIELDS)."""
    conversation = run.get("conversation") or {}
    return {
        "id": run["id"],
        "href": detail_href("runs", run["id"]),
        "time": clock_time(run["createdAt"]),
        "status": run["status"],
        "policy": run["policy"],
        "prompt": f"{run['promptName']} {run['promptVersion']}",
        "intent": run.get("intent") or "",
        "latency": milliseconds(run["latencyMs"]),
        "tools": ", ".join(call["name"] for call in run["toolCalls"]) or "–",
        "customer": conversation.get("customer", ""),
        "channel": conversation.get("channel", ""),
        "conversation_href": detail_href("conversations", conversation["id"]) if conversation else "",
        "synthetic": synthetic_flag(run.get("synthetic")),
        "quality": scores_summary(run.get("scores", [])),
        "low_scored": "low" if any(s["passed"] is False for s in run.get("scores", [])) else "",
        "cursor": cursor,
    }


@dataclasses.dataclass
class PlaygroundTurnView:
    customer_text: str
    reply: str
    status: str
    latency: str
    tool_calls: list[ToolCallView]


def playground_turn(turn: dict[str, Any]) -> PlaygroundTurnView:
    return PlaygroundTurnView(
        customer_text=turn["customerText"],
        reply=turn.get("reply") or "(no reply: a human owns this conversation)",
        status=turn.get("status") or "",
        latency=milliseconds(turn.get("latencyMs")),
        tool_calls=[tool_call_view(call) for call in turn["toolCalls"]],
    )
