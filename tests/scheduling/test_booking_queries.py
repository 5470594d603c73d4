"""Bookings are listed newest first with filters that combine, show their slot and conversation, and are found
by id."""

from datetime import timedelta

from strawberry.relay import to_base64

from backend.core.scopes import Scope
from backend.scheduling.models import BookingStatus
from tests import backdated
from tests.helpers import graphql

NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename ... on Booking { customerName serviceName } }
}
"""
BOOKINGS = """
query Bookings($filter: BookingFilter) {
  bookings(first: 50, filter: $filter) {
    edges { node { id customerName customerPhone status startsAt endsAt serviceName staffName conversation {
        customer } } }
  }
}
"""


async def test_bookings_filter_and_show_their_slot(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await backdated.conversation("+1555")
    await backdated.booking("Ada", hours=0, conversation=conversation, customer_phone="+1555")
    await backdated.booking(
        "Bo", hours=1, status=BookingStatus.CANCELLED, cancelled_at=backdated.BASE + timedelta(hours=5)
    )
    newest = await backdated.booking("Cy", hours=2)

    async def names(filter):
        body = (await graphql(client, BOOKINGS, key=key, variables={"filter": filter})).json()
        return [edge["node"]["customerName"] for edge in body["data"]["bookings"]["edges"]]

    assert await names(None) == ["Cy", "Bo", "Ada"]
    assert await names({"status": "CONFIRMED"}) == ["Cy", "Ada"]
    assert await names({**backdated.created_window(-1, 1.5), "status": "CONFIRMED"}) == ["Ada"]
    inverted = (
        await graphql(client, BOOKINGS, key=key, variables={"filter": backdated.created_window(2, 1)})
    ).json()
    assert inverted["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    body = (await graphql(client, BOOKINGS, key=key, variables={"filter": {"status": "CONFIRMED"}})).json()
    oldest = body["data"]["bookings"]["edges"][-1]["node"]
    assert oldest["customerPhone"] == "+1555"
    assert (oldest["serviceName"], oldest["staffName"]) == ("haircut", "Ana")
    assert (oldest["startsAt"], oldest["endsAt"]) == (
        "2026-03-08T00:00:00+00:00",
        "2026-03-08T00:30:00+00:00",
    )
    assert oldest["conversation"] == {"customer": "+1555"}
    assert body["data"]["bookings"]["edges"][0]["node"]["conversation"] is None

    node = (
        await graphql(client, NODE, key=key, variables={"id": to_base64("Booking", str(newest.id))})
    ).json()
    assert node["data"]["node"] == {"__typename": "Booking", "customerName": "Cy", "serviceName": "haircut"}
