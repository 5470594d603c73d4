"""Tickets are listed newest first with filters that combine, found by id, and show their conversation."""

from strawberry.relay import to_base64

from backend.core.scopes import Scope
from backend.tickets.models import TicketPriority, TicketStatus
from tests import backdated
from tests.helpers import graphql

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


async def test_tickets_filter_by_status_priority_and_time(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await backdated.conversation("+1555")
    await backdated.ticket("broken box", hours=0, conversation=conversation, priority=TicketPriority.HIGH)
    await backdated.ticket("late parcel", hours=1, status=TicketStatus.RESOLVED, priority=TicketPriority.HIGH)
    newest = await backdated.ticket("wrong size", hours=2)

    async def subjects(filter):
        body = (await graphql(client, TICKETS, key=key, variables={"filter": filter})).json()
        return [edge["node"]["subject"] for edge in body["data"]["tickets"]["edges"]]

    assert await subjects(None) == ["wrong size", "late parcel", "broken box"]
    assert await subjects({"priority": "HIGH"}) == ["late parcel", "broken box"]
    assert await subjects({"priority": "HIGH", "status": "OPEN"}) == ["broken box"]
    assert await subjects({**backdated.created_window(0.5, 3), "status": "OPEN"}) == ["wrong size"]
    inverted = (
        await graphql(client, TICKETS, key=key, variables={"filter": backdated.created_window(2, 2)})
    ).json()
    assert inverted["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    body = (
        await graphql(client, TICKETS, key=key, variables={"filter": {"priority": "HIGH", "status": "OPEN"}})
    ).json()
    assert body["data"]["tickets"]["edges"][0]["node"]["conversation"] == {"customer": "+1555"}
    node = (
        await graphql(client, NODE, key=key, variables={"id": to_base64("Ticket", str(newest.id))})
    ).json()
    assert node["data"]["node"] == {"__typename": "Ticket", "subject": "wrong size", "priority": "NORMAL"}
