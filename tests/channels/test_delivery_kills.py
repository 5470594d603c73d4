"""A worker SIGKILLed between the provider's acceptance of a reply and our SENT never causes a second send.

Real processes on a product of their own (tests/isolated.py): an API, one worker at a time, and the loopback
provider, which accepts the reply and then holds its answer, so the worker is killed exactly there. A new
worker finds the reply SENDING and settles it: the SMS is found in the provider's Messages list (SENT, its
sid, no second send); the chat receiver gets the same Idempotency-Key again and does not deliver twice; a
provider that cannot be asked leaves it UNCERTAIN — listed, counted on /metrics, and resent only when an
operator accepts the risk.
"""

from __future__ import annotations

import asyncio
import signal

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fake_provider import FakeProvider, serve
from tests.helpers import free_port, wait_until
from tests.ingest.documents import INGEST_EVENT, event
from tests.isolated import isolated_product

UNCERTAIN_REPLIES = """
query Uncertain($after: String) {
  replies(first: 1, after: $after, filter: {deliveryStatus: UNCERTAIN}) {
    edges { node { id text deliveryStatus deliveryAttempts deliveryError conversation { customer } } }
    pageInfo { hasNextPage endCursor }
  }
  replyDeliveryCounts { status count }
}
"""
RESEND = """
mutation Resend($id: ID!, $accept: Boolean!) {
  resendReply(input: {messageId: $id, acceptDuplicateRisk: $accept}) {
    __typename
    ... on ResendReplyPayload { resent reply { deliveryStatus deliveryResentBy } }
    ... on ValidationError { field message }
  }
}
"""


@pytest.fixture
async def provider():
    fake = FakeProvider()
    port = free_port()
    async with serve(fake.app(), port) as url:
        fake.url = url  # type: ignore[attr-defined]
        try:
            yield fake
        finally:
            fake.release_held()


async def _reply(dsn: str, customer: str) -> dict | None:
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            "SELECT m.id, m.delivery_status, m.delivery_attempts, m.provider_message_id, m.delivery_error"
            " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            " WHERE c.customer = $1 AND m.direction = 'OUTBOUND'",
            customer,
        )
        return dict(row) if row else None
    finally:
        await connection.close()


async def _kill_mid_delivery(
    product, provider: FakeProvider, *, api: str, key: str, channel: str, customer: str
):
    """Ingest one message; SIGKILL the worker once the provider has accepted the reply, before it can record
    it."""
    provider.hold_answer_to.add(customer)
    worker = product.start_worker("worker-killed")
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {key}"}) as http:
        sent = event(sender=customer, channel=channel, text="Do you have anything on Friday?")
        answer = (
            await http.post("/graphql", json={"query": INGEST_EVENT, "variables": {"input": sent}})
        ).json()
        assert answer["data"]["ingestEvent"]["__typename"] == "EventAccepted", answer
    await asyncio.wait_for(provider.accepted_and_held.wait(), timeout=60)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    provider.accepted_and_held.clear()
    provider.hold_answer_to.discard(customer)
    reply = await _reply(product.dsn, customer)
    assert reply["delivery_status"] == "SENDING", reply  # committed before the call, and nothing after it
    assert len(provider.sent_to(customer)) == 1


def _settings(provider: FakeProvider) -> dict[str, str]:
    return {
        "sms_api_base_url": provider.url,
        "chat_delivery_url": f"{provider.url}/hooks/chat",
        "voice_delivery_url": f"{provider.url}/hooks/voice",
        "worker_metrics_port": "0",
        "reconcile_every_seconds": "1",
        "reconcile_stale_after_seconds": "2",
        "delivery_attempts": "4",
    }


async def _start(product) -> tuple[str, str]:
    created = await asyncio.to_thread(product.agentops, "keys", "create", "--name", "ops", "--scope", "admin")
    return await asyncio.to_thread(product.start_api), created.strip().splitlines()[-1]


