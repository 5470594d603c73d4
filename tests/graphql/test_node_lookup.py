"""node(id:) answers for every Node type: the object, null when it is gone, and the key's scope is checked."""

import base64
import uuid

import pytest

from backend.core.scopes import Scope
from backend.incidents.models import Incident
from tests.fuzz.scalars import NODE_TYPES
from tests.helpers import graphql

NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"


def _global_id(type_name: str, local_id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{local_id}".encode()).decode()


@pytest.mark.parametrize("type_name", NODE_TYPES)
async def test_a_missing_object_of_any_node_type_is_null(client, make_key, type_name):
    key = await make_key(Scope.ADMIN)  # ApiKey nodes need admin, every other type read
    body = (
        await graphql(client, NODE, key=key, variables={"id": _global_id(type_name, uuid.uuid4())})
    ).json()
    assert body == {"data": {"node": None}}


@pytest.mark.parametrize("type_name", NODE_TYPES)
async def test_node_needs_a_key_for_every_type(client, type_name):
    body = (await graphql(client, NODE, variables={"id": _global_id(type_name, uuid.uuid4())})).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_incident_is_found_by_its_global_id(client, make_key):
    incident = await Incident.create(
        slo="turn-success", severity="page", summary="burning", peak_burn_rate=14.4
    )
    key = await make_key(Scope.READ)
    global_id = _global_id("Incident", incident.id)
    body = (await graphql(client, NODE, key=key, variables={"id": global_id})).json()
    assert body == {"data": {"node": {"__typename": "Incident", "id": global_id}}}
