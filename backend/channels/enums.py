"""The channels a customer can reach the agent on."""

from enum import Enum


class Channel(str, Enum):
    SMS = "SMS"
    CHAT = "CHAT"
    VOICE = "VOICE"
