"""The /graphql endpoint: builds each request's context and authenticates HTTP and websocket callers."""

from __future__ import annotations

from contextlib import aclosing, suppress
from typing import Any

import asyncpg
import structlog
from asgi_correlation_id import correlation_id
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import CompleteMessage
from strawberry.types import ExecutionResult
from tortoise.exceptions import BaseORMException

from backend.api.context import RequestContext
from backend.api.graphiql import graphiql_page
from backend.api.services import AppServices
from backend.auth.keys import bearer_token
from backend.graphql.errors import add_error_code
from backend.graphql.shared_streams import SharedStreams, stream_key

log = structlog.get_logger(__name__)

INVALID_KEY = "The API key is invalid or has been revoked."


class SharedSubscriptionHandler(BaseGraphQLTransportWSHandler[RequestContext, Any]):
    """graphql-transport-ws, with identical subscriptions executed once per process (see shared_streams)."""

    async def run_operation(self, operation: Operation[RequestContext, Any]) -> None:
        caller = self.context.caller
        key = stream_key(
            query=operation.query,
            variables=operation.variables,
            operation_name=operation.operation_name,
            scopes=caller.scopes if caller else None,
        )

        async def open_source() -> Any:
            return await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )

        streams: SharedStreams = self.context.services.shared_streams
        try:
            results = streams.results(key, query=operation.query, open_source=open_source)
            async with aclosing(results):
                await self._send_result_stream(operation, results)
            await operation.send_operation_message(CompleteMessage(id=operation.id, type="complete"))
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise


class AgentOpsGraphQL(GraphQL):
    graphql_transport_ws_handler_class = SharedSubscriptionHandler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    @property
    def graphql_ide_html(self) -> str:
        # Ours: example operations in tabs, and the key read from the URL fragment (never from the query
        # string).
        return graphiql_page()

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # Here rather than in an extension: a document refused while parsing never reaches the extensions'
        # end.
        for error in result.errors or []:
            add_error_code(error)
        return await super().process_result(request, result)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        services: AppServices = request.app.state.services
        context = RequestContext(
            request=request,
            response=response,
            request_id=correlation_id.get() or "-",
            services=services,
        )
        token = bearer_token(request.headers.get("authorization"))
        if token:
            await self._authenticate(context, token)
        return context

    async def on_ws_connect(self, context: RequestContext) -> Any:
        # Browsers cannot set headers on a websocket: the key may come in the connection_init payload.
        params = context.connection_params or {}
        raw = params.get("Authorization") or params.get("authorization")
        token = bearer_token(raw) if isinstance(raw, str) else None
        if token:
            await self._authenticate(context, token)
            if context.caller is None:
                raise ConnectionRejectionError({"message": INVALID_KEY})
        return await super().on_ws_connect(context)

    @staticmethod
    async def _authenticate(context: RequestContext, token: str) -> None:
        try:
            context.caller = await context.services.authenticator.authenticate(token=token)
        except (BaseORMException, OSError, asyncpg.PostgresError) as error:
            # Outside GraphQL execution nothing masks errors: answer 503 with the request id, log the cause.
            log.error(
                "auth.lookup_failed", request_id=context.request_id, error=f"{type(error).__name__}: {error}"
            )
            raise HTTPException(
                503, f"Service temporarily unavailable (request id {context.request_id})."
            ) from None
        context.auth_problem = INVALID_KEY if context.caller is None else None
