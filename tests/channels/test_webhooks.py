"""Signed webhooks: Twilio SMS and the generic JSON webhook feed the same durable path."""

import json
import time
from urllib.parse import urlencode

import pytest

from backend.core.signatures import event_signature, twilio_signature
from backend.ingest.models import IngestEvent

TWILIO_TOKEN = "twilio-test-token"
EVENTS_SECRET = "events-test-secret"


@pytest.fixture
def webhook_secrets(test_settings, monkeypatch):
    from pydantic import SecretStr

    monkeypatch.setattr(test_settings, "twilio_auth_token", SecretStr(TWILIO_TOKEN))
    monkeypatch.setattr(test_settings, "webhook_signing_secret", SecretStr(EVENTS_SECRET))


def test_twilio_signature_matches_twilios_published_examples():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    for caller, expected in [
        ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
    ]:
        params = {
            "CallSid": "CA1234567890ABCDE",
            "Caller": caller,
            "Digits": "1234",
            "From": caller,
            "To": "+18005551212",
        }
        assert twilio_signature(auth_token="12345", url=url, params=params) == expected


def twilio_form(**overrides) -> dict:
    form = {
        "MessageSid": "SM" + "a" * 32,
        "AccountSid": "AC" + "b" * 32,
        "From": "+15551230000",
        "To": "+15559870000",
        "Body": "Hi, can I move my appointment to Friday?",
        "NumSegments": "1",
    }
    form.update(overrides)
    return form


async def post_twilio(client, form: dict, *, signature: str | None = None, headers: dict | None = None):
    url = "http://testserver/webhooks/twilio/sms"
    signature = signature or twilio_signature(auth_token=TWILIO_TOKEN, url=url, params=form)
    return await client.post(
        url,
        content=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            **(headers or {}),
        },
    )


async def test_twilio_message_is_accepted_once_and_answered_with_twiml(client, webhook_secrets):
    form = twilio_form()
    first = await post_twilio(client, form)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in first.text
    assert (await post_twilio(client, form)).status_code == 200  # Twilio retried: still one event
    stored = await IngestEvent.get(idempotency_key=form["MessageSid"])
    assert (stored.channel.value, stored.sender, stored.text) == ("SMS", "+15551230000", form["Body"])
    assert stored.metadata["To"] == "+15559870000"
    assert await IngestEvent.all().count() == 1


async def test_twilio_idempotency_token_header_is_the_key_when_present(client, webhook_secrets):
    await post_twilio(client, twilio_form(), headers={"I-Twilio-Idempotency-Token": "retry-token-1"})
    assert await IngestEvent.filter(idempotency_key="retry-token-1").exists()


def signed_event_request(
    payload, *, secret: str = EVENTS_SECRET, timestamp: int | None = None, raw: bytes | None = None
):
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    return body, {
        "Content-Type": "application/json",
        "X-AgentOps-Timestamp": stamp,
        "X-AgentOps-Signature": event_signature(secret=secret, timestamp=stamp, body=body),
    }


def chat_event(**overrides) -> dict:
    value = {
        "channel": "CHAT",
        "idempotencyKey": "chat-1",
        "sender": "user-77",
        "externalConversationId": "web-55",
        "text": "My order arrived damaged.",
        "occurredAt": "2026-11-20T10:00:00+00:00",
        "metadata": {"page": "/orders"},
    }
    value.update(overrides)
    return value


async def test_signed_json_event_is_accepted_and_a_resend_is_a_duplicate(client, webhook_secrets):
    body, headers = signed_event_request(chat_event())
    first = await client.post("/webhooks/events", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    second = await client.post("/webhooks/events", content=body, headers=headers)
    assert second.json() == {"eventId": first.json()["eventId"], "duplicate": True}
    stored = await IngestEvent.get(idempotency_key="chat-1")
    assert stored.thread_key == "web-55" and stored.metadata == {"page": "/orders"}


async def test_a_signed_batch_answers_per_event(client, webhook_secrets):
    events = [
        chat_event(idempotencyKey="v-1", channel="VOICE", text="caller: I need to cancel"),
        chat_event(idempotencyKey="v-2", text="\u0000"),
        chat_event(idempotencyKey="v-3"),
    ]
    body, headers = signed_event_request({"events": events})
    results = (await client.post("/webhooks/events", content=body, headers=headers)).json()["results"]
    assert "eventId" in results[0] and "eventId" in results[2]
    assert results[1]["error"]["field"] == "text"
    assert await IngestEvent.all().count() == 2


async def test_webhooks_answer_503_when_their_secret_is_not_configured(client):
    assert (await post_twilio(client, twilio_form(), signature="x")).status_code == 503
    body, headers = signed_event_request(chat_event())
    assert (await client.post("/webhooks/events", content=body, headers=headers)).status_code == 503


async def test_webhooks_and_mutations_arriving_together_share_one_insert(
    app, client, make_key, webhook_secrets, monkeypatch
):
    import asyncio

    from backend.core.scopes import Scope
    from tests.helpers import StatementCounter, graphql
    from tests.ingest.documents import INGEST_EVENT, event

    monkeypatch.setattr(app.state.services.ingest.group_commit, "wait_seconds", 0.2)  # surely one group
    key = await make_key(Scope.INGEST)
    await graphql(client, "{ __typename }", key=key)  # the key cached: only ingest statements below
    counter = StatementCounter(monkeypatch)
    body, headers = signed_event_request(chat_event(idempotencyKey="together-hook"))
    hook, sms, mutation = await asyncio.gather(
        client.post("/webhooks/events", content=body, headers=headers),
        post_twilio(client, twilio_form(MessageSid="SM" + "c" * 32)),
        graphql(client, INGEST_EVENT, key=key, variables={"input": event(key="together-mutation")}),
    )
    assert hook.status_code == 200 and hook.json()["duplicate"] is False
    assert sms.status_code == 200
    assert mutation.json()["data"]["ingestEvent"]["__typename"] == "EventAccepted"
    assert [s for s in counter.statements if "INSERT INTO ingest_events" in s] == [counter.statements[0]]
    assert len(counter.statements) == 1
    assert await IngestEvent.all().count() == 3
