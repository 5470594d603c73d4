"""Asking for a person: a human, a manager, a call back."""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import CLEAR, STRONG, cue, words

ASKING_FOR_A_PERSON = (
    cue(
        Intent.HUMAN,
        STRONG,
        r"\b(?:real|actual|live|human) (?:person|human|people|agent|rep|representative|being)\b",
        words("representative", "operator", "supervisor"),
        r"\b(?:transfer|connect|put) me (?:to|through|with)\b",
        r"^(?:an? )?(?:agent|human|person|operator|manager)(?: please)?$",
        r"\bnot (?:a |talking to a )?(?:bot|robot|machine)\b",
    ),
    cue(
        Intent.HUMAN,
        STRONG,
        r"\b(?:talk|speak|chat|talking|speaking) (?:to|with) (?:a |an |the |your |some )?"
        + words(
            "someone",
            "somebody",
            "anyone",
            "anybody",
            "person",
            "people",
            "human",
            "agent",
            "representative",
            "rep",
            "manager",
            "supervisor",
            "owner",
            "staff",
            "operator",
            "receptionist",
            "customer service",
            "team member",
            "boss",
            "you guys",
        ),
    ),
    cue(
        Intent.HUMAN,
        CLEAR,
        words("manager", "human"),
        r"\b(?:are you|is this|am i (?:talking|chatting|speaking) (?:to|with)) (?:a |an )?"
        + words("bot", "robot", "real", "human", "machine", "ai", "computer"),
        r"\b(?:someone|somebody|anyone|a person) (?:call|ring|phone|contact) me\b",
        r"\bcall me back\b",
    ),
)
