"""Where a guardrail runs, what it does when it fires, and how bad a hit is."""

from enum import Enum


class Stage(str, Enum):
    INPUT = "INPUT"  # the customer's text, before the agent sees it
    OUTPUT = "OUTPUT"  # the agent's reply, before it is sent
    TOOL = "TOOL"  # a tool call's name and arguments, before it runs


class Action(str, Enum):
    BLOCK = "BLOCK"
    REDACT = "REDACT"
    FLAG = "FLAG"


class Severity(str, Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class PiiKind(str, Enum):
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    CARD = "CARD"
    SSN = "SSN"  # US social security number
    NINO = "NINO"  # UK national insurance number
