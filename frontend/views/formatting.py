"""Display strings for API values: times, latencies, JSON."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote


def clock_time(iso: str | None) -> str:
    """'2026-01-05T10:11:12.345+00:00' -> '2026-01-05 10:11:12' (UTC, as the API answers); '' for none."""
    return iso[:19].replace("T", " ") if iso else ""


def milliseconds(value: float | None) -> str:
    return f"{value:,.0f} ms" if value is not None else "–"


def pretty_json(value: Any) -> str:
    """JSON as an operator reads it; an empty string for null."""
    return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def shorten(text: str | None, limit: int = 140) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def detail_href(section: str, global_id: str) -> str:
    """The page of one object; its global id is base64 and may hold '/', so it is escaped."""
    return f"/{section}/{quote(global_id, safe='')}"


def id_from_path(path: str) -> str:
    """The global id at the end of a detail page's path."""
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def synthetic_flag(value: object) -> str:
    """ "synthetic" for the demo's backdated history (the API's `synthetic` field), "" for real traffic."""
    return "synthetic" if value else ""
