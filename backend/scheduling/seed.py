"""The demo business from fixtures/demo/business.json: services, staff, hours, and slots for weeks ahead.

Running it again adds only the slots of days that came into range since the last run.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise import connections

from backend.scheduling.models import BusinessHours, Resource, Service
from backend.settings import PROJECT_ROOT, Settings

BUSINESS = PROJECT_ROOT / "fixtures" / "demo" / "business.json"


def business_today(settings: Settings) -> date:
    """Today's date where the business is."""
    return datetime.now(ZoneInfo(settings.business_timezone)).date()


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


async def seed_business(*, timezone: str, today: date, path: Path = BUSINESS) -> int:
    """Create the services, staff, hours and future slots that are missing; returns how many slots were
    added."""
    spec = json.loads(path.read_text())  # noqa: ASYNC240 (a small local file, read at seeding)
    for weekday, (opens, closes) in spec["hours"].items():
        await BusinessHours.update_or_create(
            weekday=int(weekday), defaults={"opens_at": _clock(opens), "closes_at": _clock(closes)}
        )
    rows: list[list] = [[], [], [], [], []]  # ids, service ids, resource ids, starts, ends
    for entry in spec["services"]:
        service, _ = await Service.get_or_create(
            name=entry["name"],
            defaults={"duration_minutes": entry["duration_minutes"], "description": entry["description"]},
        )
        for staff_name in entry["staff"]:
            resource, _ = await Resource.get_or_create(name=staff_name)
            for start, end in _slot_times(spec, today, ZoneInfo(timezone), minutes=service.duration_minutes):
                for column, value in zip(
                    rows, (uuid.uuid4(), service.id, resource.id, start, end), strict=False
                ):
                    column.append(value)
    inserted = await connections.get("default").execute_query_dict(
        "INSERT INTO slots (id, service_id, resource_id, starts_at, ends_at)"
        " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])"
        " ON CONFLICT DO NOTHING RETURNING id",
        rows,
    )
    return len(inserted)


# Whether seed_business(today) has nothing left to add, in one read: each weekday's hours as the file has
# them, and as many slots of its services from `today` through its last day as the file makes.
_SEEDED = """
SELECT (SELECT count(*) FROM business_hours h
          JOIN unnest($1::int[], $2::time[], $3::time[]) AS w(weekday, opens, closes)
            ON h.weekday = w.weekday AND h.opens_at = w.opens AND h.closes_at = w.closes) AS hours,
       (SELECT count(*) FROM slots s JOIN services sv ON sv.id = s.service_id
          WHERE sv.name = ANY($4::text[]) AND s.starts_at >= $5 AND s.starts_at < $6) AS slots
"""


async def business_seeded(*, timezone: str, today: date, path: Path = BUSINESS) -> bool:
    """Whether seed_business for `today` would add nothing (checked in one query, for callers that seed each
    run)."""
    expected = _expected(timezone, today, path)
    rows = await connections.get("default").execute_query_dict(_SEEDED, expected.parameters)
    return rows[0]["hours"] == len(expected.parameters[0]) and rows[0]["slots"] == expected.slots


@dataclass(frozen=True)
class _Seeded:
    parameters: list  # for _SEEDED: the hours as three columns, the service names, the first and the last day
    slots: int


@lru_cache(maxsize=8)
def _expected(timezone: str, today: date, path: Path) -> _Seeded:
    spec = json.loads(path.read_text())
    zone = ZoneInfo(timezone)
    hours = sorted(spec["hours"].items())
    slots = sum(
        len(entry["staff"]) * len(_slot_times(spec, today, zone, minutes=entry["duration_minutes"]))
        for entry in spec["services"]
    )
    return _Seeded(
        parameters=[
            [int(weekday) for weekday, _ in hours],
            [_clock(opens) for _, (opens, _) in hours],
            [_clock(closes) for _, (_, closes) in hours],
            [entry["name"] for entry in spec["services"]],
            datetime.combine(today, time(0), zone),
            datetime.combine(today + timedelta(days=spec["days_ahead"]), time(0), zone),
        ],
        slots=slots,
    )


def _slot_times(spec: dict, today: date, zone: ZoneInfo, *, minutes: int) -> list[tuple[datetime, datetime]]:
    """Start and end of each slot of a service this long, on the open days from `today` on."""
    length = timedelta(minutes=minutes)
    times = []
    for offset in range(spec["days_ahead"]):
        day = today + timedelta(days=offset)
        hours = spec["hours"].get(str(day.weekday()))
        if not hours:
            continue  # closed that day
        start = datetime.combine(day, _clock(hours[0]), zone)
        close = datetime.combine(day, _clock(hours[1]), zone)
        while start + length <= close:
            times.append((start, start + length))
            start += length
    return times
