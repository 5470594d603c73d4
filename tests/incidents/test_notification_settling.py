"""Incident notifications are posted at most once: one that an earlier attempt left SENDING (its worker killed
after the POST left) is sent again to PagerDuty, whose dedup_key makes that harmless, and marked UNCERTAIN for
a Slack webhook, which can neither be asked nor deduplicates; every POST names the row in Idempotency-Key."""

from datetime import UTC, datetime

import httpx
import pytest

from backend.incidents.models import Incident, IncidentNotification, NotificationStatus
from backend.incidents.notifications import (
    EarlierNotificationPending,
    count_unsent_notifications,
    send_notification,
)


async def _left_sending(incident: Incident, target: str) -> IncidentNotification:
    """A row as an attempt leaves it when its worker dies after the POST left and before the answer."""
    return await IncidentNotification.create(
        incident=incident,
        target=target,
        action="trigger",
        status=NotificationStatus.SENDING,
        attempts=1,
        sending_at=datetime.now(UTC),
    )


async def test_an_unfinished_attempt_is_resent_to_pagerduty_and_uncertain_for_slack(
    app, fake_provider, test_settings
):
    fake_provider.notifications.clear()
    incident = await Incident.create(
        slo="turn_success", severity="page", summary="turns failing", peak_burn_rate=20.0
    )
    slack, pagerduty = await _left_sending(incident, "slack"), await _left_sending(incident, "pagerduty")
    async with httpx.AsyncClient(timeout=10) as http:
        assert (
            await send_notification(notification_id=slack.id, http=http, settings=test_settings)
            == NotificationStatus.UNCERTAIN
        )
        assert (
            await send_notification(notification_id=pagerduty.id, http=http, settings=test_settings)
            == NotificationStatus.SENT
        )
        # A job run again on a settled row sends nothing more.
        assert (
            await send_notification(notification_id=slack.id, http=http, settings=test_settings)
            == NotificationStatus.UNCERTAIN
        )

    posted = [(n["target"], n["headers"].get("idempotency-key")) for n in fake_provider.notifications]
    assert posted == [("pagerduty", str(pagerduty.id))]  # nothing posted to Slack again
    slack_row = await IncidentNotification.get(id=slack.id)
    assert slack_row.attempts == 1 and "cannot tell" in slack_row.last_error
    assert (await IncidentNotification.get(id=pagerduty.id)).attempts == 2
    counts = await count_unsent_notifications()
    assert counts[NotificationStatus.UNCERTAIN] == 1 and counts[NotificationStatus.SENDING] == 0


async def test_a_pending_notification_is_claimed_before_it_is_posted(app, fake_provider, test_settings):
    fake_provider.notifications.clear()
    incident = await Incident.create(
        slo="turn_latency", severity="ticket", summary="slow", peak_burn_rate=7.0
    )
    row = await IncidentNotification.create(incident=incident, target="slack", action="trigger")
    async with httpx.AsyncClient(timeout=10) as http:
        assert (
            await send_notification(notification_id=row.id, http=http, settings=test_settings)
            == NotificationStatus.SENT
        )
    stored = await IncidentNotification.get(id=row.id)
    assert stored.attempts == 1 and stored.sending_at is not None and stored.sent_at is not None
    assert [n["headers"].get("idempotency-key") for n in fake_provider.notifications] == [str(row.id)]


async def test_a_later_notification_waits_for_the_earlier_one_of_its_incident(
    app, fake_provider, test_settings
):
    # Each notification has its own job: the acknowledge's job may run first. PagerDuty would drop an
    # acknowledge for an event it has not seen, so it waits (a retry); nothing is posted until the trigger is.
    fake_provider.notifications.clear()
    incident = await Incident.create(
        slo="turn_success", severity="page", summary="turns failing", peak_burn_rate=20.0
    )
    trigger = await IncidentNotification.create(incident=incident, target="pagerduty", action="trigger")
    acknowledge = await IncidentNotification.create(
        incident=incident, target="pagerduty", action="acknowledge"
    )
    slack = await IncidentNotification.create(incident=incident, target="slack", action="acknowledge")
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(EarlierNotificationPending):
            await send_notification(notification_id=acknowledge.id, http=http, settings=test_settings)
        assert fake_provider.notifications == []
        assert (await IncidentNotification.get(id=acknowledge.id)).attempts == 0  # waiting is no attempt
        # Another target keeps its own order: Slack's first notification of the incident goes at once.
        assert (
            await send_notification(notification_id=slack.id, http=http, settings=test_settings)
            == NotificationStatus.SENT
        )
        for row in (trigger, acknowledge):
            assert (
                await send_notification(notification_id=row.id, http=http, settings=test_settings)
                == NotificationStatus.SENT
            )
    paged = [n["body"]["event_action"] for n in fake_provider.notifications if n["target"] == "pagerduty"]
    assert paged == ["trigger", "acknowledge"]
