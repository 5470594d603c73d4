"""The chaos bench's loopback provider, as its own process: replies go out to it and it counts, per message
id, what it received and what reached the customer.

It behaves like the real ones: the Twilio-shaped SMS API delivers every POST (Twilio does not deduplicate) and
lists what it sent (GET Messages.json, To/From filters, newest first); the chat and voice hooks honour our
Idempotency-Key (a key seen before is answered again, never delivered twice). Each send is accepted first and
answered after `--latency-ms`, so a worker SIGKILLed meanwhile dies between the provider's acceptance and its
own SENT.

    python bench/chaos_provider.py --port 8765 --latency-ms 300
    GET /stats  → {"received": {message id: POSTs}, "delivered": {message id: deliveries}, "lookups": n}
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class Provider:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.received: Counter = Counter()
        self.delivered: Counter = Counter()
        self.answers: dict[str, dict] = {}
        self.sms_by_recipient: defaultdict[str, list[dict]] = defaultdict(list)
        self.lookups = 0

    async def sms(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))
        key = request.headers.get("i-twilio-idempotency-token") or f"unkeyed-{len(self.received)}"
        self.received[key] += 1
        self.delivered[key] += 1  # every POST is a message to the customer's phone
        sid = f"SM{sum(self.delivered.values()):032d}"
        self.sms_by_recipient[form["To"]].append(
            {
                "sid": sid,
                "to": form["To"],
                "from": form["From"],
                "body": form["Body"],
                "status": "queued",
                "date_created": format_datetime(datetime.now(UTC), usegmt=True),
            }
        )
        await asyncio.sleep(self.latency)  # accepted; the answer is on its way
        return JSONResponse({"sid": sid}, status_code=201)

    async def sms_list(self, request: Request) -> JSONResponse:
        self.lookups += 1
        sender = request.query_params.get("From")
        listed = [
            item
            for item in reversed(self.sms_by_recipient.get(request.query_params.get("To", ""), []))
            if sender is None or item["from"] == sender
        ]
        return JSONResponse({"messages": listed, "next_page_uri": None})

    async def hook(self, request: Request) -> JSONResponse:
        await request.body()
        key = request.headers.get("idempotency-key") or f"unkeyed-{len(self.received)}"
        self.received[key] += 1
        if key in self.answers:  # a repeat of a key already delivered: answered, not delivered again
            return JSONResponse(self.answers[key], status_code=200)
        self.delivered[key] += 1
        self.answers[key] = {"id": f"provider-{key}"}
        await asyncio.sleep(self.latency)
        return JSONResponse(self.answers[key], status_code=201)

    async def stats(self, request: Request) -> JSONResponse:
        return JSONResponse({"received": self.received, "delivered": self.delivered, "lookups": self.lookups})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2010-04-01/Accounts/{sid}/Messages.json", self.sms, methods=["POST"]),
                Route("/2010-04-01/Accounts/{sid}/Messages.json", self.sms_list, methods=["GET"]),
                Route("/hooks/{channel}", self.hook, methods=["POST"]),
                Route("/stats", self.stats, methods=["GET"]),
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=300)
    options = parser.parse_args()
    uvicorn.run(
        Provider(options.latency_ms / 1000).app(),
        host="127.0.0.1",
        port=options.port,
        log_level="warning",
        lifespan="off",
    )


if __name__ == "__main__":
    main()
