"""One conversation in detail: its header, messages (with who delivered each reply), bookings and tickets, as
display strings."""

from __future__ import annotations

from typing import Any

from frontend.views.formatting import clock_time, synthetic_flag
from frontend.views.quality import SCORE_FIELDS
from frontend.views.runs import RUN_FIELDS

MESSAGE_FIELDS = """
  id sequence direction author text createdAt deliveryStatus deliveryAttempts deliveredAt deliveryError
  deliveryProvider sandbox providerMessageId
"""
# Who took a reply, as the thread says it (SANDBOX: recorded by the built-in sandbox, no customer received
# it).
PROVIDER_WORDS = {"SANDBOX": "the sandbox", "TWILIO": "the SMS provider", "WEBHOOK": "the receiver"}
CONVERSATION_DETAIL = f"""
query ConversationDetail($id: ID!, $messages: Int!, $after: String, $runs: Int!) {{
  conversation(id: $id) {{
    id channel customer status messageCount createdAt lastMessageAt handedOffAt handoffReason synthetic
    messages(first: $messages, after: $after) {{
      edges {{ cursor node {{ {MESSAGE_FIELDS} }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
    runs(first: $runs) {{ {RUN_FIELDS} }}
    bookings {{ id status serviceName staffName startsAt endsAt customerName }}
    tickets {{ id subject priority status createdAt }}
    violations {{ id stage rule severity action message excerpt createdAt }}
    scores {{ {SCORE_FIELDS} run {{ id }} }}
  }}
}}
"""


def header(conversation: dict[str, Any]) -> dict[str, str]:
    return {
        "id": conversation["id"],
        "channel": conversation["channel"],
        "customer": conversation["customer"],
        "status": conversation["status"],
        "messages": str(conversation["messageCount"]),
        "started": clock_time(conversation["createdAt"]),
        "last_activity": clock_time(conversation["lastMessageAt"]),
        "handed_off": clock_time(conversation.get("handedOffAt")),
        "handoff_reason": conversation.get("handoffReason") or "",
        "synthetic": synthetic_flag(conversation.get("synthetic")),
    }


def message_row(message: dict[str, Any]) -> dict[str, str]:
    delivery = message.get("deliveryStatus") or ""
    provider = PROVIDER_WORDS.get(message.get("deliveryProvider") or "", "the provider")
    if delivery == "SENT" and message.get("sandbox"):
        delivery_note = (
            f"taken by the sandbox {clock_time(message.get('deliveredAt'))[11:]} as "
            f"{message.get('providerMessageId') or '?'}: no customer received it"
        )
    elif delivery == "SENT":
        delivery_note = f"sent {clock_time(message.get('deliveredAt'))[11:]} via {provider}"
    elif delivery == "FAILED":
        delivery_note = (
            f"failed after {message['deliveryAttempts']} attempt(s): {message.get('deliveryError') or ''}"
        )
    elif delivery == "QUEUED":
        delivery_note = "queued" + (
            f" (retrying: {message['deliveryError']})" if message.get("deliveryError") else ""
        )
    elif delivery == "SENDING":
        delivery_note = f"attempt {message['deliveryAttempts']} with {provider}"
    elif delivery == "UNCERTAIN":
        delivery_note = (
            "may or may not have arrived — check it in Replies to check: "
            f"{message.get('deliveryError') or ''}"
        )
    else:
        delivery_note = ""
    return {
        "id": message["id"],
        "sequence": str(message["sequence"]),
        "direction": message["direction"],
        "author": message["author"],
        "text": message["text"],
        "time": clock_time(message["createdAt"]),
        "delivery": delivery,
        "delivery_note": delivery_note,
        "sandbox": "sandbox" if message.get("sandbox") else "",
    }


def booking_row(booking: dict[str, Any]) -> dict[str, str]:
    return {
        "status": booking["status"],
        "what": f"{booking['serviceName']} with {booking['staffName']}",
        "when": f"{clock_time(booking['startsAt'])} – {clock_time(booking['endsAt'])[11:16]}",
        "customer": booking["customerName"],
    }


def ticket_row(ticket: dict[str, Any]) -> dict[str, str]:
    return {
        "subject": ticket["subject"],
        "priority": ticket["priority"],
        "status": ticket["status"],
        "time": clock_time(ticket["createdAt"]),
    }
