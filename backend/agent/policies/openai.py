"""A policy for any OpenAI-compatible chat-completions endpoint with tool calling (OpenAI, vLLM, Ollama,
llama.cpp).

The model gets the versioned prompt as its system message, the conversation so far (its own earlier tool calls
and their results included, see backend/agent/memory.py), and the tools as JSON schemas; it may call tools for
a bounded number of rounds before it must answer. No database connection is held here: tools open their own.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import httpx
import structlog

from backend.agent.memory import model_messages
from backend.agent.policies.base import Decision, Policy, TurnInput
from backend.agent.tools.registry import tool_schemas
from backend.agent.tools.toolbox import ToolBox
from backend.settings import Settings
from backend.telemetry.tracing import tracer

CLIENT_SHARDS = 8
# Errors of a connection, not of the model: the request never got an answer and is sent again once, at once.
CONNECTION_RETRIES = 1
RETRIED_TRANSPORT_ERRORS = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.ConnectError)
log = structlog.get_logger(__name__)


class LLMError(RuntimeError):
    """The model answered something that is not a usable chat completion: the turn fails and is answered
    so."""


class ModelUnavailable(LLMError):
    """The endpoint did not answer in time, could not be reached, or is overloaded (429/5xx): worth another
    attempt."""


class OpenAIPolicy(Policy):
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_seconds: float,
        max_rounds: int,
        memory_tokens: int = 3000,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model, self._api_key, self._timeout, self._max_rounds = (
            model,
            api_key,
            timeout_seconds,
            max_rounds,
        )
        self._memory_tokens = memory_tokens
        # Clients live as long as the policy: their connection pools are shared by every turn (a client per
        # turn costs a TLS context and a new connection each time). `transport` lets evals record or replay
        # cassettes.
        self._transport = transport
        self._clients: list[httpx.AsyncClient] = []
        self._next_client = itertools.count()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> OpenAIPolicy:
        return cls(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            timeout_seconds=settings.openai_timeout_seconds,
            max_rounds=settings.openai_max_tool_rounds,
            memory_tokens=settings.openai_memory_tokens,
            transport=transport,
        )

    @property
    def calls_per_turn(self) -> int:
        """The most model calls one turn can make: every tool round plus the final answer."""
        return self._max_rounds + 1

    def _http(self) -> httpx.AsyncClient:
        # Several clients, taken in turn: httpcore matches each request against every connection of its pool,
        # a cost that grows with the square of the calls in flight (a third of a worker's CPU at 100 in flight
        # with one pool, bench/llm.py); shards keep each pool small.
        if not self._clients or any(client.is_closed for client in self._clients):
            shards = 1 if self._transport is not None else CLIENT_SHARDS
            self._clients = [
                httpx.AsyncClient(
                    transport=self._transport,
                    timeout=self._timeout,
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
                )
                for _ in range(shards)
            ]
        return self._clients[next(self._next_client) % len(self._clients)]

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def _complete(
        self, messages: list[dict[str, Any]], *, tools: bool, deadline: float | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self._model, "messages": messages}
        if tools:
            body["tools"] = tool_schemas()
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        for attempt in range(1 + CONNECTION_RETRIES):
            # Each call gets the configured timeout, cut short by what is left of the turn's budget.
            timeout = (
                self._timeout
                if deadline is None
                else max(0.01, min(self._timeout, deadline - time.monotonic()))
            )
            try:
                async with asyncio.timeout(timeout):
                    response = await self._http().post(self._url, json=body, headers=headers, timeout=timeout)
                break
            except (TimeoutError, httpx.TimeoutException) as error:
                raise ModelUnavailable(f"chat completion timed out after {timeout:.1f} s") from error
            except httpx.TransportError as error:
                # A pooled keep-alive connection the server closed while idle fails the request that reuses
                # it: sent again at once on a fresh connection (as OpenAI's own client does with connection
                # errors).
                if attempt < CONNECTION_RETRIES and isinstance(error, RETRIED_TRANSPORT_ERRORS):
                    log.debug("openai.connection_retried", error=f"{type(error).__name__}: {error}")
                    continue
                raise ModelUnavailable(f"chat completion failed: {type(error).__name__}: {error}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise ModelUnavailable(
                f"chat completion failed: HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise LLMError(f"chat completion failed: {type(error).__name__}: {error}") from error

    async def respond(self, turn: TurnInput, tools: ToolBox) -> Decision:
        messages = model_messages(turn, budget_tokens=self._memory_tokens)
        prompt_tokens = completion_tokens = 0
        for round_number in range(self._max_rounds + 1):
            # The last round offers no tools: the model has to answer in words.
            with tracer.start_as_current_span(
                f"chat {self._model}",
                attributes={
                    "gen_ai.operation.name": "chat",
                    "gen_ai.system": "openai",
                    "gen_ai.request.model": self._model,
                },
            ) as span:
                completion = await self._complete(
                    messages, tools=round_number < self._max_rounds, deadline=turn.deadline
                )
                usage = completion.get("usage") or {}
                span.set_attribute("gen_ai.response.model", str(completion.get("model") or self._model))
                span.set_attribute("gen_ai.usage.input_tokens", int(usage.get("prompt_tokens") or 0))
                span.set_attribute("gen_ai.usage.output_tokens", int(usage.get("completion_tokens") or 0))
            prompt_tokens += int(usage.get("prompt_tokens") or 0)
            completion_tokens += int(usage.get("completion_tokens") or 0)
            try:
                message = completion["choices"][0]["message"]
            except (KeyError, IndexError, TypeError) as error:
                raise LLMError(f"not a chat completion: {str(completion)[:200]}") from error
            calls = message.get("tool_calls") or []
            if not calls:
                return Decision(
                    reply=(message.get("content") or "").strip() or "Sorry, could you say that again?",
                    state=turn.state,
                    model=completion.get("model") or self._model,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                )
            messages.append({"role": "assistant", "content": message.get("content"), "tool_calls": calls})
            for call in calls:
                function = call.get("function") or {}
                try:
                    arguments = json.loads(function.get("arguments") or "{}")
                except json.JSONDecodeError:
                    arguments = {"_unparsed": function.get("arguments")}
                result = await tools.call(
                    str(function.get("name")),
                    arguments if isinstance(arguments, dict) else {},
                    call_id=call.get("id"),
                )
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call.get("id"),
                        "content": json.dumps(result, sort_keys=True),
                    }
                )
        raise LLMError("the model kept calling tools past the round limit")
