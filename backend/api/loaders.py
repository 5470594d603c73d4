"""The DataLoaders of one request: built fresh per request so nothing is cached across callers."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from backend.auth.loaders import load_api_keys_by_id
from backend.channels.sandbox.listing import load_sandbox_messages_by_id
from backend.conversations.loaders import load_conversations_by_id, load_last_messages, load_message_pages
from backend.guardrails.loaders import load_violations_by_conversation, load_violations_by_run
from backend.ingest.loaders import load_conversations_by_thread, load_ingest_events_by_id
from backend.quality.loaders import load_scores_by_conversation, load_scores_by_run
from backend.runs.loaders import (
    load_agent_runs_by_id,
    load_messages_by_id,
    load_recent_runs,
    load_tool_calls_by_run,
)
from backend.scheduling.loaders import load_bookings_by_conversation, load_bookings_by_id, load_slots_by_id
from backend.tickets.loaders import load_tickets_by_conversation, load_tickets_by_id


class Loaders:
    """A request's DataLoaders, each made on first use: most requests use none (an ingest, a mutation), and
    building all 17 up front took ~4% of the API's CPU per accepted event (py-spy under bench/ingest.py)."""

    @cached_property
    def api_key_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_api_keys_by_id)

    @cached_property
    def conversation_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_conversations_by_id)

    @cached_property
    def last_message_by_conversation(self) -> DataLoader:
        return DataLoader(load_fn=load_last_messages)

    @cached_property
    def message_page(self) -> DataLoader:
        return DataLoader(load_fn=load_message_pages)

    @cached_property
    def ingest_event_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_ingest_events_by_id)

    @cached_property
    def conversation_by_thread(self) -> DataLoader:
        return DataLoader(load_fn=load_conversations_by_thread)

    @cached_property
    def agent_run_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_agent_runs_by_id)

    @cached_property
    def tool_calls_by_run(self) -> DataLoader:
        return DataLoader(load_fn=load_tool_calls_by_run)

    @cached_property
    def message_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_messages_by_id)

    @cached_property
    def recent_runs_by_conversation(self) -> DataLoader:
        return DataLoader(load_fn=load_recent_runs)

    @cached_property
    def booking_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_bookings_by_id)

    @cached_property
    def slot_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_slots_by_id)

    @cached_property
    def bookings_by_conversation(self) -> DataLoader:
        return DataLoader(load_fn=load_bookings_by_conversation)

    @cached_property
    def ticket_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_tickets_by_id)

    @cached_property
    def tickets_by_conversation(self) -> DataLoader:
        return DataLoader(load_fn=load_tickets_by_conversation)

    @cached_property
    def violations_by_run(self) -> DataLoader:
        return DataLoader(load_fn=load_violations_by_run)

    @cached_property
    def violations_by_conversation(self) -> DataLoader:
        return DataLoader(load_fn=load_violations_by_conversation)

    @cached_property
    def scores_by_run(self) -> DataLoader:
        return DataLoader(load_fn=load_scores_by_run)

    @cached_property
    def scores_by_conversation(self) -> DataLoader:
        return DataLoader(load_fn=load_scores_by_conversation)

    @cached_property
    def sandbox_message_by_id(self) -> DataLoader:
        return DataLoader(load_fn=load_sandbox_messages_by_id)
