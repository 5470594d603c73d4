"""guardrail_clean (no guardrail rule fired this turn) and reply_length (the reply fits its channel)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from backend.core.enums import Channel
from backend.guardrails.sms import sms_size
from backend.quality.subject import TurnSubject
from backend.quality.verdicts import Verdict


class _GuardrailParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ignore: list[str] = Field(default_factory=list)  # rules whose hits do not count (e.g. a FLAG-only rule)


@dataclass(frozen=True)
class GuardrailClean:
    name: ClassVar[str] = "guardrail_clean"
    ignore: frozenset[str] = frozenset()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> GuardrailClean:
        return cls(ignore=frozenset(_GuardrailParams.model_validate(dict(params)).ignore))

    def score(self, subject: TurnSubject) -> Verdict:
        hits = Counter(rule for rule in subject.violations if rule not in self.ignore)
        if not hits:
            return Verdict(score=1.0, label="clean", reason="no guardrail rule fired")
        rule, _ = hits.most_common(1)[0]
        listed = ", ".join(f"{name} x{count}" if count > 1 else name for name, count in sorted(hits.items()))
        return Verdict(score=0.0, label=rule, reason=f"guardrail hits: {listed}")


class _LengthParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_sms_segments: int = Field(default=3, ge=1)
    max_chat_chars: int = Field(default=1000, ge=1)
    max_voice_chars: int = Field(default=600, ge=1)


@dataclass(frozen=True)
class ReplyLength:
    """Within the limit scores 1; over it, limit / size (4 segments of 3 allowed score 0.75)."""

    name: ClassVar[str] = "reply_length"
    limits: _LengthParams

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ReplyLength:
        return cls(limits=_LengthParams.model_validate(dict(params)))

    def score(self, subject: TurnSubject) -> Verdict | None:
        if not subject.reply:
            return None
        if subject.channel == Channel.SMS:
            size, limit, unit = (
                sms_size(subject.reply).segments,
                self.limits.max_sms_segments,
                "SMS segment(s)",
            )
        else:
            limit = (
                self.limits.max_chat_chars if subject.channel == Channel.CHAT else self.limits.max_voice_chars
            )
            size, unit = len(subject.reply), "characters"
        if size <= limit:
            return Verdict(score=1.0, label="within_limit", reason=f"{size} {unit}, the limit is {limit}")
        return Verdict(
            score=round(limit / size, 4), label="too_long", reason=f"{size} {unit}, the limit is {limit}"
        )
