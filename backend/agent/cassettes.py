"""Cassettes: chat-completions calls recorded once and replayed offline, one JSON file per golden case.

A call is found by a key: the sha256 of the canonical request (model, messages, tools) with every UUID
replaced by a placeholder in order of first appearance (`<id1>`, `<id2>`, …). Slot, booking and ticket ids
differ on every machine and run; their positions in the conversation do not. The recorded response holds the
same placeholders, so on replay `book_appointment(slot_id=<id3>)` books whatever slot is id3 in this run.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from backend.agent.policies.openai import LLMError

UUID = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}(?![0-9a-fA-F])")
PLACEHOLDER = re.compile(r"<id(\d+)>")
# Response fields that change on every call of the same model; left out so a re-recording diffs only where
# the model answered differently.
VOLATILE = ("id", "created", "system_fingerprint")
KEY_LENGTH = 16


@dataclass(frozen=True)
class RecordedRequest:
    """One request as a cassette sees it: its key, a readable summary, and this run's id behind each
    placeholder."""

    key: str
    summary: dict[str, Any]
    placeholders: dict[str, str]  # uuid (lower case) → placeholder

    def hide_ids(self, body: Any) -> Any:
        """A response with this request's ids replaced by their placeholders (other UUIDs stay as they
        are)."""
        text = UUID.sub(
            lambda match: self.placeholders.get(match.group(0).lower(), match.group(0)), json.dumps(body)
        )
        return json.loads(text)

    def restore_ids(self, body: Any) -> Any:
        """A recorded response with each placeholder replaced by the id it stands for in this request."""
        ids = {placeholder: uuid for uuid, placeholder in self.placeholders.items()}
        return json.loads(
            PLACEHOLDER.sub(lambda match: ids.get(match.group(0), match.group(0)), json.dumps(body))
        )


def _digest(value: Any) -> str | None:
    if not value:
        return None
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:12]


def _readable(message: dict[str, Any]) -> dict[str, Any]:
    # A tool result travels as a JSON string; shown as an object it reads (and diffs) line by line.
    if message.get("role") == "tool" and isinstance(message.get("content"), str):
        try:
            return {**message, "content": json.loads(message["content"])}
        except ValueError:
            return message
    return message


def recorded_request(body: dict[str, Any]) -> RecordedRequest:
    """Key, summary and placeholders of a chat-completions request body."""
    canonical = {
        "model": body.get("model"),
        "messages": body.get("messages") or [],
        "tools": body.get("tools") or [],
    }
    placeholders: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        return placeholders.setdefault(match.group(0).lower(), f"<id{len(placeholders) + 1}>")

    # UUIDs are hex and dashes: they read the same in the JSON text as in the strings (tool results included).
    text = UUID.sub(placeholder, json.dumps(canonical, sort_keys=True, separators=(",", ":")))
    normal = json.loads(text)
    system = [message.get("content") for message in normal["messages"] if message.get("role") == "system"]
    summary = {
        "model": normal["model"],
        "message_count": len(normal["messages"]),
        "system_prompt": _digest(system),
        "tools": _digest(normal["tools"]),
        "last_message": _readable(normal["messages"][-1]) if normal["messages"] else None,
    }
    return RecordedRequest(
        key=hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH], summary=summary, placeholders=placeholders
    )


def _shown(message: Any) -> str:
    text = json.dumps(message, sort_keys=True) if not isinstance(message, str) else message
    return text if len(text) <= 240 else text[:237] + "..."


class CassetteMiss(LLMError):
    """A replayed request the cassette holds no response for: the case needs recording again.

    An LLMError (a failed turn, reported as a miss), not a transport error: retrying cannot make it answer.
    """

    def __init__(
        self,
        *,
        case: str,
        path: Path,
        call: int,
        key: str,
        recorded: dict[str, Any] | None,
        differences: dict[str, dict[str, Any]],
        recorded_calls: int,
    ) -> None:
        self.case, self.path, self.call, self.key = case, path, call, key
        self.recorded, self.differences, self.recorded_calls = recorded, differences, recorded_calls
        self.no_cassette = not path.exists()
        super().__init__(
            f"cassette miss in {case}: no recorded response for model call {call} (key {key}); "
            f"{self.explanation}"
        )

    @property
    def explanation(self) -> str:
        """What differs from the recording, in one line."""
        if self.no_cassette:
            return f"there is no cassette {self.case}.json (record it)"
        if self.recorded is None:
            return f"the recording made only {self.recorded_calls} call(s)"
        if not self.differences:
            return "model, system prompt, tools and last message are as recorded: an earlier message differs"
        return "; ".join(
            f"{name.replace('_', ' ')} differs: recorded {_shown(change['recorded'])}, "
            f"now {_shown(change['now'])}"
            for name, change in self.differences.items()
        )


class Cassette(httpx.AsyncBaseTransport):
    """Replays one case's recorded calls, or records them through `inner` (a live transport)."""

    def __init__(self, *, path: Path, case: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.path, self.case, self.inner = path, case, inner
        self.misses: list[CassetteMiss] = []
        self.calls = 0
        # Recording starts from an empty file: entries of an older recording must not linger.
        self._entries: list[dict[str, Any]] = [] if inner is not None else self._load()
        self._used: set[int] = set()

    @classmethod
    def replaying(cls, *, path: Path, case: str) -> Cassette:
        return cls(path=path, case=case)

    @classmethod
    def recording(cls, *, path: Path, case: str, inner: httpx.AsyncBaseTransport) -> Cassette:
        return cls(path=path, case=case, inner=inner)

    @property
    def recording_mode(self) -> bool:
        return self.inner is not None

    def _load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        try:
            return list(json.loads(self.path.read_text())["calls"])
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f"{self.path} is not a cassette ({type(error).__name__}: {error}); record it again"
            ) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        seen = recorded_request(json.loads(await request.aread()))
        if self.inner is not None:
            return await self._record(request, seen)
        return self._replay(request, seen)

    async def _record(self, request: httpx.Request, seen: RecordedRequest) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        if response.is_success:  # a failed call is not an answer: replaying it later is a miss
            body = json.loads(content)
            if isinstance(body, dict):
                body = {name: value for name, value in body.items() if name not in VOLATILE}
            self._entries.append({"key": seen.key, "request": seen.summary, "response": seen.hide_ids(body)})
        # A fresh response: the live one's encoding headers describe bytes already decoded.
        return httpx.Response(
            response.status_code,
            content=content,
            request=request,
            headers={"content-type": response.headers.get("content-type", "application/json")},
        )

    def _replay(self, request: httpx.Request, seen: RecordedRequest) -> httpx.Response:
        matching = [index for index, entry in enumerate(self._entries) if entry["key"] == seen.key]
        if not matching:
            miss = self._miss(seen)
            self.misses.append(miss)
            raise miss
        # The same request twice in a case gets its answers in recorded order, then the last one again.
        index = next((index for index in matching if index not in self._used), matching[-1])
        self._used.add(index)
        return httpx.Response(200, json=seen.restore_ids(self._entries[index]["response"]), request=request)

    def _miss(self, seen: RecordedRequest) -> CassetteMiss:
        # The recorded call this one stands in for: the one answering the same last message, else the one at
        # the same position (calls replay in recorded order).
        same_message = [
            entry
            for entry in self._entries
            if entry["request"].get("last_message") == seen.summary["last_message"]
        ]
        if same_message:
            recorded = same_message[0]["request"]
        else:
            recorded = self._entries[self.calls - 1]["request"] if self.calls <= len(self._entries) else None
        differences = {
            name: {"recorded": recorded.get(name), "now": value}
            for name, value in seen.summary.items()
            if recorded is not None and recorded.get(name) != value
        }
        return CassetteMiss(
            case=self.case,
            path=self.path,
            call=self.calls,
            key=seen.key,
            recorded=recorded,
            differences=differences,
            recorded_calls=len(self._entries),
        )

    def save(self) -> None:
        """Write what was recorded, replacing the case's file (sorted keys and indents, so it diffs well)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = self.path.with_suffix(".json.tmp")
        staging.write_text(
            json.dumps(
                {"case": self.case, "calls": self._entries}, indent=2, sort_keys=True, ensure_ascii=False
            )
            + "\n"
        )
        staging.replace(self.path)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()
