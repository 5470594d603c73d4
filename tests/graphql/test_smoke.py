"""The API answers the simplest query, and GraphiQL is served to browsers."""

from tests.helpers import graphql


async def test_typename_answers_without_a_key(client):
    response = await graphql(client, "{ __typename }")
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_is_served_to_a_browser(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_queries_work_over_get(client):
    response = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_every_response_carries_a_request_id(client):
    response = await graphql(client, "{ __typename }")
    assert len(response.headers["X-Request-ID"]) == 32
