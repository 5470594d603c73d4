"""handoff_as_asked: the conversation goes to a human only when the customer asked for one.

Asked means: the message asks for a person (the rules' HUMAN intent, or words like "manager", "real person",
"call me back"), escalates (the escalation words the rules policy hands over on: "unacceptable", "lawyer",
"complaint"), or says yes to the agent's own offer to pass them to a colleague. Applies only to turns that
handed the conversation off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from backend.agent.intents import Intent
from backend.agent.nlu import understand
from backend.quality.subject import TurnSubject
from backend.quality.verdicts import Verdict

ASKS_FOR_A_PERSON = re.compile(
    r"\b(?:human|real person|a "
    r"person|someone|somebody|manager|supervisor|agent|representative|receptionist|staff|"
    r"operator|colleague|owner|call me(?: back)?|phone me|speak (?:to|with)|talk (?:to|with))\b",
    re.IGNORECASE,
)
ESCALATES = re.compile(
    r"\b(?:unacceptable|lawyer|complaint|complain|furious|ridiculous|sue)\b", re.IGNORECASE
)
OFFERS_A_PERSON = re.compile(r"\b(?:colleague|team|someone|person|human|manager)\b[^?]*\?", re.IGNORECASE)
AGREES = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|please|go ahead|do it|sounds good|that would be great)\b",
    re.IGNORECASE,
)


class _NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class HandoffAsAsked:
    name: ClassVar[str] = "handoff_as_asked"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> HandoffAsAsked:
        _NoParams.model_validate(dict(params))
        return cls()

    def score(self, subject: TurnSubject) -> Verdict | None:
        if not subject.handed_off:
            return None
        text = subject.customer_text
        if ASKS_FOR_A_PERSON.search(text) or ESCALATES.search(text):
            return Verdict(score=1.0, label="asked", reason="the customer asked for a person or escalated")
        last_agent = next((line.text for line in reversed(subject.earlier) if line.author == "AGENT"), "")
        if OFFERS_A_PERSON.search(last_agent) and AGREES.search(text):
            return Verdict(
                score=1.0, label="accepted_offer", reason="the customer said yes to being passed on"
            )
        heard = understand(text, now=subject.now, services=list(subject.services))
        if heard.intent is Intent.HUMAN:
            return Verdict(score=1.0, label="asked", reason="the customer asked for a person")
        return Verdict(
            score=0.0,
            label="unrequested",
            reason="handed off to a human, but the customer neither asked for one nor escalated",
        )
