"""Tool calls whose arguments the tool's JSON schema rejects: caught before the tool runs, not inside it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.json_schema import schema_errors
from backend.guardrails.params import Params
from backend.guardrails.rules.base import Hit, ToolCall, ToolRule


@dataclass(frozen=True)
class ToolSchema(ToolRule):
    name: ClassVar[str] = "tool_schema"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.TOOL})

    max_errors: int  # a hopeless call would otherwise list every argument

    @classmethod
    def from_params(cls, params: Params) -> ToolSchema:
        return cls(max_errors=params.integer("max_errors", default=5, minimum=1))

    def check(self, call: ToolCall) -> list[Hit]:
        declared_name, parameters = _parameters(call.json_schema)
        if declared_name is not None and declared_name != call.name:
            return [Hit(message=f"schema describes tool {declared_name!r}, not {call.name!r}")]
        problems = schema_errors(call.arguments, parameters)
        return [Hit(message=f"{call.name}: {problem}") for problem in problems[: self.max_errors]]


def _parameters(schema: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any]]:
    # Accept the OpenAI-style function description (what Tool.json_schema() returns) as well as a bare schema.
    if schema.get("type") == "function" and isinstance(schema.get("function"), Mapping):
        function = schema["function"]
        return function.get("name"), function.get("parameters", {})
    return None, schema
