"""Tickets are listed newest first with filters that combine, found by id, and show their conversation."""

from datetime import UTC, datetime, timedelta

from strawberry.relay import to_base64

from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.tickets.models import Ticket, TicketPriority, TicketStatus
from tests.helpers import graphql

BASE = datetime(2026, 3, 1, tzinfo=UTC)

TICKETS = """
query Tickets($filter: TicketFilter) {
  tickets(first: 50, filter: $filter) { edges { node { id subject status priority conversation { customer } }
      } }
}
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename ... on Ticket { subject priority } }
}
"""


async def _conversation(customer: str) -> Conversation:
    return await Conversation.create(
        channel=Channel.SMS, thread_key=customer, customer=customer, last_message_at=BASE
    )


async def _ticket(subject: str, *, hours: int, conversation: Conversation | None = None, **fields) -> Ticket:
    ticket = await Ticket.create(
        subject=subject,
        description=f"about {subject}",
        conversation=conversation,
        idempotency_key=subject,
        **fields,
    )
    await Ticket.filter(id=ticket.id).update(created_at=BASE + timedelta(hours=hours))
    return ticket


def _window(start_hours: float, end_hours: float) -> dict:
    return {
        "createdAfter": (BASE + timedelta(hours=start_hours)).isoformat(),
        "createdBefore": (BASE + timedelta(hours=end_hours)).isoformat(),
    }


async def test_tickets_filter_by_status_priority_and_time(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await _conversation("+1555")
    await _ticket("broken box", hours=0, conversation=conversation, priority=TicketPriority.HIGH)
    await _ticket("late parcel", hours=1, status=TicketStatus.RESOLVED, priority=TicketPriority.HIGH)
    newest = await _ticket("wrong size", hours=2)

    async def subjects(filter):
        body = (await graphql(client, TICKETS, key=key, variables={"filter": filter})).json()
        return [edge["node"]["subject"] for edge in body["data"]["tickets"]["edges"]]

    assert await subjects(None) == ["wrong size", "late parcel", "broken box"]
    assert await subjects({"priority": "HIGH"}) == ["late parcel", "broken box"]
    assert await subjects({"priority": "HIGH", "status": "OPEN"}) == ["broken box"]
    assert await subjects({**_window(0.5, 3), "status": "OPEN"}) == ["wrong size"]
    inverted = (await graphql(client, TICKETS, key=key, variables={"filter": _window(2, 2)})).json()
    assert inverted["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    body = (
        await graphql(client, TICKETS, key=key, variables={"filter": {"priority": "HIGH", "status": "OPEN"}})
    ).json()
    assert body["data"]["tickets"]["edges"][0]["node"]["conversation"] == {"customer": "+1555"}
    node = (
        await graphql(client, NODE, key=key, variables={"id": to_base64("Ticket", str(newest.id))})
    ).json()
    assert node["data"]["node"] == {"__typename": "Ticket", "subject": "wrong size", "priority": "NORMAL"}
