"""Twilio's SMS webhook: form-encoded, signed with X-Twilio-Signature, answered with TwiML."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl

import structlog
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from backend.core.enums import Channel
from backend.core.signatures import twilio_signature_valid
from backend.graphql.common_types import ValidationError
from backend.graphql.validation import validate_input
from backend.ingest import service
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.service import IngestContext
from backend.ingest.webhooks.body import BodyProblem, decode_utf8, read_capped_body

log = structlog.get_logger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# What we keep of Twilio's parameters: enough to trace a message back, bounded in size.
KEPT_PARAMETERS = ("MessageSid", "AccountSid", "MessagingServiceSid", "To", "NumSegments", "NumMedia")


def _public_url(request: Request, ingest: IngestContext) -> str:
    # Twilio signs the URL it called; behind a proxy that is the public one, not what uvicorn sees.
    base = ingest.settings.public_base_url
    if not base:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return base.rstrip("/") + request.url.path + query


async def twilio_sms_webhook(request: Request) -> Response:
    ingest: IngestContext = request.app.state.services.ingest  # the API's, set by its lifespan
    token = ingest.settings.twilio_auth_token
    if token is None:
        return PlainTextResponse(
            "Twilio webhook is not configured (AGENTOPS_TWILIO_AUTH_TOKEN).", status_code=503
        )
    try:
        params = dict(parse_qsl(decode_utf8(await read_capped_body(request)), keep_blank_values=True))
    except BodyProblem as problem:
        return PlainTextResponse(str(problem), status_code=problem.status)
    if not twilio_signature_valid(
        auth_token=token.get_secret_value(),
        url=_public_url(request, ingest),
        params=params,
        signature=request.headers.get("x-twilio-signature"),
    ):
        log.warning("webhook.twilio.bad_signature", message_sid=params.get("MessageSid"))
        return PlainTextResponse("Invalid X-Twilio-Signature.", status_code=403)

    data = {
        "channel": Channel.SMS,
        # Twilio's retry header is the stable key across its redeliveries; MessageSid otherwise.
        "idempotency_key": request.headers.get("i-twilio-idempotency-token") or params.get("MessageSid", ""),
        "sender": params.get("From", ""),
        "text": params.get("Body", ""),
        "occurred_at": datetime.now(UTC),
        "metadata": {name: params[name] for name in KEPT_PARAMETERS if name in params},
    }
    checked = validate_input(
        IncomingEvent, data, context={"limits": IngestLimits.from_settings(ingest.settings)}
    )
    if isinstance(checked, ValidationError):
        return PlainTextResponse(f"{checked.field}: {checked.message}", status_code=400)
    answer = await service.accept_event(event=checked, api_key_id=None, context=ingest)
    if isinstance(answer, service.Throttled):
        return PlainTextResponse(
            "Rate limited.", status_code=429, headers={"Retry-After": str(answer.retry_after_seconds)}
        )
    # Empty TwiML: the agent's reply goes out later through outbound delivery, not in this response.
    return Response(EMPTY_TWIML, media_type="text/xml")
