"""Channel adapters behind one small base class: SMS via a Twilio-shaped REST API, chat and voice via webhooks."""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import httpx

from backend.channels.enums import Channel
from backend.channels.webhooks.signatures import event_signature
from backend.settings import Settings


class DeliveryError(RuntimeError):
    """The provider did not take the message (network error, 5xx, 429): worth retrying."""


class DeliveryRejected(RuntimeError):
    """The provider refused the message for good (4xx): retrying cannot help."""


@dataclass(frozen=True)
class OutboundMessage:
    message_id: str
    to: str  # the customer: phone number or user id
    thread: str  # the conversation's thread key (external conversation id or sender)
    text: str


class ChannelAdapter(ABC):
    channel: Channel

    @abstractmethod
    async def send(self, message: OutboundMessage) -> str:
        """Hand the message to the provider; returns the provider's id for it."""


def _check(response: httpx.Response) -> None:
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryError(f"provider answered {response.status_code}")
    if response.status_code >= 400:
        raise DeliveryRejected(f"provider refused the message: {response.status_code} {response.text[:200]}")


class TwilioSmsAdapter(ChannelAdapter):
    channel = Channel.SMS

    def __init__(self, *, client: httpx.AsyncClient, base_url: str, account_sid: str, auth_token: str, from_number: str):
        self._client, self._base_url = client, base_url.rstrip("/")
        self._account_sid, self._auth_token, self._from = account_sid, auth_token, from_number

    async def send(self, message: OutboundMessage) -> str:
        try:
            response = await self._client.post(
                f"{self._base_url}/2010-04-01/Accounts/{self._account_sid}/Messages.json",
                data={"To": message.to, "From": self._from, "Body": message.text},
                auth=(self._account_sid, self._auth_token),
                # Lets a provider that honours it drop a resend after a timeout whose outcome we never saw.
                headers={"I-Twilio-Idempotency-Token": message.message_id},
            )
        except httpx.HTTPError as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        _check(response)
        return str(response.json().get("sid", ""))


class SignedWebhookAdapter(ChannelAdapter):
    """POSTs {messageId, conversation, to, text} as JSON, signed like our inbound generic webhook."""

    def __init__(self, *, channel: Channel, client: httpx.AsyncClient, url: str, secret: str | None):
        self.channel, self._client, self._url, self._secret = channel, client, url, secret

    async def send(self, message: OutboundMessage) -> str:
        body = json.dumps(
            {"messageId": message.message_id, "conversation": message.thread, "to": message.to, "text": message.text}
        ).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id}
        if self._secret:
            stamp = str(int(time.time()))
            headers["X-AgentOps-Timestamp"] = stamp
            headers["X-AgentOps-Signature"] = event_signature(secret=self._secret, timestamp=stamp, body=body)
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        _check(response)
        try:
            return str(response.json().get("id", message.message_id))
        except ValueError:
            return message.message_id


def build_adapters(settings: Settings, client: httpx.AsyncClient) -> dict[Channel, ChannelAdapter]:
    """The adapters this deployment has configured; a channel without one cannot deliver."""
    adapters: dict[Channel, ChannelAdapter] = {}
    if settings.sms_api_base_url and settings.sms_account_sid and settings.sms_auth_token and settings.sms_from_number:
        adapters[Channel.SMS] = TwilioSmsAdapter(
            client=client, base_url=settings.sms_api_base_url, account_sid=settings.sms_account_sid,
            auth_token=settings.sms_auth_token.get_secret_value(), from_number=settings.sms_from_number,
        )
    secret = settings.webhook_signing_secret.get_secret_value() if settings.webhook_signing_secret else None
    for channel, url in ((Channel.CHAT, settings.chat_delivery_url), (Channel.VOICE, settings.voice_delivery_url)):
        if url:
            adapters[channel] = SignedWebhookAdapter(channel=channel, client=client, url=url, secret=secret)
    return adapters
