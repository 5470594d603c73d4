"""The built-in sandbox provider: replies on channels with no endpoint go QUEUED → SENT through the real
delivery path, recorded by the sandbox (once per reply, whatever the number of sends), labelled as reaching no
customer."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from pydantic import ValidationError
from tortoise.transactions import in_transaction

from backend.channels.delivery.endpoints import build_adapters, provider_for
from backend.channels.delivery.service import DeliveryOutcome, claim, deliver_message
from backend.channels.sandbox.models import SandboxMessage
from backend.conversations.models import (
    Conversation,
    DeliveryStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.conversations.service import append_message
from backend.core.enums import Channel, DeliveryProvider
from backend.core.scopes import Scope
from backend.events.hub import SilentHub
from backend.settings import Settings, format_settings_error
from tests.helpers import graphql, wait_until
from tests.ingest.documents import INGEST_EVENT, event
from tests.isolated import isolated_product

NO_ENDPOINTS = {"sms_api_base_url": None, "chat_delivery_url": None, "voice_delivery_url": None}
REPLIES = """
query Replies($customer: String!) {
  conversations(first: 1, filter: {customer: $customer}) { edges { node {
    messages(first: 10) { edges { node { author deliveryStatus deliveryProvider sandbox providerMessageId } }
        }
  } } }
  sandboxMessages(first: 10, filter: {recipient: $customer}) { edges { node {
    providerId channel recipient text requests reply { text deliveryStatus sandbox }
  } } }
  deliveryEndpoints { channel provider sandbox }
}
"""


def _sandbox_settings(test_settings: Settings, **changes) -> Settings:
    return test_settings.model_copy(update={**NO_ENDPOINTS, "sandbox_delivery": True, **changes})


async def _queued_reply(
    *, channel: Channel = Channel.SMS, customer: str = "+15550104040", text: str = "You're booked for 3pm."
) -> Message:
    conversation = await Conversation.create(
        channel=channel, thread_key=customer, customer=customer, last_message_at=datetime.now(UTC)
    )
    async with in_transaction() as connection:
        reply = await append_message(
            connection=connection,
            conversation_id=conversation.id,
            direction=MessageDirection.OUTBOUND,
            author=MessageAuthor.AGENT,
            text=text,
            delivery_status=DeliveryStatus.QUEUED,
        )
    assert reply is not None
    return reply


async def _deliver(reply: Message, settings: Settings) -> DeliveryOutcome:
    async with httpx.AsyncClient() as client:
        return await deliver_message(
            message_id=reply.id,
            adapters=build_adapters(settings, client),
            max_attempts=settings.delivery_attempts,
            hub=SilentHub(),
        )


def test_the_sandbox_takes_only_channels_with_no_endpoint_and_only_when_on(test_settings):
    on = _sandbox_settings(test_settings, chat_delivery_url="http://127.0.0.1:9/hooks/chat")
    assert {channel: provider_for(on, channel) for channel in Channel} == {
        Channel.SMS: DeliveryProvider.SANDBOX,
        Channel.CHAT: DeliveryProvider.WEBHOOK,
        Channel.VOICE: DeliveryProvider.SANDBOX,
    }
    off = test_settings.model_copy(update=NO_ENDPOINTS)
    assert off.sandbox_delivery is False  # the default: a deployment missing an endpoint sees FAILED
    assert {provider_for(off, channel) for channel in Channel} == {None}
    assert (
        provider_for(test_settings.model_copy(update={"sandbox_delivery": True}), Channel.SMS)
        == DeliveryProvider.TWILIO
    )


def test_production_refuses_the_sandbox_naming_the_variable():
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, environment="production", sandbox_delivery=True)  # type: ignore[call-arg]
    message = format_settings_error(refused.value)
    assert "AGENTOPS_SANDBOX_DELIVERY" in message and "production" in message
    assert Settings(_env_file=None, environment="production").sandbox_delivery is False  # type: ignore[call-arg]


async def test_a_queued_reply_is_sent_by_the_sandbox_and_recorded_once(app, test_settings):
    reply = await _queued_reply()
    assert await _deliver(reply, _sandbox_settings(test_settings)) == DeliveryOutcome.SENT
    sent = await Message.get(id=reply.id)
    assert sent.delivery_status == DeliveryStatus.SENT and sent.delivery_provider == DeliveryProvider.SANDBOX
    assert (
        sent.provider_message_id
        and sent.provider_message_id.startswith("SBX")
        and sent.delivered_at is not None
    )
    recorded = await SandboxMessage.get(id=reply.id)
    assert (recorded.provider_id, recorded.channel, recorded.recipient, recorded.text, recorded.requests) == (
        sent.provider_message_id,
        Channel.SMS,
        "+15550104040",
        "You're booked for 3pm.",
        1,
    )
    # A job that runs again for it finds it SENT: nothing is sent twice.
    assert await _deliver(reply, _sandbox_settings(test_settings)) == DeliveryOutcome.ALREADY_DONE
    assert await SandboxMessage.all().count() == 1


async def test_an_attempt_that_did_not_finish_is_settled_by_sending_again_under_the_same_key(
    app, test_settings
):
    reply = await _queued_reply(customer="chat-user-7", channel=Channel.CHAT)
    settings = _sandbox_settings(test_settings)
    first = await _deliver(reply, settings)
    assert first == DeliveryOutcome.SENT
    provider_id = (await Message.get(id=reply.id)).provider_message_id
    # As if the worker had been killed after the sandbox accepted it, before SENT was written: SENDING again.
    await Message.filter(id=reply.id).update(delivery_status=DeliveryStatus.SENDING, provider_message_id=None)
    assert await _deliver(reply, settings) == DeliveryOutcome.SENT
    recorded = await SandboxMessage.get(id=reply.id)
    assert recorded.requests == 2 and await SandboxMessage.all().count() == 1  # asked twice, accepted once
    assert (await Message.get(id=reply.id)).provider_message_id == provider_id == recorded.provider_id


async def test_a_failure_rate_of_one_refuses_every_attempt_and_the_reply_ends_failed(app, test_settings):
    reply = await _queued_reply(customer="+15550104041")
    settings = _sandbox_settings(test_settings, sandbox_failure_rate=1.0)
    outcomes = [await _deliver(reply, settings) for _ in range(settings.delivery_attempts)]
    assert outcomes == [DeliveryOutcome.RETRY] * (settings.delivery_attempts - 1) + [DeliveryOutcome.FAILED]
    failed = await Message.get(id=reply.id)
    assert (
        failed.delivery_status == DeliveryStatus.FAILED
        and failed.delivery_attempts == settings.delivery_attempts
    )
    assert "AGENTOPS_SANDBOX_FAILURE_RATE=1" in failed.delivery_error
    assert failed.delivery_provider == DeliveryProvider.SANDBOX and not await SandboxMessage.exists()


async def test_the_sandbox_takes_as_long_as_its_latency_says(app, test_settings):
    reply = await _queued_reply(customer="+15550104042")
    started = time.monotonic()
    assert (
        await _deliver(reply, _sandbox_settings(test_settings, sandbox_latency_ms=400))
        == DeliveryOutcome.SENT
    )
    assert time.monotonic() - started >= 0.4


async def test_the_api_labels_sandbox_deliveries_and_lists_the_sandbox_outbox(
    app, client, make_key, test_settings
):
    reply = await _queued_reply(customer="+15550104043", text="See you tomorrow at 3pm.")
    await _deliver(reply, _sandbox_settings(test_settings))
    # A reply some other provider took is not labelled sandbox.
    other = await _queued_reply(customer="+15550104044", text="Another")
    await claim(other, provider=DeliveryProvider.TWILIO)
    key = await make_key(Scope.READ)

    body = (await graphql(client, REPLIES, key=key, variables={"customer": "+15550104043"})).json()
    assert "errors" not in body, body
    (message,) = [
        edge["node"] for edge in body["data"]["conversations"]["edges"][0]["node"]["messages"]["edges"]
    ]
    assert (
        message["deliveryStatus"] == "SENT"
        and message["deliveryProvider"] == "SANDBOX"
        and message["sandbox"]
    )
    (outbox,) = [edge["node"] for edge in body["data"]["sandboxMessages"]["edges"]]
    assert outbox["providerId"] == message["providerMessageId"] and outbox["requests"] == 1
    assert (outbox["channel"], outbox["recipient"], outbox["text"]) == (
        "SMS",
        "+15550104043",
        "See you tomorrow at 3pm.",
    )
    assert outbox["reply"] == {"text": "See you tomorrow at 3pm.", "deliveryStatus": "SENT", "sandbox": True}
    # The suite's API has an endpoint on every channel (the fake provider) and the sandbox off.
    assert body["data"]["deliveryEndpoints"] == [
        {"channel": "SMS", "provider": "TWILIO", "sandbox": False},
        {"channel": "CHAT", "provider": "WEBHOOK", "sandbox": False},
        {"channel": "VOICE", "provider": "WEBHOOK", "sandbox": False},
    ]

    body = (await graphql(client, REPLIES, key=key, variables={"customer": "+15550104044"})).json()
    (message,) = [
        edge["node"] for edge in body["data"]["conversations"]["edges"][0]["node"]["messages"]["edges"]
    ]
    assert message["deliveryProvider"] == "TWILIO" and message["sandbox"] is False
    assert body["data"]["sandboxMessages"]["edges"] == []


THREADS = """
query Threads($since: DateTime!) {
  conversations(first: 10, filter: {activeAfter: $since}) { edges { node { channel customer
    messages(first: 10) { edges { node { author deliveryStatus deliveryProvider sandbox } } } } } }
  deliveryEndpoints { channel provider sandbox }
}
"""


async def test_with_no_endpoint_a_worker_delivers_every_channel_to_the_sandbox(test_settings, tmp_path):
    """The demo's set-up: real API and worker processes, no endpoint, the sandbox on (as `agentops up` sets
    it)."""
    async with isolated_product(
        test_settings,
        name="sandbox",
        logs=tmp_path,
        sms_api_base_url="",
        chat_delivery_url="",
        voice_delivery_url="",
        sandbox_delivery="true",
        worker_metrics_port="0",
    ) as product:
        api = await asyncio.to_thread(product.start_api)
        product.wait_for_workers([product.start_worker("worker")])
        created = await asyncio.to_thread(
            product.agentops, "keys", "create", "--name", "t", "--scope", "admin"
        )
        key = created.strip().splitlines()[-1]
        since = datetime.now(UTC).isoformat()
        async with httpx.AsyncClient(
            base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=10
        ) as http:
            for channel, sender in (
                ("SMS", "+15550105050"),
                ("CHAT", "chat-sandbox-1"),
                ("VOICE", "+15550105051"),
            ):
                sent = await http.post(
                    "/graphql",
                    json={
                        "query": INGEST_EVENT,
                        "variables": {
                            "input": event(
                                channel=channel,
                                sender=sender,
                                text="What are your opening hours on Saturday?",
                            )
                        },
                    },
                )
                assert sent.json()["data"]["ingestEvent"]["__typename"] == "EventAccepted"

            async def all_sent():
                data = (
                    await http.post("/graphql", json={"query": THREADS, "variables": {"since": since}})
                ).json()["data"]
                replies = [
                    edge["node"]
                    for conversation in data["conversations"]["edges"]
                    for edge in conversation["node"]["messages"]["edges"]
                    if edge["node"]["author"] == "AGENT"
                ]
                return (
                    len(replies) == 3 and all(reply["deliveryStatus"] == "SENT" for reply in replies) and data
                )

            data = await wait_until(all_sent, timeout=60, message="three replies SENT")
        replies = [
            edge["node"]
            for conversation in data["conversations"]["edges"]
            for edge in conversation["node"]["messages"]["edges"]
            if edge["node"]["author"] == "AGENT"
        ]
        assert {(reply["deliveryProvider"], reply["sandbox"]) for reply in replies} == {("SANDBOX", True)}
        assert data["deliveryEndpoints"] == [
            {"channel": channel, "provider": "SANDBOX", "sandbox": True}
            for channel in ("SMS", "CHAT", "VOICE")
        ]
        connection = await asyncpg.connect(product.dsn)
        try:
            recipients = {
                row["recipient"] for row in await connection.fetch("SELECT recipient FROM sandbox_messages")
            }
        finally:
            await connection.close()
        assert recipients == {"+15550105050", "chat-sandbox-1", "+15550105051"}


async def test_a_recipient_filter_that_could_match_nothing_stored_is_a_typed_error(app, client, make_key):
    key = await make_key(Scope.READ)
    for recipient, problem in (("x" * 129, "at most 128"), ("+1555\x000", "NUL")):
        body = (
            await graphql(
                client,
                "query($r: String!) { sandboxMessages(filter: {recipient: $r}) { edges { node { id } } } }",
                key=key,
                variables={"r": recipient},
            )
        ).json()
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and problem in error["message"]
