"""Bodies over AGENTOPS_MAX_REQUEST_BYTES are refused with 413 and a JSON error before any route parses
them."""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.api.http_edge import HttpEdgeMiddleware
from tests.helpers import row_counts

ROUTES = ["/graphql", "/webhooks/events", "/webhooks/twilio/sms"]


async def _chunks(total: int, size: int = 64 * 1024):
    """A body sent without Content-Length (chunked), as a client streaming an upload would."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.parametrize("path", ROUTES)
async def test_a_declared_oversized_body_is_refused_before_the_route_runs(client, test_settings, path):
    before = await row_counts()
    limit = test_settings.max_request_bytes
    response = await client.post(
        path, content=b"{" + b" " * limit + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maxBytes": limit}
    assert str(limit) in error["message"]
    assert response.headers["X-Request-ID"]
    assert await row_counts() == before


async def test_a_streamed_oversized_graphql_body_is_cut_off_with_413(client, test_settings):
    response = await client.post(
        "/graphql",
        content=_chunks(test_settings.max_request_bytes + 1),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_body_at_the_limit_is_still_served(client, test_settings):
    query = b'{"query": "{ __typename }"}'
    body = query[:-1] + b" " * (test_settings.max_request_bytes - len(query)) + b"}"
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_content_length_that_is_not_a_number_is_a_bad_request(client):
    response = await client.post("/graphql", content=b"{}", headers={"Content-Length": "12abc"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def _echo_length_app(max_bytes: int) -> HttpEdgeMiddleware:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"read": len(await request.body())})

    return HttpEdgeMiddleware(Starlette(routes=[Route("/", echo, methods=["POST"])]), max_bytes=max_bytes)


@pytest.mark.parametrize(("size", "status"), [(4096, 200), (4097, 413), (1_000_000, 413)])
async def test_streamed_chunks_are_counted_whatever_their_size(size, status):
    import httpx

    transport = httpx.ASGITransport(app=_echo_length_app(4096))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post("/", content=_chunks(size, size=1000))
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"read": size}
    else:
        assert response.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maxBytes": 4096}
