"""The LLM judge: an evaluator's rubric sent to an OpenAI-compatible endpoint, answered as {score, reason}.

The request asks for structured output (response_format json_schema, which OpenAI, vLLM, llama.cpp and recent
Ollama honour) and the answer is checked anyway: a score outside [0, 1] or a body that is not the JSON asked
for is an endpoint failure, skipped like a timeout. The judge sees the turn as the guardrails stored it, with
any personal data they would catch (cards, phone numbers, e-mails …) redacted once more, and the tools'
outcomes in words, never their arguments or results: no more personal data than the redacted text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from backend.agent.cassettes import CassetteMiss
from backend.guardrails.pii_detection import redact
from backend.quality.definitions import Evaluator
from backend.quality.subject import TurnSubject
from backend.settings import Settings

SCHEMA_NAME = "turn_grade"
GRADE_SCHEMA = {
    "type": "object",
    "properties": {"score": {"type": "number", "minimum": 0, "maximum": 1}, "reason": {"type": "string"}},
    "required": ["score", "reason"],
    "additionalProperties": False,
}
ANSWER_FORMAT = 'Answer with JSON only: {"score": <a number from 0 to 1>, "reason": "<one sentence>"}.'
EARLIER_LINES = 6  # the thread the judge is shown before the customer's message
MAX_ANSWER_TOKENS = 200  # what a grade costs at most, reserved against the budget before the call
CHARS_PER_TOKEN = 4
AUTHORS = {"CUSTOMER": "Customer", "AGENT": "Assistant", "HUMAN": "Staff", "OPERATOR": "Operator"}


class JudgeUnavailable(RuntimeError):
    """The endpoint did not give a usable grade (down, slow, refused, or answered something else)."""


@dataclass(frozen=True)
class Grade:
    score: float
    reason: str
    model: str
    prompt_tokens: int
    completion_tokens: int


def describe_turn(subject: TurnSubject) -> str:
    """The turn as the judge reads it: redacted text, tools by name and outcome."""
    lines = [f"Channel: {subject.channel.value}"]
    earlier = subject.earlier[-EARLIER_LINES:]
    if earlier:
        lines.append("Earlier in the conversation (oldest first):")
        lines += [f"  {AUTHORS.get(line.author, line.author)}: {redact(line.text)}" for line in earlier]
    lines.append(f"The customer's message: {redact(subject.customer_text)}")
    used = "; ".join(f"{use.name}: {use.outcome}" for use in subject.tools) or "none"
    lines.append(f"Tools the assistant used this turn: {used}")
    lines.append(f"Guardrail hits this turn: {', '.join(sorted(set(subject.violations))) or 'none'}")
    lines.append(f"The assistant's reply: {redact(subject.reply or '(no reply)')}")
    return "\n".join(lines)


def grade_request(evaluator: Evaluator, subject: TurnSubject, *, model: str) -> dict[str, Any]:
    """The chat-completions body for one grade."""
    return {
        "model": model,
        "temperature": 0,
        "max_tokens": MAX_ANSWER_TOKENS,
        "messages": [
            {"role": "system", "content": f"{(evaluator.rubric or '').strip()}\n\n{ANSWER_FORMAT}"},
            {"role": "user", "content": describe_turn(subject)},
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": GRADE_SCHEMA},
        },
    }


def estimated_tokens(body: dict[str, Any]) -> int:
    """What a call may cost before it is made: its request in tokens (4 characters each) and the longest
    answer."""
    return len(json.dumps(body["messages"])) // CHARS_PER_TOKEN + MAX_ANSWER_TOKENS


def parse_grade(completion: Any, *, model: str) -> Grade:
    """The grade in a chat completion; JudgeUnavailable when it holds none."""
    try:
        content = completion["choices"][0]["message"]["content"]
        answer = json.loads(content)
        score, reason = answer["score"], answer["reason"]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise JudgeUnavailable(f"the judge's answer is not a grade: {str(completion)[:200]}") from error
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise JudgeUnavailable(f"the judge answered a score outside 0..1: {score!r}")
    usage = completion.get("usage") or {}
    return Grade(
        score=float(score),
        reason=str(reason).strip()[:1000] or "(no reason given)",
        model=str(completion.get("model") or model)[:120],
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


class Judge:
    """One endpoint and model; its HTTP client (and connection pool) lives as long as the judge."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self._timeout = model, timeout_seconds
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout_seconds, headers=headers)

    @classmethod
    def from_settings(cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> Judge:
        key = (
            settings.quality_judge_api_key or settings.openai_api_key
        )  # the agent's endpoint's, unless its own
        return cls(
            base_url=settings.quality_judge_base_url or settings.openai_base_url,
            model=settings.quality_judge_model or settings.openai_model,
            api_key=key.get_secret_value() if key else None,
            timeout_seconds=settings.quality_judge_timeout_seconds,
            transport=transport,
        )

    def request(self, evaluator: Evaluator, subject: TurnSubject) -> dict[str, Any]:
        return grade_request(evaluator, subject, model=self.model)

    async def grade(self, body: dict[str, Any]) -> Grade:
        """Send one grade request; JudgeUnavailable when no usable grade comes back (a cassette miss
        raises)."""
        try:
            response = await self._http.post(self.url, json=body)
        except CassetteMiss:
            raise
        except (httpx.HTTPError, OSError) as error:
            raise JudgeUnavailable(f"the judge endpoint failed: {type(error).__name__}: {error}") from error
        if not response.is_success:
            raise JudgeUnavailable(
                f"the judge endpoint answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            completion = response.json()
        except ValueError as error:
            raise JudgeUnavailable(f"the judge endpoint answered no JSON: {response.text[:200]}") from error
        return parse_grade(completion, model=self.model)

    async def aclose(self) -> None:
        await self._http.aclose()
