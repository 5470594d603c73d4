"""The generic JSON webhook for chat and voice-transcript adapters, signed with HMAC-SHA256.

POST /webhooks/events with headers X-AgentOps-Timestamp (Unix seconds) and X-AgentOps-Signature
(`v1=` + hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret). The body is one event, or
{"events": [...]} for a batch, in the same camelCase shape as GraphQL's IngestEventInput.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend.core.signatures import event_signature_problem
from backend.graphql.common_types import ValidationError
from backend.graphql.validation import validate_input
from backend.ingest import service
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.service import IngestContext
from backend.ingest.webhooks.body import BodyProblem, decode_utf8, read_capped_body

log = structlog.get_logger(__name__)


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"message": message, **extra}}, status_code=status)


def _as_json(answer: service.Accepted | service.Throttled | ValidationError) -> dict[str, Any]:
    if isinstance(answer, ValidationError):
        return {"error": {"field": answer.field, "message": answer.message}}
    if isinstance(answer, service.Throttled):
        return {"rateLimited": {"retryAfterSeconds": answer.retry_after_seconds}}
    return {"eventId": str(answer.event_id), "duplicate": answer.duplicate}


async def events_webhook(request: Request) -> JSONResponse:
    ingest: IngestContext = request.app.state.services.ingest  # the API's, set by its lifespan
    secret = ingest.settings.webhook_signing_secret
    if secret is None:
        return _error(503, "The events webhook is not configured (AGENTOPS_WEBHOOK_SIGNING_SECRET).")
    try:
        body = await read_capped_body(request)
        problem = event_signature_problem(
            secret=secret.get_secret_value(),
            timestamp=request.headers.get("x-agentops-timestamp"),
            signature=request.headers.get("x-agentops-signature"),
            body=body,
            tolerance_seconds=ingest.settings.webhook_tolerance_seconds,
        )
        if problem:
            log.warning("webhook.events.refused", reason=problem)
            return _error(401, f"Refused: {problem}.")
        payload = json.loads(decode_utf8(body))
    except BodyProblem as problem:
        return _error(problem.status, str(problem))
    except json.JSONDecodeError as error:
        return _error(400, f"body is not JSON: {error.msg} at {error.pos}")

    batch = isinstance(payload, dict) and "events" in payload
    items = payload["events"] if batch else [payload]
    maximum = ingest.settings.ingest_max_batch
    if not isinstance(items, list) or not 1 <= len(items) <= maximum:
        return _error(422, f"'events' must be a list of 1 to {maximum} events.", field="events")
    limits = IngestLimits.from_settings(ingest.settings)
    checked = [
        validate_input(IncomingEvent, item, context={"limits": limits})
        if isinstance(item, dict)
        else ValidationError(field="event", message="must be a JSON object")
        for item in items
    ]
    answers = await service.accept_checked(checked=checked, api_key_id=None, context=ingest)
    results = [_as_json(answer) for answer in answers]
    if batch:
        return JSONResponse({"results": results})
    (result,) = results
    status = 422 if "error" in result else 429 if "rateLimited" in result else 200
    headers = {"Retry-After": str(result["rateLimited"]["retryAfterSeconds"])} if status == 429 else None
    return JSONResponse(result, status_code=status, headers=headers)
