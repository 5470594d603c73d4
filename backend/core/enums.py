"""The channels a customer can reach the agent on, and who carries replies out on them."""

from enum import Enum


class Channel(str, Enum):
    SMS = "SMS"
    CHAT = "CHAT"
    VOICE = "VOICE"


class DeliveryProvider(str, Enum):
    """Who takes a reply on its way out (backend/channels/delivery/endpoints.py picks one per channel)."""

    TWILIO = "TWILIO"  # SMS through a Twilio-shaped REST API
    WEBHOOK = "WEBHOOK"  # chat and voice: a signed POST to the deployment's receiver
    SANDBOX = "SANDBOX"  # the built-in sandbox: accepted and recorded, reaching no customer
