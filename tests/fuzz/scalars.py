"""Value strategies that aim the fuzzer at the inputs most likely to break a resolver.

Schemathesis generates well-formed but random scalars; real bugs hide in the near misses: global ids of the
right type naming nothing, cursors that decode to nonsense, datetimes without a zone or at the ends of the
calendar, JSON that is not an object. Registered once, on import, for every GraphQL operation.
"""

from __future__ import annotations

import base64
import json

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# Every type that implements Node in schema.graphql: a global id is base64("<type>:<uuid>").
NODE_TYPES = (
    "AgentRun",
    "ApiKey",
    "Booking",
    "Conversation",
    "DeadLetter",
    "EvalRun",
    "EvalSuite",
    "GuardrailViolation",
    "Incident",
    "IngestEvent",
    "Message",
    "Ticket",
)


def _b64(text: str, *, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(text.encode("utf-8", "surrogatepass")).decode()


_short_text = st.text(max_size=40)
_uuids = st.uuids().map(str)
_datetime_texts = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda moment: moment.isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59+00:00",
            "9999-12-31T23:59:59",
            "2026-02-30T00:00:00Z",
            "yesterday",
            "",
        ]
    ),
)
_global_ids = st.builds(
    lambda type_name, local: _b64(f"{type_name}:{local}"),
    st.sampled_from(NODE_TYPES + ("Query", "Nope")),
    st.one_of(_uuids, _short_text),
)
# Keyset cursors are base64url JSON of [timestamp, uuid]; near misses exercise every decoding branch.
_cursors = st.builds(
    lambda parts: _b64(json.dumps(parts), urlsafe=True).rstrip("="),
    st.one_of(
        st.tuples(_datetime_texts, _uuids).map(list),
        st.lists(st.one_of(st.integers(), _short_text, st.none()), max_size=3),
        st.dictionaries(_short_text, st.integers(), max_size=2),
    ),
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63) | _short_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_short_text, children, max_size=3),
    max_leaves=8,
)


def _json_node(value: object):
    """The GraphQL literal for a JSON value (objects and lists as GraphQL objects and lists)."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, list):
        return nodes.List([_json_node(item) for item in value])
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=_safe_name(name)), value=_json_node(item))
            for name, item in value.items()
        ]
    )


def _safe_name(name: str) -> str:
    # GraphQL object field names are identifiers; keep the fuzzed key's spirit without breaking the document.
    cleaned = "".join(char for char in name if char.isascii() and (char.isalnum() or char == "_"))
    return cleaned if cleaned and not cleaned[0].isdigit() else f"k_{cleaned}"


def register() -> None:
    """Teach schemathesis these strategies (idempotent)."""
    schemathesis.graphql.scalar("ID", st.one_of(_global_ids, _uuids, _short_text).map(nodes.String))
    schemathesis.graphql.scalar("String", st.one_of(_short_text, _cursors, _datetime_texts).map(nodes.String))
    schemathesis.graphql.scalar("DateTime", _datetime_texts.map(nodes.String))
    schemathesis.graphql.scalar("JSON", _json_values.map(_json_node))
