"""Try it: an operator writes as a customer, through the real ingest path, and watches the agent answer live.

The message is an ingest event like any channel adapter's, sent with the dashboard's own ingest-only key (held
in this process, never in the browser; who typed it goes in the event's metadata). The worker appends it, the
agent answers, the reply goes out through the delivery job (to the built-in sandbox when no real endpoint is
configured), and each step comes back as a `conversation` update from the live feed, which re-reads the
thread.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from frontend import api
from frontend.config import get_config
from frontend.live.registry import live_feed
from frontend.state.auth import OPERATING_ROLES, AuthState
from frontend.state.calls import Refused, call_or_report, session_token
from frontend.views.formatting import detail_href
from frontend.views.runs import RUN_FIELDS, RunView, run_view
from frontend.views.thread import MESSAGE_FIELDS, message_row

CHANNELS = [("SMS", "SMS"), ("CHAT", "Chat"), ("VOICE", "Voice transcript")]
THREAD_MESSAGES = 100  # the API's largest page: a Try it thread longer than this shows its first hundred
RUNS_SHOWN = 10
SOURCE = "dashboard try it"

INGEST_EVENT = """
mutation TryIt($input: IngestEventInput!) {
  ingestEvent(input: $input) {
    __typename
    ... on EventAccepted { eventId duplicate }
    ... on ValidationError { field message }
    ... on RateLimited { message retryAfterSeconds }
    ... on Unauthorized { message }
  }
}
"""
ENDPOINTS = "{ deliveryEndpoints { channel provider sandbox } }"
THREAD = f"""
query TryItThread($customer: String!, $channel: Channel!, $messages: Int!, $runs: Int!) {{
  conversations(first: 1, filter: {{customer: $customer, channel: $channel}}) {{ edges {{ node {{
    id status
    messages(first: $messages) {{ edges {{ node {{ {MESSAGE_FIELDS} }} }} }}
    runs(first: $runs) {{ {RUN_FIELDS} }}
  }} }} }}
}}
"""
PROVIDER_WORDS = {
    "SANDBOX": "the built-in sandbox: it records the reply and no customer receives it",
    "TWILIO": "the SMS provider configured: a real phone receives it",
    "WEBHOOK": "the receiver configured: a real customer may receive it",
}


def new_identity(channel: str) -> str:
    """A customer nobody is: a 555 phone number for SMS and voice, a visitor id for chat."""
    if channel == "CHAT":
        return f"web-visitor-{secrets.token_hex(3)}"
    return f"+1555{secrets.randbelow(10**7):07d}"


class TryItState(rx.State):
    channel: str = "SMS"
    customer: str = ""
    conversation_href: str = ""
    conversation_status: str = ""
    messages: list[dict[str, str]] = []
    runs: list[RunView] = []
    delivery: str = ""  # who takes this channel's replies, in words
    progress: str = ""  # what the message just sent is waiting for
    error: str = ""
    _expected_messages: int = 0  # the thread's length once the message just sent is in it

    @rx.event
    async def load(self):
        """Follow conversation updates while this tab shows the page; a customer to be, and who delivers."""
        if not self.customer:
            self.customer = new_identity(self.channel)
        live_feed.watch(session_token(self), "conversation", page=TryItState)
        return await self._refresh(endpoints=True)

    @rx.event
    async def set_channel(self, channel: str):
        """Another channel is another thread: a customer of the kind that channel has."""
        if channel not in dict(CHANNELS) or channel == self.channel:
            return None
        self.channel = channel
        self._show(new_identity(channel))
        return await self._refresh(endpoints=True)

    @rx.event
    async def set_customer(self, customer: str):
        customer = customer.strip()
        if customer and customer != self.customer:
            self._show(customer[:128])
            return await self._refresh()
        return None

    @rx.event
    async def new_customer(self):
        """A customer the agent has never seen: a fresh thread."""
        self._show(new_identity(self.channel))
        return await self._refresh()

    def _show(self, customer: str) -> None:
        """Another customer's thread: nothing of the last one's is awaited any more."""
        self.customer, self.progress, self._expected_messages = customer, "", 0

    @rx.event
    async def send(self, form: dict[str, Any]):
        """The message as the customer's, through the ingest path; the agent's answer arrives by the live
        feed."""
        text = str(form.get("text", "")).strip()
        self.error = ""
        if not text:
            self.error = "Write what the customer says first."
            return None
        auth = await self.get_state(AuthState)
        if auth.role not in OPERATING_ROLES:  # the page hides the form from viewers; this refuses them anyway
            self.error = "Writing as a customer sends real events: operators and admins only."
            return None
        # The user's own session must still be good (this read fails and goes to login otherwise).
        refused = await self._refresh(endpoints=True)
        if refused is not None:
            return refused
        key = get_config().ingest_key
        if key is None:
            self.error = (
                "This dashboard has no ingest key for Try it: `agentops dashboard` issues one, or set "
                "AGENTOPS_DASHBOARD_INGEST_KEY."
            )
            return None
        event = {
            "channel": self.channel,
            "idempotencyKey": f"try-it-{uuid.uuid4()}",
            "sender": self.customer,
            "text": text,
            "occurredAt": datetime.now(UTC).isoformat(),
            "metadata": {"source": SOURCE, "operator": auth.email},
        }
        try:
            answer = (
                await api.execute(INGEST_EVENT, token=key.get_secret_value(), variables={"input": event})
            )["ingestEvent"]
        except api.ApiError as error:  # the dashboard's key, not the user's: a refusal here is not a logout
            self.error = (
                f"The API refused Try it's key: {error.message} (restart `agentops dashboard` for a new one)."
            )
            return None
        if answer["__typename"] != "EventAccepted":
            field = answer.get("field")
            self.error = f"{field}: {answer['message']}" if field else answer["message"]
            return None
        self._expected_messages = len(self.messages) + 1
        self.progress = "Accepted through the ingest path; the worker appends it to the thread…"
        return await self._refresh()

    def apply_update(self, kind: str, payload: dict[str, Any]) -> bool:
        """From the live feed: whether the thread shown here changed (a message, a reply, a delivery), so that
        it must be read again (`refresh`, run by frontend/live/delivery.py outside the delivery)."""
        return (
            kind == "conversation"
            and payload.get("channel") == self.channel
            and payload.get("customer") == self.customer
        )

    async def refresh(self) -> None:
        await self._refresh()

    async def _refresh(self, *, endpoints: bool = False):
        """Re-read the thread (and who delivers, when asked); an event handler's answer when the session
        ended."""
        if endpoints:
            data = await call_or_report(self, ENDPOINTS)
            if isinstance(data, Refused):
                return data.answer
            providers = {row["channel"]: row["provider"] for row in data["deliveryEndpoints"]}
            provider = providers.get(self.channel)
            self.delivery = (
                f"Replies on {self.channel} go to {PROVIDER_WORDS[provider]}."
                if provider
                else f"No endpoint takes replies on {self.channel} and the sandbox is off: they are written "
                "FAILED (AGENTOPS_SANDBOX_DELIVERY=true turns the sandbox on)."
            )
        variables = {
            "customer": self.customer,
            "channel": self.channel,
            "messages": THREAD_MESSAGES,
            "runs": RUNS_SHOWN,
        }
        data = await call_or_report(self, THREAD, variables)
        if isinstance(data, Refused):
            return data.answer
        edges = data["conversations"]["edges"]
        conversation = edges[0]["node"] if edges else None
        self.conversation_href = detail_href("conversations", conversation["id"]) if conversation else ""
        self.conversation_status = conversation["status"] if conversation else ""
        self.messages = (
            [message_row(edge["node"]) for edge in conversation["messages"]["edges"]] if conversation else []
        )
        self.runs = [run_view(run) for run in conversation["runs"]] if conversation else []
        self.progress = self._progress()
        return None

    def _progress(self) -> str:
        """What the thread is waiting for now, in words ("" once the last reply is settled)."""
        if len(self.messages) < self._expected_messages:
            return self.progress  # still "accepted": the worker has not appended it yet
        if not self.messages:
            return ""
        last = self.messages[-1]
        if last["direction"] == "INBOUND":
            if self.conversation_status == "HANDED_OFF":
                return "A human owns this conversation: the agent stays silent until it is handed back."
            return "The agent is answering…"
        if last["delivery"] in ("QUEUED", "SENDING"):
            return "The reply is on its way out…"
        return ""
