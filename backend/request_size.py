"""A cap on request bodies, enforced before any route parses them: 413 with a JSON error, never a 5xx.

The declared Content-Length is checked first, so an honest large upload is refused without reading a byte;
a body sent without one (chunked) is counted as it streams and cut off at the cap. Either way the route
never sees more than the cap, whatever it would have done with the body.
"""

from __future__ import annotations

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


class RequestSizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self, status: int, message: str, code: str) -> JSONResponse:
        # The GraphQL error shape, so clients handle it like every other refusal of the API.
        return JSONResponse(
            {"errors": [{"message": message, "extensions": {"code": code, "maxBytes": self.max_bytes}}]},
            status_code=status,
        )

    def _too_large(self) -> JSONResponse:
        return self._refusal(413, f"The request body is larger than {self.max_bytes} bytes.", PAYLOAD_TOO_LARGE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared == -1:
            await self._refusal(400, "Content-Length must be a number of bytes.", "BAD_REQUEST")(scope, receive, send)
            return
        if declared is not None and declared > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return

        received, exceeded, answered = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # To the route the client has gone: it stops reading and never sees the excess.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if exceeded:
                return  # whatever the route makes of a cut-off body is replaced by the 413 below
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except ClientDisconnect:
            if not exceeded:
                raise
            # The route stopped reading at the cut-off: that is the 413 below, not a fault.
        if exceeded and not answered:
            await self._too_large()(scope, receive, send)
