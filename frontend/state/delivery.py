"""The navigation's badge: how many replies wait for an operator (UNCERTAIN), read as each page loads."""

from __future__ import annotations

import reflex as rx

from frontend.state.calls import Refused, call_or_report

REPLY_COUNTS = "{ replyDeliveryCounts { status count } }"


class DeliveryBadgeState(rx.State):
    uncertain: int = 0
    error: str = ""

    @rx.event
    async def load(self):
        """Count the UNCERTAIN replies (a failed read leaves the last count and says why on hover)."""
        data = await call_or_report(self, REPLY_COUNTS)
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        counts = {row["status"]: row["count"] for row in data["replyDeliveryCounts"]}
        self.uncertain = counts.get("UNCERTAIN", 0)
        return None
