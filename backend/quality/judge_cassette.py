"""Recorded judge answers, one file per judge evaluator version:
fixtures/cassettes/evaluators/<name>/<version>.json.

Golden cases that name a judge replay its grades from here, so evals run offline and give the same grade every
time. A grade is found by its request's key (backend/agent/cassettes.py: model, messages), so a new rubric, a
new model or a reply that changed is a miss, reported as the case's failure. Recording adds what it is asked
to the file (replacing a grade of the same key) and writes it after each call: record against any endpoint,
e.g. `agentops loopback-model`, with AGENTOPS_QUALITY_JUDGE_CASSETTES=record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from backend.agent.cassettes import VOLATILE, CassetteMiss, recorded_request


class JudgeCassetteMiss(CassetteMiss):
    """A judge request this cassette holds no grade for."""

    @property
    def explanation(self) -> str:
        if self.no_cassette:
            return f"there is no judge cassette {self.path.name} for {self.case} (record it)"
        if self.differences:
            return "; ".join(
                f"{name.replace('_', ' ')} differs from the recording" for name in self.differences
            )
        return (
            f"no recorded grade of this turn by {self.case} (record it: "
            "AGENTOPS_QUALITY_JUDGE_CASSETTES=record)"
        )


class JudgeCassette(httpx.AsyncBaseTransport):
    def __init__(self, *, path: Path, evaluator: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.path, self.evaluator, self.inner = path, evaluator, inner
        self.calls = 0
        self._entries: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            return {entry["key"]: entry for entry in json.loads(self.path.read_text())["calls"]}
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"{self.path} is not a judge cassette ({type(error).__name__}: {error})"
            ) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        seen = recorded_request(json.loads(await request.aread()))
        if self.inner is None:
            entry = self._entries.get(seen.key)
            if entry is None:
                raise self._miss(seen.key, seen.summary)
            return httpx.Response(200, json=seen.restore_ids(entry["response"]), request=request)
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        if response.is_success:
            body = json.loads(content)
            if isinstance(body, dict):
                body = {name: value for name, value in body.items() if name not in VOLATILE}
            self._entries[seen.key] = {
                "key": seen.key,
                "request": seen.summary,
                "response": seen.hide_ids(body),
            }
            self.save()
        return httpx.Response(
            response.status_code,
            content=content,
            request=request,
            headers={"content-type": response.headers.get("content-type", "application/json")},
        )

    def _miss(self, key: str, summary: dict[str, Any]) -> JudgeCassetteMiss:
        # The recorded grade of the same turn, if any: what differs is then the rubric or the model.
        same_turn = next(
            (
                entry["request"]
                for entry in self._entries.values()
                if entry["request"].get("last_message") == summary["last_message"]
            ),
            None,
        )
        differences = {
            name: {"recorded": same_turn.get(name), "now": value}
            for name, value in summary.items()
            if same_turn is not None and same_turn.get(name) != value
        }
        return JudgeCassetteMiss(
            case=self.evaluator,
            path=self.path,
            call=self.calls,
            key=key,
            recorded=same_turn,
            differences=differences,
            recorded_calls=len(self._entries),
        )

    def save(self) -> None:
        """Write every grade, sorted by key (a re-recording diffs only where a grade changed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(".json.tmp")
        calls = [self._entries[key] for key in sorted(self._entries)]
        staging.write_text(
            json.dumps(
                {"evaluator": self.evaluator, "calls": calls}, indent=2, sort_keys=True, ensure_ascii=False
            )
            + "\n"
        )
        staging.replace(self.path)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()
