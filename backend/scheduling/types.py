"""GraphQL types of scheduling: bookings, with the slot (service, staff, time) each one holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node, presents
from backend.graphql.permissions import require_scope
from backend.scheduling.models import Booking, BookingStatus, Slot

if TYPE_CHECKING:
    from backend.conversations.types import ConversationNode

strawberry.enum(BookingStatus, description="CONFIRMED: the slot is held; CANCELLED: it is free again.")


@presents(Booking)
@strawberry.type(
    name="Booking", description="A customer's appointment: one slot of one service with one member of staff."
)
class BookingNode(relay.Node):
    id: relay.NodeID[str]
    status: BookingStatus
    customer_name: str
    customer_phone: str | None
    created_at: datetime
    cancelled_at: datetime | None
    slot_id: strawberry.Private[object]
    conversation_id: strawberry.Private[object | None]

    async def _slot(self, info: Info) -> Slot:
        # Bookings cascade with their slot, so a booking always has one.
        return await info.context.loaders.slot_by_id.load(self.slot_id)

    @strawberry.field
    async def starts_at(self, info: Info) -> datetime:
        return (await self._slot(info)).starts_at

    @strawberry.field
    async def ends_at(self, info: Info) -> datetime:
        return (await self._slot(info)).ends_at

    @strawberry.field(description="The service booked, by name.")
    async def service_name(self, info: Info) -> str:
        return (await self._slot(info)).service.name

    @strawberry.field(description="Who delivers it, by name.")
    async def staff_name(self, info: Info) -> str:
        return (await self._slot(info)).resource.name

    @strawberry.field(description="The conversation it was booked in (null when booked elsewhere).")
    async def conversation(
        self, info: Info
    ) -> Annotated[ConversationNode, strawberry.lazy("backend.conversations.types")] | None:
        if self.conversation_id is None:
            return None
        row = await info.context.loaders.conversation_by_id.load(self.conversation_id)
        return as_node(row)

    @classmethod
    def from_model(cls, booking: Booking) -> BookingNode:
        return cls(
            id=str(booking.id),
            status=booking.status,
            customer_name=booking.customer_name,
            customer_phone=booking.customer_phone,
            created_at=booking.created_at,
            cancelled_at=booking.cancelled_at,
            slot_id=booking.slot_id,  # type: ignore[attr-defined]
            conversation_id=booking.conversation_id,  # type: ignore[attr-defined]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        loader = info.context.loaders.booking_by_id
        bookings = await loader.load_many([parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(booking) if booking else None for booking in bookings]
