"""The DataLoaders of one request: built fresh per request so nothing is cached across callers."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from backend.agent.loaders import (
    load_agent_runs_by_id,
    load_messages_by_id,
    load_recent_runs,
    load_tool_calls_by_run,
)
from backend.auth.loaders import load_api_keys_by_id
from backend.conversations.loaders import load_conversations_by_id, load_last_messages, load_message_pages
from backend.guardrails.loaders import load_violations_by_conversation, load_violations_by_run
from backend.ingest.loaders import load_conversations_by_thread, load_ingest_events_by_id
from backend.quality.loaders import load_scores_by_conversation, load_scores_by_run
from backend.scheduling.loaders import load_bookings_by_conversation, load_bookings_by_id, load_slots_by_id
from backend.tickets.loaders import load_tickets_by_conversation, load_tickets_by_id


class Loaders:
    def __init__(self) -> None:
        self.api_key_by_id = DataLoader(load_fn=load_api_keys_by_id)
        self.conversation_by_id = DataLoader(load_fn=load_conversations_by_id)
        self.last_message_by_conversation = DataLoader(load_fn=load_last_messages)
        self.message_page = DataLoader(load_fn=load_message_pages)
        self.ingest_event_by_id = DataLoader(load_fn=load_ingest_events_by_id)
        self.conversation_by_thread = DataLoader(load_fn=load_conversations_by_thread)
        self.agent_run_by_id = DataLoader(load_fn=load_agent_runs_by_id)
        self.tool_calls_by_run = DataLoader(load_fn=load_tool_calls_by_run)
        self.message_by_id = DataLoader(load_fn=load_messages_by_id)
        self.recent_runs_by_conversation = DataLoader(load_fn=load_recent_runs)
        self.booking_by_id = DataLoader(load_fn=load_bookings_by_id)
        self.slot_by_id = DataLoader(load_fn=load_slots_by_id)
        self.bookings_by_conversation = DataLoader(load_fn=load_bookings_by_conversation)
        self.ticket_by_id = DataLoader(load_fn=load_tickets_by_id)
        self.tickets_by_conversation = DataLoader(load_fn=load_tickets_by_conversation)
        self.violations_by_run = DataLoader(load_fn=load_violations_by_run)
        self.violations_by_conversation = DataLoader(load_fn=load_violations_by_conversation)
        self.scores_by_run = DataLoader(load_fn=load_scores_by_run)
        self.scores_by_conversation = DataLoader(load_fn=load_scores_by_conversation)
