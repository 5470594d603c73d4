"""The fault flags a job runs with: the worker's shared, briefly kept read (backend/core/faults.py:
FaultFlags)."""

from __future__ import annotations

from typing import Any

from backend.core import faults


async def job_faults(ctx: dict[str, Any]) -> faults.ActiveFaults:
    """The flags set now, made current for the job's task; a context without the worker's reader reads
    Redis."""
    flags = ctx.get("faults")
    active = await flags.current() if flags is not None else await faults.load_faults(ctx["redis"])
    faults.use_faults(active)
    return active
