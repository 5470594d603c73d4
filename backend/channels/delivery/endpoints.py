"""Which provider carries replies on each channel: the configured endpoint, else the sandbox if it is on, else
none.

The workers build their adapters from this; the API answers `deliveryEndpoints` from it (both read the same
settings), so what an operator is told matches what the workers do.
"""

from __future__ import annotations

import httpx

from backend.channels.delivery.adapters import ChannelAdapter, SignedWebhookAdapter, TwilioSmsAdapter
from backend.channels.sandbox.provider import SandboxAdapter
from backend.core.enums import Channel, DeliveryProvider
from backend.settings import Settings


def _sms_configured(settings: Settings) -> bool:
    return bool(
        settings.sms_api_base_url
        and settings.sms_account_sid
        and settings.sms_auth_token
        and settings.sms_from_number
    )


def _webhook_url(settings: Settings, channel: Channel) -> str | None:
    return {Channel.CHAT: settings.chat_delivery_url, Channel.VOICE: settings.voice_delivery_url}.get(channel)


def provider_for(settings: Settings, channel: Channel) -> DeliveryProvider | None:
    """Who takes this channel's replies; None: nobody (they are written FAILED)."""
    if channel == Channel.SMS and _sms_configured(settings):
        return DeliveryProvider.TWILIO
    if _webhook_url(settings, channel):
        return DeliveryProvider.WEBHOOK
    return DeliveryProvider.SANDBOX if settings.sandbox_delivery else None


def build_adapters(settings: Settings, client: httpx.AsyncClient) -> dict[Channel, ChannelAdapter]:
    """The adapter of each channel that has a provider; a channel without one cannot deliver."""
    adapters: dict[Channel, ChannelAdapter] = {}
    for channel in Channel:
        provider = provider_for(settings, channel)
        if provider == DeliveryProvider.TWILIO:
            assert (
                settings.sms_auth_token is not None and settings.sms_api_base_url and settings.sms_account_sid
            )
            adapters[channel] = TwilioSmsAdapter(
                client=client,
                base_url=settings.sms_api_base_url,
                account_sid=settings.sms_account_sid,
                auth_token=settings.sms_auth_token.get_secret_value(),
                from_number=str(settings.sms_from_number),
            )
        elif provider == DeliveryProvider.WEBHOOK:
            secret = (
                settings.webhook_signing_secret.get_secret_value()
                if settings.webhook_signing_secret
                else None
            )
            adapters[channel] = SignedWebhookAdapter(
                channel=channel, client=client, url=str(_webhook_url(settings, channel)), secret=secret
            )
        elif provider == DeliveryProvider.SANDBOX:
            adapters[channel] = SandboxAdapter(
                channel=channel,
                latency_ms=settings.sandbox_latency_ms,
                failure_rate=settings.sandbox_failure_rate,
            )
    return adapters
