"""GraphQL types of delivery: how many replies are in each status, and who carries them out per channel."""

from __future__ import annotations

import strawberry

from backend.conversations.models import DeliveryStatus
from backend.core.enums import Channel, DeliveryProvider


@strawberry.type(description="How many replies are in one delivery status.")
class DeliveryStatusCount:
    status: DeliveryStatus
    count: int


@strawberry.type(description="Who carries replies out on one channel, as this deployment's settings say.")
class DeliveryEndpoint:
    channel: Channel
    provider: DeliveryProvider | None = strawberry.field(
        description="Null: no endpoint and no sandbox — replies on this channel are written FAILED."
    )

    @strawberry.field(
        description="True when the built-in sandbox takes them: no customer receives these replies."
    )
    def sandbox(self) -> bool:
        return self.provider == DeliveryProvider.SANDBOX
