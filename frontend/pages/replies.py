"""Replies to check: replies whose delivery needs a person (UNCERTAIN first), and a resend that says its risk.

An UNCERTAIN reply is one an attempt may or may not have delivered (its worker died, the answer never came)
and nothing could tell: resending it may give the customer the message twice, so the button asks first.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.components.badges import DELIVERY_COLORS, sandbox_badge, status_badge
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.state.delivery import DeliveryBadgeState

STATUSES = ["UNCERTAIN", "FAILED", "SENDING", "QUEUED"]
REPLIES = """
query Replies($filter: ReplyFilter) {
  replies(first: 50, filter: $filter) {
    edges { node { id text createdAt deliveryStatus deliveryAttempts deliveryError deliveryResentBy sandbox
                   conversation { id channel customer } } }
  }
}
"""
RESEND = """
mutation Resend($input: ResendReplyInput!) {
  resendReply(input: $input) {
    __typename
    ... on ResendReplyPayload { resent reply { deliveryStatus } }
    ... on NotFoundError { message }
    ... on ValidationError { message }
  }
}
"""
DUPLICATE_RISK = (
    "An earlier attempt may already have reached the customer: resending can deliver this reply "
    "twice. If you can, check the provider's console or ask the customer first."
)


def _reply(node: dict[str, Any]) -> dict[str, str]:
    conversation = node.get("conversation") or {}
    return {
        "id": node["id"],
        "text": node["text"][:200],
        "created": node["createdAt"][:19].replace("T", " "),
        "status": node["deliveryStatus"] or "",
        "attempts": str(node["deliveryAttempts"]),
        "error": node.get("deliveryError") or "",
        "resent_by": node.get("deliveryResentBy") or "",
        "conversation_id": conversation.get("id", ""),
        "channel": conversation.get("channel", ""),
        "customer": conversation.get("customer", ""),
        "sandbox": "sandbox" if node.get("sandbox") else "",
    }


class RepliesState(rx.State):
    replies: list[dict[str, str]] = []
    status: str = "UNCERTAIN"
    message: str = ""
    error: str = ""

    @rx.event
    async def load(self):
        """Read the replies in the chosen delivery status, newest first."""
        data = await call_or_report(self, REPLIES, {"filter": {"deliveryStatus": self.status}})
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.replies = [_reply(edge["node"]) for edge in data["replies"]["edges"]]
        return None

    @rx.event
    async def choose_status(self, status: str):
        self.status = status
        self.message = ""
        return await self.load()

    @rx.event
    async def resend(self, reply_id: str):
        """Operators, after the warning: queue the reply again, accepting that it may arrive twice."""
        data = await call_or_report(
            self, RESEND, {"input": {"messageId": reply_id, "acceptDuplicateRisk": True}}, report="message"
        )
        if isinstance(data, Refused):
            return data.answer
        result = data["resendReply"]
        if result["__typename"] != "ResendReplyPayload":
            self.message = result["message"]
            return None
        self.message = (
            "Queued again: a worker is sending it."
            if result["resent"]
            else "It was no longer UNCERTAIN or FAILED; nothing was sent."
        )
        await self.load()
        return DeliveryBadgeState.load


def _resend_button(reply: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Resend…", size="1", color_scheme="amber", variant="soft", class_name="resend-reply")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Resend this reply?"),
            rx.alert_dialog.description(DUPLICATE_RISK, id="resend-risk"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Resend anyway",
                        color_scheme="red",
                        id="confirm-resend",
                        on_click=RepliesState.resend(reply["id"]),
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def _row(reply: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(reply["created"], size="1")),
        rx.table.cell(rx.badge(reply["channel"], variant="outline")),
        rx.table.cell(
            rx.link(reply["customer"], href="/conversations/" + reply["conversation_id"], size="2")
        ),
        rx.table.cell(rx.text(reply["text"], size="2")),
        rx.table.cell(
            status_badge(reply["status"], DELIVERY_COLORS, class_name="delivery-status"),
            sandbox_badge(reply["sandbox"]),
            rx.text(reply["attempts"], " attempt(s)", size="1", color_scheme="gray"),
            rx.cond(reply["resent_by"] != "", rx.text("resent by ", reply["resent_by"], size="1")),
        ),
        rx.table.cell(rx.text(reply["error"], size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                AuthState.can_operate & ((reply["status"] == "UNCERTAIN") | (reply["status"] == "FAILED")),
                _resend_button(reply),
            )
        ),
        class_name="reply-row",
        data_reply_id=reply["id"],
    )


def replies_page() -> rx.Component:
    return page_frame(
        "Replies to check",
        rx.text(
            "UNCERTAIN: an attempt did not finish and nothing could tell whether the customer got the reply. "
            "Nothing resends it by itself; see infra/runbook.md.",
            size="2",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.text("Delivery", size="2"),
            rx.select(
                STATUSES, value=RepliesState.status, on_change=RepliesState.choose_status, id="replies-status"
            ),
            rx.button(rx.icon("refresh-cw", size=14), "Refresh", variant="soft", on_click=RepliesState.load),
            rx.text(RepliesState.message, size="2", color_scheme="gray", id="replies-message"),
            align="center",
        ),
        error_callout(RepliesState.error),
        rx.card(
            data_table(
                (
                    "Created (UTC)",
                    "Channel",
                    "Customer",
                    "Reply",
                    "Delivery",
                    "Last error",
                    "",
                ),
                RepliesState.replies,
                _row,
                body_id="reply-list",
                empty="No replies in this state.",
            ),
            width="100%",
        ),
    )
