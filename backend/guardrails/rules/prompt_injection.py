"""Customer text that tries to re-program the agent: overrides, jailbreak personas, prompt probing, smuggled
tool calls.

Decisions (look-alikes that must stay quiet):
- "ignore my previous message" / "forget what I said" is a customer correcting themselves: an override fires
  only for the agent's instructions ("all/your/previous instructions, rules, prompt"), never for "my …" or for
  "the instructions I gave you".
- "act as" alone is ordinary ("can you act as my reminder?"); it fires only with a jailbreak target
  ("act as an unrestricted AI", "act as if you have no rules", "act as my late grandma").
- "what are your rules for cancellations?" asks about policy; probing fires for hidden/system/initial
  instructions, for "reveal/print/repeat your instructions", and for "system prompt" anywhere.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.folding import Folded, fold, squash
from backend.guardrails.params import Params
from backend.guardrails.rules.base import Hit, TextRule, TextTurn, without_overlaps

_QUALIFIER = (
    r"(?:previous|prior|above|earlier|preceding|foregoing|initial|original|system|existing|current|old|given"
    r"|default|safety|hidden|developer|programmed)"
)
_NOUN = (
    r"(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|programming|training|constraints"
    r"|restrictions|policies|filters)"
)
_SECRET = r"(?:original|initial|hidden|secret|internal|system|developer|underlying|confidential|first|pre-?)"
_ALL = r"(?:all|any|every)\s+(?:of\s+)?(?:the\s+|your\s+|these\s+|those\s+)?"

# (tactic, pattern on the folded text); the tactic is named in the finding's message.
PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "instruction override",
        (
            rf"\b(?:ignore|disregard|forget|override|bypass|drop|abandon|stop\s+following|do\s+not\s+follow"
            rf"|don't\s+follow)\s+(?:{_ALL}(?:{_QUALIFIER}\s+)*|(?:your|these|those)\s+(?:{_QUALIFIER}\s+)*"
            rf"|(?:the\s+)?(?:{_QUALIFIER}\s+)+){_NOUN}\b(?!\s+(?:i|we)\b)"
        ),
    ),
    (
        "instruction override",
        r"\b(?:ignore|disregard)\s+(?:all\s+of\s+|everything\s+)?the\s+above\b(?!\s+(?:message|msg|text|sms|e-?mail))",
    ),
    ("instruction override", r"\b(?:new|updated|real|actual|revised)\s+(?:system\s+)?instructions\s*:"),
    (
        "persona override",
        (
            r"\byou\s+are\s+(?:now|no\s+longer)\s+(?:(?:a|an|the|in)\s+)?(?:dan\b|stan\b|jailbroken|unfiltered|unrestricted"
            r"|uncensored|unlocked|evil|free\s+(?:from|of)|bound|restricted|limited|(?:\w+\s+){0,2}(?:ai|assistant|model"
            r"|llm|chatbot|persona)\b|\w+\s+mode\b)"
        ),
    ),
    ("persona override", r"\b(?:do\s+anything\s+now|jail\s*-?\s*br(?:ea|o)k(?:en|ing)?)\b"),
    (
        "persona override",
        (
            r"\bfrom\s+now\s+on,?\s+you\s+(?:will|are|must|shall|should)\s+(?:only\s+)?(?:act|respond|answer|behave"
            r"|pretend|ignore|obey|be\s+(?:an?\s+)?(?:unrestricted|unfiltered|evil|dan))\b"
        ),
    ),
    (
        "developer mode",
        r"\b(?:developer|dev|god|admin|sudo|root|jailbreak|dan|unrestricted|unfiltered)\s+mode\b",
    ),
    (
        "role-play override",
        (
            r"\b(?:act|behave|respond|roleplay|role-play|role\s+play|pose)\s+(?:as|like)\s+(?:if\s+you\s+(?:were|are|had"
            r"|have)\s+(?:no|not|an?\s+unrestricted|free|without)\b|(?:an?\s+)?(?:unrestricted|unfiltered|uncensored"
            r"|jailbroken|evil|rogue|dan|admin|administrator|root|system|developer|hacker)\b|(?:an?\s+)?ai\s+(?:with"
            r"|that\s+has)\s+no\b|my\s+(?:dead\s+|late\s+|deceased\s+)?(?:grandma|grandmother|granny)\b)"
        ),
    ),
    (
        "role-play override",
        (
            r"\bpretend\s+(?:to\s+be|you\s+are|you're|that\s+you\s+are|that\s+you're|you\s+have|you\s+had)\b[^.!?\n]{0,60}?"
            r"\b(?:no\s+(?:rules|restrictions|limits|filters|guidelines)|not\s+bound|unrestricted|unfiltered|jailbroken"
            r"|dan\b|the\s+(?:system|developer|admin))"
        ),
    ),
    (
        "prompt probing",
        r"\b(?:system|initial|hidden|original|secret)\s+prompt\b|\bpre-?prompt\b|\bprompt\s+injection\b",
    ),
    (
        "prompt probing",
        (
            rf"\b(?:reveal|print|repeat|output|leak|dump|show|display|tell\s+me|give\s+me|share|what\s+(?:is|are|were"
            rf"|was))\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:your|the)\s+(?:(?:full|entire|exact|complete)\s+)?{_SECRET}\s*"
            rf"(?:instructions|prompt|message|rules|guidelines|configuration|directives)\b"
        ),
    ),
    (
        "prompt probing",
        (
            r"\b(?:reveal|print|repeat|output|leak|dump|recite)\s+(?:me\s+)?(?:your|all\s+your)\s+(?:(?:full|entire|exact"
            r"|complete)\s+)?(?:instructions|prompt|rules|guidelines|configuration)\b(?!\s+(?:for|about|on|regarding)\b)"
        ),
    ),
    (
        "prompt probing",
        r"\b(?:repeat|print|output)\s+(?:everything|all|the\s+text|the\s+words)\s+(?:above|before)\b",
    ),
    (
        "role marker",
        (
            r"<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[/?inst\]|<</?sys>>"
            r"|(?:^|\n)\s*(?:#{1,3}\s*)?(?:system|assistant|developer)\s*:\s"
        ),
    ),
    (
        "smuggled tool call",
        (
            r"<\s*/?\s*(?:tool_call|tool_use|tool|function_call|function_calls|function|invoke|parameter|system"
            r"|assistant|script|iframe)\b|<\s*img\b[^>]*\bon(?:error|load)\s*="
        ),
    ),
    ("smuggled tool call", r"[\"'](?:tool_calls?|function_call|tool_use|arguments|parameters)[\"']\s*:"),
    ("markdown exfiltration", r"!\[[^\]]*\]\(\s*https?://[^)\s]*[?&][^)\s]*="),
    (
        "encoded payload",
        r"\b(?:decode|base64|rot13|hex)\b[^.!?\n]{0,40}\b(?:follow|execute|obey|run|do\s+what)\b",
    ),
)
# Phrases typed with no spaces or with every letter spaced out ("i g n o r e a l l …"), matched on letters
# only.
SQUASHED_PHRASES = re.compile(
    r"ignore(?:all|your)?(?:previous|prior|above)?instructions|disregard(?:all|your)?(?:previous|prior)?instructions"
    r"|systemprompt|developermode|doanythingnow|jailbreak"
)


@dataclass(frozen=True)
class PromptInjection(TextRule):
    name: ClassVar[str] = "prompt_injection"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.INPUT})

    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    encoded_token: re.Pattern[str]  # a run long enough to be worth decoding as base64

    @classmethod
    def from_params(cls, params: Params) -> PromptInjection:
        patterns = [(label, re.compile(source)) for label, source in PATTERNS]
        # A customer never types a tool's name; seeing one means a forged tool call.
        tool_names = params.strings("tool_names")
        if tool_names:
            names = "|".join(re.escape(name.lower()) for name in tool_names)
            patterns.append(("smuggled tool call", re.compile(rf"\b(?:{names})\b")))
        patterns += [("custom pattern", pattern) for pattern in params.patterns("extra_patterns")]
        shortest = params.integer("min_encoded_length", default=16, minimum=8)
        return cls(
            patterns=tuple(patterns), encoded_token=re.compile(rf"[A-Za-z0-9+/_-]{{{shortest},}}={{0,2}}")
        )

    def check(self, turn: TextTurn) -> list[Hit]:
        found = without_overlaps(
            self._plain_hits(turn.text) + self._encoded_hits(turn.text), length=len(turn.text)
        )
        if not found:
            return []
        # One attempt usually uses several tactics at once; it is one finding, naming each tactic once.
        tactics = ", ".join(dict.fromkeys(hit.message for hit in found))
        end = max(hit.end or len(turn.text) for hit in found)
        return [Hit(message=f"possible prompt injection ({tactics})", start=found[0].start, end=end)]

    def _plain_hits(self, text: str) -> list[Hit]:
        found: list[Hit] = []
        for view in (fold(text), fold(text, leet=True)):
            found += self._view_hits(view)
        squashed = squash(fold(text, leet=True))
        found += [
            _hit("instruction override", squashed, match)
            for match in SQUASHED_PHRASES.finditer(squashed.text)
        ]
        return found

    def _view_hits(self, view: Folded) -> list[Hit]:
        return [
            _hit(label, view, match)
            for label, pattern in self.patterns
            for match in pattern.finditer(view.text)
        ]

    def _encoded_hits(self, text: str) -> list[Hit]:
        # An instruction hidden in base64 is read by the model but slips past every pattern, so decode and
        # look.
        found = []
        for token in self.encoded_token.finditer(text):
            decoded = _decode_base64(token.group(0))
            if decoded and self._plain_hits(decoded):
                found.append(Hit(message="base64-encoded instructions", start=token.start(), end=token.end()))
        return found


def _hit(label: str, view: Folded, match: re.Match[str]) -> Hit:
    start, end = view.source_span(match.start(), match.end())
    return Hit(message=label, start=start, end=end)


def _decode_base64(token: str) -> str | None:
    padded = token + "=" * (-len(token) % 4)
    try:
        raw = (
            base64.b64decode(padded, altchars=b"-_")
            if ("-" in token or "_" in token)
            else base64.b64decode(padded)
        )
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    printable = sum(char.isprintable() or char.isspace() for char in decoded)
    return decoded if decoded and printable / len(decoded) > 0.95 else None
