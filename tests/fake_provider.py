"""A loopback stand-in for the providers replies go out to: a Twilio-shaped SMS REST API and chat/voice hooks.

It records every request and can be told to fail the next N sends to a recipient, like a provider outage.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class FakeProvider:
    sent: list[dict] = field(default_factory=list)  # what was accepted (answered 2xx)
    attempts: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))  # per recipient
    fail_next: dict[str, int] = field(default_factory=dict)  # recipient → sends left to fail with 500
    notifications: list[dict] = field(default_factory=list)  # incident notifications: target, body, headers

    def app(self) -> Starlette:
        async def sms(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            return self._answer(form["To"], {"channel": "SMS", **form, "sid_account": request.path_params["sid"]})

        async def hook(request: Request) -> JSONResponse:
            body = await request.json()
            return self._answer(body["to"], {"channel": request.path_params["channel"].upper(), **body,
                                             "signature": request.headers.get("x-agentops-signature")})

        async def notify(request: Request) -> JSONResponse:
            self.notifications.append({"target": request.path_params["target"], "raw": await request.body(),
                                       "body": await request.json(), "headers": dict(request.headers)})
            return JSONResponse({"status": "success", "dedup_key": "accepted"}, status_code=202)

        return Starlette(routes=[
            Route("/notify/{target}", notify, methods=["POST"]),
            Route("/2010-04-01/Accounts/{sid}/Messages.json", sms, methods=["POST"]),
            Route("/hooks/{channel}", hook, methods=["POST"]),
        ])

    def _answer(self, recipient: str, record: dict) -> JSONResponse:
        self.attempts[recipient] += 1
        if self.fail_next.get(recipient, 0) > 0:
            self.fail_next[recipient] -= 1
            return JSONResponse({"message": "upstream unavailable"}, status_code=500)
        self.sent.append(record)
        return JSONResponse({"sid": f"SM{len(self.sent):032d}", "id": f"provider-{len(self.sent)}"}, status_code=201)

    def sent_to(self, recipient: str) -> list[dict]:
        return [record for record in self.sent if record.get("To", record.get("to")) == recipient]


@contextlib.asynccontextmanager
async def serve(app: Starlette, port: int):
    """Serve an ASGI app on 127.0.0.1:port inside the running event loop."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
