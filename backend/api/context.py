"""What every resolver can reach: the caller, the request's DataLoaders and the process's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from backend.api.loaders import Loaders

if TYPE_CHECKING:
    from backend.api.services import AppServices
    from backend.core.scopes import Caller


@dataclass
class RequestContext:
    request: Request | WebSocket
    response: Response | WebSocket
    request_id: str
    services: AppServices
    caller: Caller | None = None
    # Why a presented key was refused, so the error names the real problem rather than "no key".
    auth_problem: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    # Set by strawberry from the graphql-transport-ws connection_init payload.
    connection_params: dict[str, Any] | None = None

    def fresh_loaders(self) -> Loaders:
        """A new set of DataLoaders (a subscription's event is a request of its own), made here so that
        domains need not import the assembly."""
        return Loaders()

    def set_http_status(self, status_code: int) -> None:
        """Give an HTTP response a status (a no-op on a websocket)."""
        if isinstance(self.response, Response):
            self.response.status_code = status_code
