"""The DataLoaders of one request: built fresh per request so nothing is cached across callers."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from backend.auth.loaders import load_api_keys_by_id
from backend.conversations.loaders import load_conversations_by_id, load_last_messages, load_message_pages
from backend.ingest.loaders import load_conversations_by_thread, load_ingest_events_by_id


class Loaders:
    def __init__(self) -> None:
        self.api_key_by_id = DataLoader(load_fn=load_api_keys_by_id)
        self.conversation_by_id = DataLoader(load_fn=load_conversations_by_id)
        self.last_message_by_conversation = DataLoader(load_fn=load_last_messages)
        self.message_page = DataLoader(load_fn=load_message_pages)
        self.ingest_event_by_id = DataLoader(load_fn=load_ingest_events_by_id)
        self.conversation_by_thread = DataLoader(load_fn=load_conversations_by_thread)
