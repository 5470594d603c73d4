"""What the loopback model knows without tools: the demo business, the clock and the prompt of the request.

The clock and the prompt version come from the system message the product rendered, so an answer depends on
the request alone (and a recorded request replays to the same answer on any day).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.agent.prompts import PROMPTS_DIR, Prompt, PromptNotFound, available_versions, load_prompt
from backend.scheduling.seed import BUSINESS

# fixtures/prompts/support-agent/*.md: "Business-local time zone: {timezone}. Today is {today}." with today
# rendered as "%A %Y-%m-%d %H:%M".
CLOCK = re.compile(
    r"Business-local time zone: (?P<zone>\S+?)\. Today is (?P<today>\w+ \d{4}-\d{2}-\d{2} \d{2}:\d{2})\."
)
UNKNOWN_PROMPT = Prompt(name="unknown", version="unknown", template="")


@dataclass(frozen=True)
class Business:
    services: list[str]
    hours: dict[int, tuple[time, time]]


@lru_cache(maxsize=1)
def demo_business() -> Business:
    """The services (sorted by name, as the runtime lists them) and opening hours of
    fixtures/demo/business.json."""
    spec = json.loads(BUSINESS.read_text())
    return Business(
        services=sorted(entry["name"] for entry in spec["services"]),
        hours={
            int(weekday): (time.fromisoformat(opens), time.fromisoformat(closes))
            for weekday, (opens, closes) in spec["hours"].items()
        },
    )


def clock(system: str) -> datetime:
    """The business-local "now" the system prompt states; this minute in UTC when it states none."""
    found = CLOCK.search(system)
    if found:
        try:
            zone = ZoneInfo(found["zone"])
            moment = datetime.strptime(found["today"].split(" ", 1)[1], "%Y-%m-%d %H:%M")
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return moment.replace(tzinfo=zone)
    return datetime.now(UTC).replace(second=0, microsecond=0)


@lru_cache(maxsize=256)
def prompt_of(system: str) -> Prompt:
    """The prompt file and version that renders to this system message (its options steer the rules)."""
    found = CLOCK.search(system)
    if not found:
        return UNKNOWN_PROMPT
    for folder in sorted(path for path in PROMPTS_DIR.iterdir() if path.is_dir()):
        try:
            versions = available_versions(folder.name)
        except PromptNotFound:
            continue  # a folder name no prompt can have
        for version in versions:
            prompt = load_prompt(folder.name, version)
            if prompt.render(timezone=found["zone"], today=found["today"]) == system:
                return prompt
    return UNKNOWN_PROMPT
