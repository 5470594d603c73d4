"""Webhook signatures: Twilio's scheme, and HMAC-SHA256 over timestamp and body for the generic webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

SIGNATURE_VERSION = "v1"


def twilio_signature(*, auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The X-Twilio-Signature Twilio sends: base64 HMAC-SHA1 of the URL followed by the sorted POST params."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    *, auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """Whether the header matches, compared in constant time."""
    if not signature:
        return False
    expected = twilio_signature(auth_token=auth_token, url=url, params=params)
    return hmac.compare_digest(expected.encode(), signature.encode())


def event_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """`v1=<hex>`: HMAC-SHA256 of "<timestamp>." followed by the raw body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def event_signature_problem(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, tolerance_seconds: int
) -> str | None:
    """Why a generic webhook request must be refused, or None when its signature is good and fresh."""
    if not timestamp or not signature:
        return "missing X-AgentOps-Timestamp or X-AgentOps-Signature"
    try:
        sent_at = int(timestamp)
    except ValueError:
        return "X-AgentOps-Timestamp must be Unix seconds"
    # A captured request replayed later is refused even though its signature is genuine.
    if abs(time.time() - sent_at) > tolerance_seconds:
        return f"timestamp outside the {tolerance_seconds}s tolerance window"
    expected = event_signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return "signature does not match"
    return None
