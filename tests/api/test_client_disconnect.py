"""A client hanging up mid-body ends the request quietly: no exception escapes to uvicorn (no traceback
logged)."""


async def test_a_client_that_hangs_up_mid_body_is_not_an_application_error(app):
    messages = iter(
        [
            {"type": "http.request", "body": b'{"query": "{ __typ', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)  # raised starlette.requests.ClientDisconnect before
    assert not any(message["type"] == "http.response.start" and message["status"] >= 500 for message in sent)
