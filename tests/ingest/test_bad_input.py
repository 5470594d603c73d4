"""Every kind of bad input to every ingest entry point gets a typed error and writes nothing."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from backend.auth import service as auth_service
from backend.conversations.models import Conversation
from backend.core.scopes import Scope
from backend.core.signatures import twilio_signature
from backend.ingest.models import IngestEvent
from tests.channels.test_webhooks import (  # noqa: F401
    TWILIO_TOKEN,
    chat_event,
    signed_event_request,
    twilio_form,
    webhook_secrets,
)
from tests.helpers import graphql
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS, event

FAR_FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "mutation", "batch", "twilio" or "events"
    payload: object = None
    key: str = "ingest"  # which key the caller presents: ingest, read, revoked, invalid or none
    expect: str = ""  # union member, or HTTP status for webhooks
    field: str | None = None


CASES = [
    Case("oversized text", "mutation", event(text="x" * 8001), expect="ValidationError", field="text"),
    Case(
        "oversized metadata",
        "mutation",
        event(metadata={"blob": "y" * 5000}),
        expect="ValidationError",
        field="metadata",
    ),
    Case(
        "nested metadata",
        "mutation",
        event(metadata={"a": {"b": 1}}),
        expect="ValidationError",
        field="metadata",
    ),
    Case("NUL in text", "mutation", event(text="hello\u0000world"), expect="ValidationError", field="text"),
    Case("NUL in sender", "mutation", event(sender="+1555\u0000"), expect="ValidationError", field="sender"),
    Case(
        "empty idempotency key",
        "mutation",
        event(idempotencyKey=""),
        expect="ValidationError",
        field="idempotencyKey",
    ),
    Case("blank text", "mutation", event(text="   "), expect="ValidationError", field="text"),
    Case(
        "timestamp far in the future",
        "mutation",
        event(occurredAt=FAR_FUTURE),
        expect="ValidationError",
        field="occurredAt",
    ),
    Case(
        "timestamp without a zone",
        "mutation",
        event(occurredAt="2026-11-20T10:00:00"),
        expect="ValidationError",
        field="occurredAt",
    ),
    Case("unknown channel", "mutation", event(channel="FAX"), expect="GraphQLError"),
    Case(
        "batch over the maximum",
        "batch",
        [event() for _ in range(101)],
        expect="ValidationError",
        field="events",
    ),
    Case("empty batch", "batch", [], expect="ValidationError", field="events"),
    Case("missing key", "mutation", event(), key="none", expect="Unauthorized"),
    Case("invalid key", "mutation", event(), key="invalid", expect="Unauthorized"),
    Case("revoked key", "mutation", event(), key="revoked", expect="Unauthorized"),
    Case("wrong scope", "mutation", event(), key="read", expect="Unauthorized"),
    Case("wrong scope in a batch", "batch", [event()], key="read", expect="Unauthorized"),
    Case("twilio bad signature", "twilio", {"form": twilio_form(), "signature": "AAAA"}, expect="403"),
    Case("twilio invalid UTF-8", "twilio", {"raw": b"Body=\xff\xfe&From=%2B1555"}, expect="400"),
    Case("twilio empty body text", "twilio", {"form": twilio_form(Body="")}, expect="400"),
    Case("events bad signature", "events", {"event": chat_event(), "secret": "wrong"}, expect="401"),
    Case(
        "events stale signature", "events", {"event": chat_event(), "timestamp": 1_000_000_000}, expect="401"
    ),
    Case("events invalid UTF-8", "events", {"raw": b'{"text": "\xff"}'}, expect="400"),
    Case("events not JSON", "events", {"raw": b"channel=CHAT"}, expect="400"),
    Case("events oversized body", "events", {"raw": b"[" + b"1," * 200_000 + b"1]"}, expect="413"),
    Case("events unknown channel", "events", {"event": chat_event(channel="FAX")}, expect="422"),
    Case("events unknown field", "events", {"event": chat_event(priority="high")}, expect="422"),
]


async def _keys() -> dict[str, str | None]:
    _, ingest = await auth_service.create_api_key(name="ingest", scopes=[Scope.INGEST])
    _, read = await auth_service.create_api_key(name="read", scopes=[Scope.READ])
    revoked_key, revoked = await auth_service.create_api_key(name="revoked", scopes=[Scope.INGEST])
    await auth_service.revoke_api_key(key_id=revoked_key.id)
    return {"ingest": ingest, "read": read, "revoked": revoked, "invalid": "ak_00000000_forged", "none": None}


async def _send(client, case: Case, key: str | None) -> str:
    """Send the case; return the union member name, 'GraphQLError', or the webhook's HTTP status."""
    if case.kind in ("mutation", "batch"):
        document, variables = (
            (INGEST_EVENT, {"input": case.payload})
            if case.kind == "mutation"
            else (INGEST_EVENTS, {"input": {"events": case.payload}})
        )
        body = (await graphql(client, document, key=key, variables=variables)).json()
        if body.get("errors"):
            return "GraphQLError"
        result = body["data"]["ingestEvent" if case.kind == "mutation" else "ingestEvents"]
        if case.field:
            assert result.get("field") == case.field, result
        if result["__typename"] == "IngestEventsPayload":
            return result["results"][0]["__typename"]
        return result["__typename"]
    if case.kind == "twilio":
        url = "http://testserver/webhooks/twilio/sms"
        if "raw" in case.payload:
            content, signature = case.payload["raw"], "irrelevant"
        else:
            form = case.payload["form"]
            content = urlencode(form)
            signature = case.payload.get("signature") or twilio_signature(
                auth_token=TWILIO_TOKEN, url=url, params=form
            )
        response = await client.post(
            url,
            content=content,
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        return str(response.status_code)
    options = {name: value for name, value in case.payload.items() if name in ("secret", "timestamp", "raw")}
    body, headers = signed_event_request(case.payload.get("event"), **options)
    return str((await client.post("/webhooks/events", content=body, headers=headers)).status_code)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_input_is_refused_with_a_typed_error_and_writes_nothing(client, case, webhook_secrets):  # noqa: F811
    keys = await _keys()
    assert await _send(client, case, keys[case.key]) == case.expect
    assert await IngestEvent.all().count() == 0
    assert await Conversation.all().count() == 0
