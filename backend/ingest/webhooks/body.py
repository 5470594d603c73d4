"""Reading a webhook body safely: size-capped before parsing, strict UTF-8."""

from __future__ import annotations

from starlette.requests import Request

MAX_BODY_BYTES = 256 * 1024


class BodyProblem(ValueError):
    """The body cannot be taken; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


async def read_capped_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing (413) anything larger than `limit` before it is all read."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyProblem(f"body larger than {limit} bytes", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyProblem(f"body larger than {limit} bytes", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def decode_utf8(body: bytes) -> str:
    """The body as text; 400 when it is not valid UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyProblem(f"body is not valid UTF-8 (byte {error.start})", status=400) from None
