"""Logs are JSON lines, and every line written during a request carries its request id."""

import io
import json
import logging

import structlog
from asgi_correlation_id import correlation_id

from backend.telemetry.logs import configure_logging


def test_log_lines_are_json_with_the_request_id():
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    try:
        configure_logging(level="INFO", json=True, stream=buffer)
        token = correlation_id.set("feedfacefeedfacefeedfacefeedface")
        try:
            structlog.get_logger("test").info("conversation.closed", conversation="c-1")
            logging.getLogger("uvicorn.error").warning("from the standard library")
        finally:
            correlation_id.reset(token)
        structlog.get_logger("test").info("outside a request")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)

    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert lines[0]["event"] == "conversation.closed" and lines[0]["conversation"] == "c-1"
    assert lines[0]["request_id"] == lines[1]["request_id"] == "feedfacefeedfacefeedfacefeedface"
    assert lines[1]["level"] == "warning" and lines[1]["logger"] == "uvicorn.error"
    assert "request_id" not in lines[2]
    assert all("timestamp" in line for line in lines)