async def test_a_worker_killed_after_the_provider_took_an_sms_never_sends_it_twice(
    test_settings, tmp_path, provider
):
    async with isolated_product(
        test_settings, name="kill_sms", logs=tmp_path, **_settings(provider)
    ) as product:
        api, key = await _start(product)
        customer = "+15550107001"
        await _kill_mid_delivery(product, provider, api=api, key=key, channel="SMS", customer=customer)

        product.start_worker(
            "worker-after"
        )  # takes the swept job back, waits out the first call, looks it up

        async def settled():
            reply = await _reply(product.dsn, customer)
            return reply if reply["delivery_status"] != "SENDING" else None

        reply = await wait_until(settled, timeout=90, message="the reply settled")
        delivered = provider.sent_to(customer)
        assert reply["delivery_status"] == "SENT" and len(delivered) == 1, (reply, delivered)
        assert (
            reply["provider_message_id"] == delivered[0]["sid"]
        )  # found in the provider's list, not sent again
        assert provider.lookups >= 1 and provider.received[str(reply["id"])] == 1


async def test_a_worker_killed_after_the_chat_receiver_took_a_reply_resends_it_under_the_same_key(
    test_settings, tmp_path, provider
):
    async with isolated_product(
        test_settings, name="kill_chat", logs=tmp_path, **_settings(provider)
    ) as product:
        api, key = await _start(product)
        customer = "chat-user-7002"
        await _kill_mid_delivery(product, provider, api=api, key=key, channel="CHAT", customer=customer)
        product.start_worker("worker-after")

        async def settled():
            reply = await _reply(product.dsn, customer)
            return reply if reply["delivery_status"] != "SENDING" else None

        reply = await wait_until(settled, timeout=90, message="the reply settled")
        assert reply["delivery_status"] == "SENT"
        assert provider.received[str(reply["id"])] == 2  # sent again with the same Idempotency-Key ...
        assert (
            len(provider.sent_to(customer)) == 1
        )  # ... which the receiver answered without delivering twice


async def test_an_sms_nothing_can_settle_is_uncertain_until_an_operator_resends_it(
    test_settings, tmp_path, provider
):
    async with isolated_product(
        test_settings, name="kill_uncertain", logs=tmp_path, **_settings(provider)
    ) as product:
        api, key = await _start(product)
        customer = "+15550107003"
        provider.no_lookup_for.add(customer)  # this provider cannot say what it has
        await _kill_mid_delivery(product, provider, api=api, key=key, channel="SMS", customer=customer)
        product.start_worker("worker-after")

        async def uncertain():
            reply = await _reply(product.dsn, customer)
            return reply if reply["delivery_status"] == "UNCERTAIN" else None

        reply = await wait_until(uncertain, timeout=90, message="the reply marked UNCERTAIN")
        assert len(provider.sent_to(customer)) == 1 and "cannot tell" in reply["delivery_error"]

        async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {key}"}) as http:
            listed = (await http.post("/graphql", json={"query": UNCERTAIN_REPLIES})).json()["data"]
            edges = listed["replies"]["edges"]
            assert [edge["node"]["conversation"]["customer"] for edge in edges] == [customer]
            assert listed["replies"]["pageInfo"]["hasNextPage"] is False
            assert {"status": "UNCERTAIN", "count": 1} in listed["replyDeliveryCounts"]
            metrics = (await http.get("/metrics")).text
            gauge = {
                sample.labels["status"]: sample.value
                for family in text_string_to_metric_families(metrics)
                if family.name == "agentops_replies_by_delivery_status"
                for sample in family.samples
            }
            assert gauge["UNCERTAIN"] == 1

            message_id = edges[0]["node"]["id"]
            refused = (
                await http.post(
                    "/graphql", json={"query": RESEND, "variables": {"id": message_id, "accept": False}}
                )
            ).json()
            assert refused["data"]["resendReply"]["__typename"] == "ValidationError"
            assert "twice" in refused["data"]["resendReply"]["message"]
            assert (await _reply(product.dsn, customer))["delivery_status"] == "UNCERTAIN"  # nothing changed

            resent = (
                await http.post(
                    "/graphql", json={"query": RESEND, "variables": {"id": message_id, "accept": True}}
                )
            ).json()
            payload = resent["data"]["resendReply"]
            assert payload["resent"] is True and payload["reply"]["deliveryResentBy"] == "ops", payload

        async def sent():
            reply = await _reply(product.dsn, customer)
            return reply if reply["delivery_status"] == "SENT" else None

        await wait_until(sent, timeout=60, message="the resent reply SENT")
        assert len(provider.sent_to(customer)) == 2  # the duplicate the operator knowingly risked
