"""The loopback model as an LLM judge: a grade request (structured output) is graded as a strict, literal
judge.

A judge request (backend/quality/judge.py) states the customer's message, each tool the assistant used with
its outcome in words, and the reply. This stand-in reads them back and grades with the rule that matters most
to a customer: a reply claiming an action no tool performed gets 0.1, a turn the guardrails had to act on 0.6,
any other 0.9, each with a one-sentence reason. Deterministic, so a recorded grade replays to the same answer.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from backend.core.enums import Channel
from backend.loopback import chat
from backend.quality.rules.claims import BackedClaims
from backend.quality.subject import SUCCESS_KEYS, ToolUse, TurnSubject

FIELD = re.compile(
    r"^(?P<name>Channel|The customer's message|Tools the assistant used this turn|Guardrail hits this "
    r"turn|The assistant's reply): (?P<value>.*)$",
    re.MULTILINE,
)
COUNT = re.compile(r"^(\d+) ")


def asks_for_a_grade(body: dict[str, Any]) -> bool:
    """Whether the request wants structured output (a judge's grade) rather than a chat turn."""
    answer_format = body.get("response_format")
    return isinstance(answer_format, dict) and answer_format.get("type") in ("json_schema", "json_object")


def _use(name: str, outcome: str) -> ToolUse:
    """A tool use back from its outcome in words (judge.py's ToolUse.outcome)."""
    if outcome == "failed" or outcome.startswith("not ") or outcome == "no ticket":
        return ToolUse(name=name, arguments={}, result={"error": outcome})
    counted = COUNT.match(outcome)
    if name == "find_bookings":
        return ToolUse(
            name=name, arguments={}, result={"bookings": [{}] * int(counted[1]) if counted else []}
        )
    if name == "create_ticket":
        return ToolUse(name=name, arguments={}, result={"ticket_id": "ticket"})
    key = SUCCESS_KEYS.get(name)
    return ToolUse(name=name, arguments={}, result={key: True} if key else {})


def _subject(text: str) -> TurnSubject:
    fields = {match["name"]: match["value"].strip() for match in FIELD.finditer(text)}
    tools = fields.get("Tools the assistant used this turn", "none")
    uses = (
        ()
        if tools == "none"
        else tuple(
            _use(*(part.strip() for part in item.split(":", 1))) for item in tools.split(";") if ":" in item
        )
    )
    hits = fields.get("Guardrail hits this turn", "none")
    try:
        channel = Channel(fields.get("Channel", "CHAT"))
    except ValueError:
        channel = Channel.CHAT
    return TurnSubject(
        channel=channel,
        customer_text=fields.get("The customer's message", ""),
        reply=fields.get("The assistant's reply"),
        tools=uses,
        now=datetime.now(UTC),
        violations=() if hits == "none" else tuple(hit.strip() for hit in hits.split(",")),
    )


def grade_answer(body: dict[str, Any]) -> dict[str, Any]:
    """The assistant message carrying this request's grade as JSON."""
    turn = chat.conversation(body).turns[-1]
    subject = _subject(turn.text)
    claims = BackedClaims().score(subject)
    if claims is not None and claims.score == 0:
        grade = {"score": 0.1, "reason": f"The reply is not truthful: {claims.reason}."}
    elif subject.violations:
        grade = {
            "score": 0.6,
            "reason": f"The guardrails had to act on this turn ({', '.join(subject.violations)}).",
        }
    else:
        grade = {"score": 0.9, "reason": "The reply answers the customer and claims only what its tools did."}
    return chat.say(json.dumps(grade))
