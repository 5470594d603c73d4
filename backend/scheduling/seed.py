"""The demo business from fixtures/demo/business.json: services, staff, hours, and slots for weeks ahead.

Running it again adds only the slots of days that came into range since the last run.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
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
    """Create the services, staff, hours and future slots that are missing; returns how many slots were added."""
    spec = json.loads(path.read_text())
    zone = ZoneInfo(timezone)
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
        length = timedelta(minutes=service.duration_minutes)
        for staff_name in entry["staff"]:
            resource, _ = await Resource.get_or_create(name=staff_name)
            for offset in range(spec["days_ahead"]):
                day = today + timedelta(days=offset)
                hours = spec["hours"].get(str(day.weekday()))
                if not hours:
                    continue  # closed that day
                start = datetime.combine(day, _clock(hours[0]), zone)
                close = datetime.combine(day, _clock(hours[1]), zone)
                while start + length <= close:
                    for column, value in zip(rows, (uuid.uuid4(), service.id, resource.id, start, start + length)):
                        column.append(value)
                    start += length
    inserted = await connections.get("default").execute_query_dict(
        "INSERT INTO slots (id, service_id, resource_id, starts_at, ends_at)"
        " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])"
        " ON CONFLICT DO NOTHING RETURNING id",
        rows,
    )
    return len(inserted)
