"""A week of operations history for a fresh install, so every operations view has content on first start.

It is synthetic: written straight into the tables, not sent through the ingest path, and marked so
(`synthetic` on its conversations, runs and incident) wherever a person sees it.

Backdated conversations, each with a customer message, the agent's reply, its run and (for booking-like
visits) a tool call, follow a business-hours traffic curve. Two days ago a 30-minute check_availability outage
fails two turns in five: whatever the time of day the week is written, that is enough for the page alert
(14.4x over 1 h and 5 min) and not for the 3-day ticket alert, so the history always holds the one worked
incident. (Which visits fail in the outage is by their position, not by chance: chance made the page open or
not depending on the time of day the week was written.) Everything downstream is the real machinery: the
rollup turns the runs into metric points, the SLO evaluation at moments during and after the outage opens and
resolves the incident, and an on-call acknowledgement and note complete its timeline (then backdated to when
they would have happened).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from backend.conversations.models import Conversation
from backend.incidents.models import Incident, IncidentEntry
from backend.incidents.service import acknowledge_incident, add_note, sync_incidents
from backend.observability.rollup import rollup_metrics
from backend.observability.slo import evaluate_slos, load_slos, resolve_cooldowns

HISTORY_PREFIX = "history-"
DAYS = 7
OUTAGE_MINUTES = 30
ON_CALL = "Priya (on-call)"
WATCH_EVERY = timedelta(minutes=3)

_VISITS = """
CREATE TEMP TABLE demo_visits ON COMMIT DROP AS
SELECT gen_random_uuid() AS conversation_id, gen_random_uuid() AS run_id, gen_random_uuid() AS inbound_id,
       gen_random_uuid() AS reply_id, at + (random() * interval '150 seconds') AS at,
       (ARRAY['SMS','SMS','CHAT','VOICE'])[1 + floor(random() * 4)::int] AS channel,
       random() AS dice, random() AS speed, random() < 0.6 AS books,
       at >= $3 AND at < $4 AS in_outage, row_number() OVER (ORDER BY at) AS n
FROM generate_series($1::timestamptz, $2::timestamptz, interval '3 minutes') AS at
-- Customers keep writing during the outage, each about a booking, and each fails: with some of them answered
-- (2 in 5, once), a gap of two visits could empty the page alert's 5-minute short window, and the replayed
-- watch resolved the page and opened a second one, at some hours of the day and not at others.
WHERE (at >= $3 AND at < $4)
   OR random() < CASE WHEN extract(hour FROM at AT TIME ZONE $5) BETWEEN 9 AND 18 THEN 0.9 ELSE 0.2 END
"""
_STATUS = """
ALTER TABLE demo_visits ADD COLUMN status text;
UPDATE demo_visits SET books = true WHERE in_outage;
UPDATE demo_visits SET status = CASE
    WHEN in_outage THEN 'FAILED'
    WHEN dice < 0.001 THEN 'FAILED'
    WHEN dice > 0.95 THEN 'HANDED_OFF'
    ELSE 'OK' END
"""
_CONVERSATIONS = """
INSERT INTO conversations (id, channel, thread_key, customer, status, message_count, created_at, updated_at,
                           last_message_at, agent_state, handed_off_at, handoff_reason, synthetic)
SELECT conversation_id, channel, 'history-' || n, '+1555' || lpad((1000000 + n)::text, 7, '0'),
       CASE WHEN status = 'HANDED_OFF' THEN 'HANDED_OFF' ELSE 'CLOSED' END, 2, at, at, at, '{}',
       CASE WHEN status = 'HANDED_OFF' THEN at END,
       CASE WHEN status = 'HANDED_OFF' THEN 'The customer asked for a person.' END, true
FROM demo_visits
"""
_MESSAGES = """
INSERT INTO messages (id, conversation_id, sequence, direction, author, text, created_at, delivery_attempts,
                      delivery_status, delivered_at)
SELECT inbound_id, conversation_id, 1, 'INBOUND', 'CUSTOMER',
       CASE WHEN books THEN 'Hi, can I book a haircut tomorrow at 3pm?'
            ELSE 'What are your opening hours?' END,
       at, 0, NULL, NULL
FROM demo_visits
UNION ALL
SELECT reply_id, conversation_id, 2, 'OUTBOUND', 'AGENT',
       CASE WHEN status = 'FAILED' THEN
           'Sorry, something went wrong on our side. A member of our team will get back to you here shortly.'
            WHEN status = 'HANDED_OFF' THEN 'I''m passing you to a colleague who will reply here shortly.'
            WHEN books THEN 'We have 3pm or 4:15pm tomorrow. Which works for you?'
            ELSE 'We are open Monday to Friday 9am–6pm and Saturday 10am–4pm.' END,
       at + interval '1 second', 1, 'SENT', at + interval '2 seconds'
