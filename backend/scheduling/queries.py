"""Queries over bookings."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.time_range import check_range
from backend.scheduling import service as scheduling_service
from backend.scheduling.models import BookingStatus
from backend.scheduling.types import BookingNode


@strawberry.input(description="Narrow the bookings; every field is optional and they combine with AND.")
class BookingFilter:
    status: BookingStatus | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def criteria(self) -> scheduling_service.BookingCriteria:
        check_range(
            self.created_after, self.created_before, start_field="createdAfter", end_field="createdBefore"
        )
        return scheduling_service.BookingCriteria(
            status=self.status, created_after=self.created_after, created_before=self.created_before
        )


@strawberry.type
class SchedulingQueries:
    @strawberry.field(permission_classes=[CanRead], description="Bookings, most recently made first.")
    async def bookings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: BookingFilter | None = None,
    ) -> relay.Connection[BookingNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else scheduling_service.BookingCriteria()
        page = await scheduling_service.page_bookings(criteria=criteria, first=size, after=after)
        return to_connection(page, BookingNode.from_model)
