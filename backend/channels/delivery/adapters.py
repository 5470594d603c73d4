"""Channel adapters behind one small base class: SMS via a Twilio-shaped REST API, chat and voice via
webhooks.

Each adapter also knows how to settle an attempt whose outcome we never saw (a worker killed, a timeout after
the request left): the chat and voice receivers must honour our `Idempotency-Key`, so sending again is safe;
for SMS we look the message up in the provider's Messages list; anything else is UNCERTAIN for an operator.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from backend.core.enums import Channel, DeliveryProvider
from backend.core.signatures import event_signature


class DeliveryError(RuntimeError):
    """The provider did not take the message, or we cannot tell: worth retrying.

    `maybe_sent` is False when the request cannot have been acted on (no connection, 429, a 5xx answer) and
    True when it may have been (a timeout waiting for the answer, a dropped connection, 504 from a gateway):
    the next attempt must then find out before sending again.
    """

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


class DeliveryRejected(RuntimeError):
    """The provider refused the message for good (4xx): retrying cannot help."""


class LookupUnavailable(RuntimeError):
    """The provider gives no way to find out whether a message reached it (or the answer is inconclusive)."""


@dataclass(frozen=True)
class OutboundMessage:
    message_id: str
    to: str  # the customer: phone number or user id
    thread: str  # the conversation's thread key (external conversation id or sender)
    text: str


class ChannelAdapter(ABC):
    channel: Channel
    provider: DeliveryProvider  # recorded on the message with each attempt: who it was handed to
    # True when the receiver honours our Idempotency-Key (a second POST with a key it has seen is answered
    # without delivering again): an attempt that did not finish is then settled by sending again with the same
    # key.
    resends_are_safe: bool = False

    @abstractmethod
    async def send(self, message: OutboundMessage) -> str:
        """Hand the message to the provider; returns the provider's id for it."""

    async def find_sent(
        self, message: OutboundMessage, *, since: datetime, known_ids: set[str]
    ) -> str | None:
        """The provider's id of this message if it reached the provider after `since`, None if it did not.

        `known_ids` are provider ids already recorded for other messages: never taken for this one. Raises
        LookupUnavailable when the provider cannot tell, DeliveryError when asking failed (try again later).
        """
        raise LookupUnavailable(f"{self.channel.value} has no way to look a sent message up")


def _transport_error(error: httpx.HTTPError) -> DeliveryError:
    # Refused before the request left us: the provider cannot have it. Anything later may have reached it.
    not_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return DeliveryError(f"{type(error).__name__}: {error}", maybe_sent=not not_sent)


def _check(response: httpx.Response) -> None:
    if response.status_code == 504:  # a gateway gave up waiting: the provider behind it may have taken it
        raise DeliveryError("provider answered 504", maybe_sent=True)
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryError(f"provider answered {response.status_code}", maybe_sent=False)
    if response.status_code >= 400:
        raise DeliveryRejected(f"provider refused the message: {response.status_code} {response.text[:200]}")


LOOKUP_PAGES = 3  # newest first, 50 a page: an attempt a customer got 150 messages after cannot be told
CLOCK_SKEW = timedelta(minutes=2)  # between our clock (SENDING's time) and the provider's date_created


class TwilioSmsAdapter(ChannelAdapter):
    """Twilio's Messages resource. Its REST API does not deduplicate a repeated create, so an unfinished
    attempt is settled by reading the Messages list (To and From filtered, newest first) for our body since
    SENDING."""

    channel = Channel.SMS
    provider = DeliveryProvider.TWILIO

    def __init__(
        self, *, client: httpx.AsyncClient, base_url: str, account_sid: str, auth_token: str, from_number: str
    ):
        self._client, self._base_url = client, base_url.rstrip("/")
        self._account_sid, self._auth_token, self._from = account_sid, auth_token, from_number

    async def send(self, message: OutboundMessage) -> str:
        try:
            response = await self._client.post(
                f"{self._base_url}/2010-04-01/Accounts/{self._account_sid}/Messages.json",
                data={"To": message.to, "From": self._from, "Body": message.text},
                auth=(self._account_sid, self._auth_token),
                # Our message id, for a gateway in front of the provider that deduplicates on it (Twilio
                # itself does not: find_sent is what settles an unfinished attempt).
                headers={"I-Twilio-Idempotency-Token": message.message_id},
            )
        except httpx.HTTPError as error:
            raise _transport_error(error) from error
        _check(response)
        return str(response.json().get("sid", ""))

    async def find_sent(
        self, message: OutboundMessage, *, since: datetime, known_ids: set[str]
    ) -> str | None:
        url: str | None = f"{self._base_url}/2010-04-01/Accounts/{self._account_sid}/Messages.json"
        params: dict | None = {"To": message.to, "From": self._from, "PageSize": 50}
        earliest = since - CLOCK_SKEW
        for _ in range(LOOKUP_PAGES):
            try:
                response = await self._client.get(
                    url, params=params, auth=(self._account_sid, self._auth_token)
                )
            except httpx.HTTPError as error:
                raise DeliveryError(
                    f"looking the message up: {type(error).__name__}: {error}", maybe_sent=True
                ) from error
            if response.status_code >= 500 or response.status_code == 429:
                raise DeliveryError(
                    f"looking the message up: provider answered {response.status_code}", maybe_sent=True
                )
            if response.status_code >= 400:  # no such endpoint, or these credentials may not read it
                raise LookupUnavailable(f"the provider's Messages list answered {response.status_code}")
            page = response.json()
            listed = page.get("messages") or []
            for item in listed:
                created = _provider_time(item.get("date_created"))
                if (
                    item.get("body") == message.text
                    and item.get("sid") not in known_ids
                    and created is not None
                    and created >= earliest
                ):
                    return str(item["sid"])
            oldest = _provider_time(listed[-1].get("date_created")) if listed else None
            if not page.get("next_page_uri") or (oldest is not None and oldest < earliest):
                return None  # every message since the attempt began was read: it is not there
            url, params = f"{self._base_url}{page['next_page_uri']}", None
        raise LookupUnavailable(
            f"more than {LOOKUP_PAGES * 50} messages to {message.to} since the attempt began"
        )


def _provider_time(value: str | None) -> datetime | None:
    """Twilio's RFC 2822 times ("Wed, 18 Aug 2010 20:01:40 +0000")."""
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


class SignedWebhookAdapter(ChannelAdapter):
    """POSTs {messageId, conversation, to, text} as JSON, signed like our inbound generic webhook.

    The receiver's contract: `Idempotency-Key` (our message id) names the message. The first POST with a key
    delivers it; any later POST with the same key must be answered 2xx without delivering again (keep the keys
    seen for at least a day). That is what lets us settle an attempt whose answer we never saw by sending
    again.
    """

    provider = DeliveryProvider.WEBHOOK
    resends_are_safe = True

    def __init__(self, *, channel: Channel, client: httpx.AsyncClient, url: str, secret: str | None):
        self.channel, self._client, self._url, self._secret = channel, client, url, secret

    async def send(self, message: OutboundMessage) -> str:
        body = json.dumps(
            {
                "messageId": message.message_id,
                "conversation": message.thread,
                "to": message.to,
                "text": message.text,
            }
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id}
        if self._secret:
            stamp = str(int(time.time()))
            headers["X-AgentOps-Timestamp"] = stamp
            headers["X-AgentOps-Signature"] = event_signature(secret=self._secret, timestamp=stamp, body=body)
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise _transport_error(error) from error
        _check(response)
        try:
            return str(response.json().get("id", message.message_id))
        except ValueError:
            return message.message_id
