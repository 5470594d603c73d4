"""Expected errors reach the client as they are; anything else is masked behind a request id."""

from __future__ import annotations

from typing import Any

import structlog
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.relay import GlobalIDValueError

from backend.db.keyset import InvalidCursor

log = structlog.get_logger(__name__)


class PublicError(GraphQLError):
    """An error whose message is meant for the client, with a machine-readable code."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"


class Forbidden(PublicError):
    code = "FORBIDDEN"


class BadUserInput(PublicError):
    code = "BAD_USER_INPUT"


# Raised by libraries for bad client input: their message is safe to show.
_CLIENT_INPUT_ERRORS = (GlobalIDValueError, InvalidCursor)


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False  # syntax, validation, limits, permissions: the client's doing, explained in the message
    return not isinstance(original, _CLIENT_INPUT_ERRORS)


def _library_error_code(error: GraphQLError) -> str | None:
    """The code for an error raised outside our resolvers, or None when it is ours (or masked)."""
    if isinstance(error.original_error, _CLIENT_INPUT_ERRORS):
        return BadUserInput.code
    if error.path or not isinstance(error.original_error, (GraphQLError, type(None))):
        return None
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return BadUserInput.code  # a variable of the wrong type or shape
    return (
        "GRAPHQL_VALIDATION_FAILED"  # unknown fields, wrong literal types, limits on depth, aliases, tokens
    )


def add_error_code(error: GraphQLError) -> None:
    """Give an error raised outside our resolvers a code, so every error a client sees has one."""
    code = _library_error_code(error)
    if code and not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}


class MaskUnexpectedErrors(MaskErrors):
    """Logs an unexpected error with its traceback and request id; the client sees only the id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", None)
        original = error.original_error
        log.error(
            "graphql.unexpected_error",
            request_id=request_id,
            path=list(error.path or []),
            operation=self.execution_context.operation_name,
            exc_info=(type(original), original, original.__traceback__) if original else None,
        )
        return GraphQLError(
            message=f"Internal server error (request id {request_id}).",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )

    def _process_result(self, result: object) -> None:
        # Strawberry's own checks isinstance(result, <runtime Protocol>), which inspects the class on every
        # request (~2% of the API's CPU on a small request); the attribute is all that matters.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def on_operation(self):  # type: ignore[override]
        yield from super().on_operation()
        # Input errors from libraries keep their message but get a code, like our own.
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            if isinstance(error.original_error, _CLIENT_INPUT_ERRORS) and error.extensions is not None:
                error.extensions.setdefault("code", BadUserInput.code)