FROM demo_visits
"""
_RUNS = """
INSERT INTO agent_runs (id, conversation_id, trigger_message_id, reply_message_id, policy, prompt_name,
    prompt_version,
                        intent, status, latency_ms, error, created_at, synthetic)
SELECT run_id, conversation_id, inbound_id, reply_id, 'rules', 'support-agent', 'v1',
       CASE WHEN status = 'HANDED_OFF' THEN 'HANDOFF' WHEN books THEN 'BOOK' ELSE 'HOURS' END, status,
       35 + power(speed, 6) * 2200 + CASE WHEN in_outage THEN 400 ELSE 0 END,
       CASE WHEN status = 'FAILED' THEN
           'ToolFailed: tool failed: ConnectTimeout: availability service timed out' END,
       at + interval '500 milliseconds', true
FROM demo_visits
"""
_TOOL_CALLS = """
INSERT INTO tool_calls (id, run_id, position, name, arguments, result, error, latency_ms, created_at)
SELECT gen_random_uuid(), run_id, 1, 'check_availability', '{"service": "haircut"}'::jsonb,
       CASE WHEN status = 'FAILED' THEN NULL ELSE '{"slots": 2}'::jsonb END,
       CASE WHEN status = 'FAILED' THEN 'tool failed: ConnectTimeout: availability service timed out' END,
       CASE WHEN status = 'FAILED' THEN 3000 ELSE 12 + speed * 30 END, at + interval '400 milliseconds'
FROM demo_visits WHERE books
"""


async def seed_ops_history(*, timezone: str, now: datetime | None = None) -> int:
    """Write the week once (a second call finds it and does nothing); returns how many conversations it
    added."""
    if await Conversation.filter(thread_key__startswith=HISTORY_PREFIX).exists():
        return 0
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    start = now - timedelta(days=DAYS)
    outage_start = (now - timedelta(days=2)).replace(hour=15, minute=0)  # a busy afternoon
    outage_end = outage_start + timedelta(minutes=OUTAGE_MINUTES)
    async with in_transaction() as connection:
        await connection.execute_query("SELECT setseed(0.20261126)")  # the same week on every install
        await connection.execute_query(
            _VISITS, [start, now - timedelta(minutes=10), outage_start, outage_end, timezone]
        )
        for statement in (*_STATUS.strip().split(";\n"), _CONVERSATIONS, _MESSAGES, _RUNS, _TOOL_CALLS):
            await connection.execute_query(statement)
        added = (await connection.execute_query_dict("SELECT count(*) AS n FROM demo_visits"))[0]["n"]
    await rollup_metrics(since=start, now=now)
    # One transaction: a running worker's SLO watch, which lives in the present, must not see (and resolve)
    # the incidents of a replay that is still walking through the past.
    async with in_transaction():
        await _replay_the_slo_watch(
            start=outage_start - timedelta(minutes=15), end=outage_end + timedelta(hours=1)
        )
    return added


async def _replay_the_slo_watch(*, start: datetime, end: datetime) -> None:
    """Run the SLO watch as it would have run every few minutes around the outage, and work the page it opens.

    The real code opens and resolves the incidents; the rows it writes are stamped with the evaluation's
    moment.
    """
    if await Incident.filter(synthetic=True).exists():
        return
    moment, acknowledged = start, False
    spec = load_slos()
    cooldowns = resolve_cooldowns(slo_file=spec)
    while moment <= end:
        written_after = datetime.now(UTC)
        await sync_incidents(
            statuses=await evaluate_slos(now=moment, slo_file=spec),
            now=moment,
            cooldowns=cooldowns,
            synthetic=True,
        )
        page = await Incident.filter(slo="turn_success", severity="page", synthetic=True).first()
        if page is not None and not acknowledged and moment - page.opened_at >= timedelta(minutes=3):
            await acknowledge_incident(incident_id=page.id, actor=ON_CALL)
            await add_note(
                incident_id=page.id,
                actor=ON_CALL,
                text=(
                    "check_availability is timing out against the calendar service; their status page "
                    "confirms an "
                    "outage. Customers get the apology reply and the team follows up; nothing is lost."
                ),
            )
            acknowledged = True
        await _stamp(written_after=written_after, moment=moment)
        moment += WATCH_EVERY


async def _stamp(*, written_after: datetime, moment: datetime) -> None:
    # What this step of the replay wrote happened at its moment (a real incident changing meanwhile is not
    # touched).
    for column in ("opened_at", "acknowledged_at", "resolved_at", "last_burning_at"):
        await Incident.filter(synthetic=True, **{f"{column}__gte": written_after}).update(**{column: moment})
    synthetic = await Incident.filter(synthetic=True).values_list("id", flat=True)
    await IncidentEntry.filter(incident_id__in=synthetic, created_at__gte=written_after).update(
        created_at=moment
    )
