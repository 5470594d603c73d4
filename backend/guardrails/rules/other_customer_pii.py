"""A reply that shows contact details other than the customer's own: another customer's data leaking out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.guardrails.enums import PiiKind, Stage
from backend.guardrails.params import Params
from backend.guardrails.pii_detection import PLACEHOLDERS, PiiMatch, find_pii, same_phone
from backend.guardrails.rules.base import Hit, TextRule, TextTurn

KIND_NAMES = {
    PiiKind.PHONE: "a phone number",
    PiiKind.EMAIL: "an e-mail address",
    PiiKind.CARD: "a card number",
}


@dataclass(frozen=True)
class OtherCustomerPii(TextRule):
    name: ClassVar[str] = "other_customer_pii"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.OUTPUT})
    redacts: ClassVar[bool] = True

    kinds: tuple[PiiKind, ...]
    # The business's own published contacts (front desk phone, bookings e-mail) may always be given out.
    allowed_contacts: tuple[str, ...]

    @classmethod
    def from_params(cls, params: Params) -> OtherCustomerPii:
        kinds = params.choices("kinds", enum=PiiKind, default=(PiiKind.PHONE, PiiKind.EMAIL, PiiKind.CARD))
        return cls(kinds=kinds, allowed_contacts=params.strings("allowed_contacts"))

    def check(self, turn: TextTurn) -> list[Hit]:
        own = (turn.customer, *self.allowed_contacts) if turn.customer else self.allowed_contacts
        return [
            Hit(
                message=f"reply contains {KIND_NAMES.get(found.kind, f'a {found.kind.value} number')} "
                "that is not the customer's own",
                start=found.start,
                end=found.end,
                replacement=PLACEHOLDERS[found.kind],
            )
            for found in find_pii(turn.text, kinds=self.kinds)
            if not any(_belongs(found, contact) for contact in own)
        ]


def _belongs(found: PiiMatch, contact: str) -> bool:
    if found.kind is PiiKind.PHONE:
        return same_phone(found.value, contact)
    if found.kind is PiiKind.EMAIL:
        return found.value == contact.strip().lower()
    # A card number is never an identifier we hold for a customer, so no card in a reply is theirs to show.
    return False
