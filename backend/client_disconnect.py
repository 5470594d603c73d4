"""A client that hangs up mid-request is routine (a closed tab, a timed-out adapter), not a server error.

Starlette raises ClientDisconnect when the body stops arriving; uncaught, uvicorn logs it as "Exception in ASGI
application" with a traceback, which buries real failures. Here it becomes one info line, and no response is
attempted: there is nobody left to answer.
"""

from __future__ import annotations

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

log = structlog.get_logger(__name__)


class ClientDisconnectMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            log.debug("http.client_disconnected", method=scope.get("method"), path=scope.get("path"))
