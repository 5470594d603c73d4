"""Validation against the subset of JSON Schema that tool schemas use (what pydantic emits).

The `jsonschema` package is not a dependency, so this covers: type, enum, const, properties, required,
additionalProperties, items, min/maxItems, min/maxLength, pattern, minimum/maximum (and exclusive ones),
anyOf/oneOf/allOf, local $ref (#/$defs/…, #/definitions/…), and the formats date, time, date-time, uuid and
email. Unlike jsonschema's default, formats are asserted: the tools parse them and would fail anyway.
Unknown keywords are ignored, as JSON Schema prescribes. Messages name the argument but never its value.
"""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

TIME_SHAPE = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?")
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def schema_errors(instance: Any, schema: Mapping[str, Any], *, path: str = "arguments") -> list[str]:
    """Why the instance does not satisfy the schema; empty when it does."""
    return _errors(instance, schema, root=schema, path=path)


def _errors(instance: Any, schema: Mapping[str, Any], *, root: Mapping[str, Any], path: str) -> list[str]:
    if "$ref" in schema:
        return _errors(instance, _resolve(schema["$ref"], root), root=root, path=path)
    if "anyOf" in schema or "oneOf" in schema:
        problems = _one_of(instance, schema, root=root, path=path)
        if problems:
            return problems
    for branch in schema.get("allOf", []):
        problems = _errors(instance, branch, root=root, path=path)
        if problems:
            return problems
    if "type" in schema and not _has_type(instance, schema["type"]):
        expected = " or ".join(schema["type"]) if isinstance(schema["type"], list) else schema["type"]
        return [f"{path}: expected {expected}, got {_type_name(instance)}"]
    if "enum" in schema and instance not in schema["enum"]:
        return [f"{path}: must be one of {', '.join(map(str, schema['enum']))}"]
    if "const" in schema and instance != schema["const"]:
        return [f"{path}: must be {schema['const']!r}"]
    if isinstance(instance, str):
        return _string_errors(instance, schema, path=path)
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        return _number_errors(instance, schema, path=path)
    if isinstance(instance, Mapping):
        return _object_errors(instance, schema, root=root, path=path)
    if isinstance(instance, (list, tuple)):
        return _array_errors(instance, schema, root=root, path=path)
    return []


def _one_of(instance: Any, schema: Mapping[str, Any], *, root: Mapping[str, Any], path: str) -> list[str]:
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    outcomes = [_errors(instance, branch, root=root, path=path) for branch in branches]
    passing = sum(not problems for problems in outcomes)
    if "oneOf" in schema and passing > 1:
        return [f"{path}: matches more than one allowed form"]
    if passing:
        return []
    # Report the branch of the value's own type ("date_to" as a string that is not a date), not "expected
    # null".
    typed = [problems for problems in outcomes if not problems[0].startswith(f"{path}: expected ")]
    if typed:
        return typed[0]
    kinds = [str(branch.get("type")) for branch in branches if "type" in branch]
    return [f"{path}: expected {' or '.join(kinds) or 'another form'}, got {_type_name(instance)}"]


def _string_errors(value: str, schema: Mapping[str, Any], *, path: str) -> list[str]:
    problems = []
    if len(value) < schema.get("minLength", 0):
        problems.append(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{path}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{path}: does not match the required pattern")
    check = FORMATS.get(schema.get("format", ""))
    if check is not None and not check(value):
        problems.append(f"{path}: not a valid {schema['format']}")
    return problems


def _number_errors(value: float, schema: Mapping[str, Any], *, path: str) -> list[str]:
    bounds: tuple[tuple[str, Callable[[float, float], bool], str], ...] = (
        ("minimum", operator.ge, "at least"),
        ("maximum", operator.le, "at most"),
        ("exclusiveMinimum", operator.gt, "more than"),
        ("exclusiveMaximum", operator.lt, "less than"),
    )
    return [
        f"{path}: must be {words} {schema[key]}"
        for key, holds, words in bounds
        if key in schema and not holds(value, schema[key])
    ]


def _object_errors(
    value: Mapping[str, Any], schema: Mapping[str, Any], *, root: Mapping[str, Any], path: str
) -> list[str]:
    properties = schema.get("properties", {})
    problems = [
        f"{path}: missing required argument {name!r}"
        for name in schema.get("required", [])
        if name not in value
    ]
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            problems += _errors(item, properties[name], root=root, path=f"{path}.{name}")
        elif extra is False:
            problems.append(f"{path}: unexpected argument {name!r}")
        elif isinstance(extra, Mapping):
            problems += _errors(item, extra, root=root, path=f"{path}.{name}")
    return problems


def _array_errors(
    value: list[Any] | tuple[Any, ...], schema: Mapping[str, Any], *, root: Mapping[str, Any], path: str
) -> list[str]:
    problems = []
    if len(value) < schema.get("minItems", 0):
        problems.append(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        problems.append(f"{path}: more than {schema['maxItems']} items")
    if isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            problems += _errors(item, schema["items"], root=root, path=f"{path}[{index}]")
    return problems


def _resolve(reference: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not reference.startswith("#/"):
        raise ValueError(f"only local schema references are supported, not {reference!r}")
    target: Any = root
    for part in reference[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    if not isinstance(target, Mapping):
        raise TypeError(f"schema reference {reference!r} does not point at a schema")
    return target


def _has_type(value: Any, expected: str | list[str]) -> bool:
    kinds = expected if isinstance(expected, list) else [expected]
    return any(TYPES[kind](value) for kind in kinds if kind in TYPES)


def _type_name(value: Any) -> str:
    return next(
        (
            kind
            for kind in ("null", "boolean", "integer", "number", "string", "object", "array")
            if TYPES[kind](value)
        ),
        type(value).__name__,
    )


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


TYPES: dict[str, Callable[[Any], bool]] = {
    "null": lambda value: value is None,
    "boolean": lambda value: isinstance(value, bool),
    # 5.0 is an integer in JSON; True is not.
    "integer": lambda value: (
        not isinstance(value, bool)
        and (isinstance(value, int) or (isinstance(value, float) and value.is_integer()))
    ),
    "number": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, Mapping),
    "array": lambda value: isinstance(value, (list, tuple)),
}
FORMATS: dict[str, Callable[[str], bool]] = {
    "date": lambda value: bool(DATE_SHAPE.fullmatch(value)) and _parses(date.fromisoformat, value),
    "time": lambda value: (
        bool(TIME_SHAPE.fullmatch(value)) and _parses(time.fromisoformat, value.replace("Z", "+00:00"))
    ),
    "date-time": lambda value: "T" in value.upper() and _parses(datetime.fromisoformat, value),
    "uuid": lambda value: len(value) in (32, 36) and _parses(uuid.UUID, value),
    "email": lambda value: bool(EMAIL_SHAPE.fullmatch(value)),
}
