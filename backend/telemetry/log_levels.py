"""What each third-party line is worth: per-item lines at DEBUG, recoveries at WARNING, expected retries once.

SAQ logs every job's life at INFO with the whole job repr (Enqueuing, Processing, Finished, Retrying,
Scheduled), uvicorn every request, Tortoise every start and stop with object reprs. Those are per-item lines:
DEBUG. A job swept back from a worker that died is a recovery an operator should see: WARNING. And SAQ writes
a traceback for every failed attempt, even when the failure was expected, already logged where it happened and
is being retried with backoff (`RecordedFailure`): that line is dropped, so an expected retry is one WARNING
line, and a traceback means something truly unexpected.
"""

from __future__ import annotations

import logging
from typing import Any

# SAQ's per-job lines, by the start of their message; and its start and stop lines, whose whole queue repr
# says nothing our own worker.started / worker.stopped lines do not.
_SAQ_PER_JOB = (
    "Enqueuing ",
    "Processing ",
    "Finished ",
    "Retrying ",
    "Scheduled ",
    "Aborting ",
    "Dequeue timed out",
    "Worker starting",
    "Working shutting down",
)
# SAQ's sweep taking a job back (its worker stopped beating or died): a recovery worth seeing.
_SAQ_RECOVERY = ("Sweeping ", "Could not abort")
_SAQ_ERROR_PROCESSING = "Error processing job %s"
# Loggers whose INFO lines are per request or lifecycle chatter with object reprs.
_PER_ITEM_LOGGERS = frozenset({"uvicorn.access", "tortoise"})


class RecordedFailure(Exception):
    """A job's failure that was logged (one WARNING line with its context) and recorded where operators look.

    Raised so the queue retries the job with backoff; SAQ's own traceback for it is dropped as noise.
    """


def _set_level(record: logging.LogRecord, level: int) -> None:
    record.levelno = level
    record.levelname = logging.getLevelName(level)


def _job_fields(record: logging.LogRecord) -> dict[str, Any]:
    job = record.args[0] if isinstance(record.args, tuple) and record.args else None
    if job is None or not hasattr(job, "function"):
        return {}
    fields = {"job_function": job.function, "job_key": job.key, "attempt": job.attempts}
    event_id = (job.kwargs or {}).get("event_id")
    if event_id is not None:
        fields["event_id"] = event_id
    return fields


def _rewrite_failed_job(record: logging.LogRecord) -> bool:
    """SAQ's "Error processing job": dropped when expected, shortened when a timeout, kept with context
    otherwise."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, RecordedFailure):
        return False
    fields = _job_fields(record)
    if isinstance(error, TimeoutError):
        # asyncio.wait_for's traceback says nothing the job's name and attempt do not; the queue retries it.
        record.msg, record.args, record.exc_info, record.exc_text = "job.timed_out", (), None, None
        _set_level(record, logging.WARNING)
    else:
        record.msg, record.args = "job.failed", ()
    for name, value in fields.items():
        setattr(record, name, value)
    record.agentops_fields = tuple(fields)
    return True


class LevelPolicy(logging.Filter):
    """A handler filter: re-levels third-party records, then applies the threshold to the new level.

    It sits on the handler because a logger's own level check has already passed by the time a filter runs:
    the handler lets everything through and this filter decides.
    """

    def __init__(self, threshold: int) -> None:
        super().__init__()
        self.threshold = threshold

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "saq" or record.name.startswith("saq."):
            if record.msg == _SAQ_ERROR_PROCESSING and not _rewrite_failed_job(record):
                return False
            message = record.msg if isinstance(record.msg, str) else ""
            if message.startswith(_SAQ_PER_JOB):
                _set_level(record, logging.DEBUG)
            elif message.startswith(_SAQ_RECOVERY):
                _set_level(record, logging.WARNING)
        elif record.name in _PER_ITEM_LOGGERS and record.levelno == logging.INFO:
            _set_level(record, logging.DEBUG)
        return record.levelno >= self.threshold


def add_record_fields(_logger: object, _method: str, event: dict) -> dict:
    """structlog processor: the fields LevelPolicy put on a standard-library record (job, attempt, event
    id)."""
    record = event.get("_record")
    if record is not None:
        for name in getattr(record, "agentops_fields", ()):
            event.setdefault(name, getattr(record, name))
    return event
