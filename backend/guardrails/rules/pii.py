"""Personal data the business must not receive or send: card numbers, SSNs, NINOs (phones and e-mails if
configured)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.guardrails.enums import PiiKind, Stage
from backend.guardrails.params import Params
from backend.guardrails.pii_detection import PLACEHOLDERS, find_pii
from backend.guardrails.rules.base import Hit, TextRule, TextTurn

DESCRIPTIONS = {
    PiiKind.PHONE: "a phone number",
    PiiKind.EMAIL: "an e-mail address",
    PiiKind.CARD: "a payment card number",
    PiiKind.SSN: "a US social security number",
    PiiKind.NINO: "a UK national insurance number",
}
# Customers give their own phone and e-mail to book, so by default only data no booking needs is caught.
DEFAULT_KINDS = (PiiKind.CARD, PiiKind.SSN, PiiKind.NINO)


@dataclass(frozen=True)
class Pii(TextRule):
    name: ClassVar[str] = "pii"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.INPUT, Stage.OUTPUT})
    redacts: ClassVar[bool] = True

    kinds: tuple[PiiKind, ...]

    @classmethod
    def from_params(cls, params: Params) -> Pii:
        return cls(kinds=params.choices("kinds", enum=PiiKind, default=DEFAULT_KINDS))

    def check(self, turn: TextTurn) -> list[Hit]:
        return [
            Hit(
                message=f"{'customer sent' if turn.stage is Stage.INPUT else 'reply contains'} "
                f"{DESCRIPTIONS[found.kind]}",
                start=found.start,
                end=found.end,
                replacement=PLACEHOLDERS[found.kind],
            )
            for found in find_pii(turn.text, kinds=self.kinds)
        ]
