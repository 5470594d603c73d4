"""A loopback stand-in for the providers replies go out to: a Twilio-shaped SMS REST API and chat/voice hooks.

It records every request and can be told to fail the next N sends to a recipient, like a provider outage. Like
the real ones: the SMS API creates a message per POST (no deduplication) and lists them (GET Messages.json, To
and From filters, newest first); the chat/voice hooks honour our Idempotency-Key — a key seen before is
answered again without delivering twice. A test can also hold the answer to a recipient's send after accepting
it (to kill the sender between the provider's acceptance and its own record), and switch the Messages list off
for a recipient (a provider that cannot be asked).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class FakeProvider:
    sent: list[dict] = field(
        default_factory=list
    )  # what was delivered to a customer (answered 2xx, not a repeat)
    attempts: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))  # per recipient
    received: Counter = field(
        default_factory=Counter
    )  # POSTs per message id (our id in the request's headers)
    fail_next: dict[str, int] = field(default_factory=dict)  # recipient → sends left to fail with 500
    notifications: list[dict] = field(default_factory=list)  # incident notifications: target, body, headers
    hold_answer_to: set[str] = field(default_factory=set)  # recipients whose accepted send is never answered
    no_lookup_for: set[str] = field(default_factory=set)  # recipients the Messages list answers 404 for
    lookups: int = 0
    accepted_and_held: asyncio.Event = field(default_factory=asyncio.Event)
    _answers: dict[str, dict] = field(default_factory=dict)  # idempotency key → the first answer's body
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> Starlette:
        async def sms(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode()))
            record = {"channel": "SMS", **form, "sid_account": request.path_params["sid"]}
            return await self._answer(
                form["To"],
                record,
                message_id=request.headers.get("i-twilio-idempotency-token"),
                deduplicate=False,
            )

        async def sms_list(request: Request) -> JSONResponse:
            self.lookups += 1
            to, sender = request.query_params.get("To"), request.query_params.get("From")
            if to in self.no_lookup_for:
                return JSONResponse({"message": "The requested resource was not found"}, status_code=404)
            listed = [
                record
                for record in reversed(self.sent)
                if record["channel"] == "SMS"
                and (to is None or record["To"] == to)
                and (sender is None or record["From"] == sender)
            ]
            return JSONResponse(
                {
                    "messages": [
                        {
                            "sid": record["sid"],
                            "to": record["To"],
                            "from": record["From"],
                            "body": record["Body"],
                            "date_created": record["date_created"],
                            "status": "delivered",
                        }
                        for record in listed
                    ],
                    "next_page_uri": None,
                }
            )

        async def hook(request: Request) -> JSONResponse:
            body = await request.json()
            record = {
                "channel": request.path_params["channel"].upper(),
                **body,
                "signature": request.headers.get("x-agentops-signature"),
            }
            return await self._answer(
                body["to"], record, message_id=request.headers.get("idempotency-key"), deduplicate=True
            )

        async def notify(request: Request) -> JSONResponse:
            self.notifications.append(
                {
                    "target": request.path_params["target"],
                    "raw": await request.body(),
                    "body": await request.json(),
                    "headers": dict(request.headers),
                }
            )
            return JSONResponse({"status": "success", "dedup_key": "accepted"}, status_code=202)

        return Starlette(
            routes=[
                Route("/notify/{target}", notify, methods=["POST"]),
                Route("/2010-04-01/Accounts/{sid}/Messages.json", sms, methods=["POST"]),
                Route("/2010-04-01/Accounts/{sid}/Messages.json", sms_list, methods=["GET"]),
                Route("/hooks/{channel}", hook, methods=["POST"]),
            ]
        )

    async def _answer(
        self, recipient: str, record: dict, *, message_id: str | None, deduplicate: bool
    ) -> JSONResponse:
        self.attempts[recipient] += 1
        if message_id:
            self.received[message_id] += 1
        if self.fail_next.get(recipient, 0) > 0:
            self.fail_next[recipient] -= 1
            return JSONResponse({"message": "upstream unavailable"}, status_code=500)
        if deduplicate and message_id in self._answers:
            return JSONResponse(
                self._answers[message_id], status_code=200
            )  # a repeat: answered, not delivered
        number = len(self.sent) + 1
        answer = {"sid": f"SM{number:032d}", "id": f"provider-{number}"}
        self.sent.append(
            {
                **record,
                "sid": answer["sid"],
                "message_id": message_id,
                "date_created": format_datetime(datetime.now(UTC), usegmt=True),
            }
        )
        if deduplicate and message_id:
            self._answers[message_id] = answer
        if recipient in self.hold_answer_to:
            self.accepted_and_held.set()
            await self._release.wait()  # the sender sees no answer: it is killed, or times out
        return JSONResponse(answer, status_code=201)

    def release_held(self) -> None:
        self._release.set()

    def sent_to(self, recipient: str) -> list[dict]:
        return [record for record in self.sent if record.get("To", record.get("to")) == recipient]


@contextlib.asynccontextmanager
async def serve(app: Starlette, port: int):
    """Serve an ASGI app on 127.0.0.1:port inside the running event loop."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
