"""One conversation's state: the thread, runs, bookings, tickets and evaluator scores, the operator's actions
(a golden case in one click when an evaluator failed a turn), live refreshes."""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.live.registry import live_feed
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.views.formatting import id_from_path
from frontend.views.quality import ScoreView, low_scores, score_view
from frontend.views.runs import RunView, ViolationView, run_view, violation_view
from frontend.views.thread import CONVERSATION_DETAIL, booking_row, header, message_row, ticket_row

MESSAGES_PER_PAGE = 50
RUNS_STEP = 20
MAX_RUNS = 100  # the API's largest page
TYPED_ERRORS = ("ValidationError", "NotFoundError")
LIVE_UPDATES = ("conversation", "scored")
# Where "Make golden" from a low score puts the case: one suite gathers what production got wrong.
LOW_SCORE_SUITE = "from-production"

SEND_HUMAN_REPLY = """
mutation Reply($input: SendHumanReplyInput!) {
  sendHumanReply(input: $input) {
    __typename
    ... on SendHumanReplyPayload { sent: message { sequence } }
    ... on ValidationError { message }
    ... on NotFoundError { message }
  }
}
"""
RETURN_TO_AGENT = """
mutation Return($input: ReturnToAgentInput!) {
  returnToAgent(input: $input) {
    __typename
    ... on ReturnToAgentPayload { conversation { status } }
    ... on ValidationError { message }
    ... on NotFoundError { message }
  }
}
"""
CREATE_GOLDEN = """
mutation Golden($input: CreateGoldenFromConversationInput!) {
  createGoldenFromConversation(input: $input) {
    __typename
    ... on CreateGoldenFromConversationPayload { caseName suite { name version caseCount } }
    ... on ValidationError { field message }
    ... on NotFoundError { message }
  }
}
"""


def _typed_error(result: dict[str, Any]) -> str:
    """A typed error as the operator reads it: which field, when the API names one."""
    field = result.get("field")
    return f"{field}: {result['message']}" if field else result["message"]


def _golden_made(result: dict[str, Any]) -> str:
    made = result["suite"]
    return (
        f"Golden case {result['caseName']} added: suite {made['name']} "
        f"version {made['version'][:12]} now has {made['caseCount']} "
        f"{'case' if made['caseCount'] == 1 else 'cases'}; run it from Evals."
    )


class ConversationDetailState(rx.State):
    found: bool = True
    conversation: dict[str, str] = {}
    messages: list[dict[str, str]] = []
    has_more_messages: bool = False
    runs: list[RunView] = []
    run_limit: int = RUNS_STEP
    bookings: list[dict[str, str]] = []
    tickets: list[dict[str, str]] = []
    violations: list[ViolationView] = []
    scores: list[ScoreView] = []
    error: str = ""
    golden_message: str = ""
    golden_error: str = ""
    action_message: str = ""
    action_error: str = ""
    # Messages are read in pages; a refresh re-reads from where the last page started (new messages and
    # delivery changes land there), keeping the pages before it.
    _conversation_id: str = ""
    _last_page_after: str = ""
    _last_page_start: int = 0
    _end_cursor: str = ""

    @rx.event
    async def load(self):
        """The conversation named by the URL, then live refreshes while this tab shows it."""
        self._conversation_id = id_from_path(self.router.url.path)
        self.action_message = self.action_error = self.golden_message = self.golden_error = ""
        self.run_limit = RUNS_STEP
        if not (await self.get_state(AuthState)).has_session:
            return None
        live_feed.watch(self.router.session.client_token, *LIVE_UPDATES, page=ConversationDetailState)
        return await self._read(after="", start=0)

    @rx.event
    async def load_more_messages(self):
        if self.has_more_messages:
            return await self._read(after=self._end_cursor, start=len(self.messages))
        return None

    @rx.event
    async def show_more_runs(self):
        self.run_limit = min(self.run_limit + RUNS_STEP, MAX_RUNS)
        return await self._refresh()

    def apply_update(self, kind: str, payload: dict[str, Any]) -> bool:
        """Pushed by the live feed: read again (`refresh`) when this conversation changed or one of its turns
        was scored."""
        if kind == "scored":
            return (payload.get("conversation") or {}).get("id") == self._conversation_id
        return kind == "conversation" and payload.get("id") == self._conversation_id

    async def refresh(self) -> None:
        await self._refresh()

    async def _refresh(self):
        return await self._read(after=self._last_page_after, start=self._last_page_start)

    async def _read(self, *, after: str, start: int):
        auth = await self.get_state(AuthState)
        if not auth.has_session or not self._conversation_id:
            return None
        variables = {
            "id": self._conversation_id,
            "messages": MESSAGES_PER_PAGE,
            "after": after or None,
            "runs": self.run_limit,
        }
        data = await call_or_report(self, CONVERSATION_DETAIL, variables)
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        conversation = data["conversation"]
        self.found = conversation is not None
        if conversation is None:
            return None
        page = conversation["messages"]
        self.conversation = header(conversation)
        self.messages = [*self.messages[:start], *(message_row(edge["node"]) for edge in page["edges"])]
        self._last_page_after, self._last_page_start = after, start
        self.has_more_messages = page["pageInfo"]["hasNextPage"]
        self._end_cursor = page["pageInfo"]["endCursor"] or after
        self.runs = [run_view(run) for run in conversation["runs"]]
        self.bookings = [booking_row(booking) for booking in conversation["bookings"]]
        self.tickets = [ticket_row(ticket) for ticket in conversation["tickets"]]
        self.violations = [violation_view(item) for item in conversation["violations"]]
        self.scores = [
            score_view(score, run_id=(score.get("run") or {}).get("id", ""))
            for score in conversation["scores"]
        ]
        return None

    async def _act(
        self, document: str, field: str, variables: dict[str, Any], *, report: str = "action_error"
    ) -> dict[str, Any] | Refused:
        """Run one of the operator's mutations; a typed error or the API's refusal is shown (in `report`), not
        raised."""
        self.action_message = self.action_error = self.golden_message = self.golden_error = ""
        data = await call_or_report(self, document, {"input": variables}, report=report)
        if isinstance(data, Refused):
            return data
        result = data[field]
        if result["__typename"] in TYPED_ERRORS:
            setattr(self, report, _typed_error(result))
            return Refused()
        return result

    @rx.event
    async def send_reply(self, form: dict[str, str]):
        """Reply to the customer as a human; it is delivered like the agent's replies."""
        text = form.get("text", "").strip()
        if not text:
            self.action_error = "Write a reply first."
            return None
        result = await self._act(
            SEND_HUMAN_REPLY, "sendHumanReply", {"conversationId": self._conversation_id, "text": text}
        )
        if isinstance(result, Refused):
            return result.answer
        self.action_message = "Reply queued for delivery."
        return await self._refresh()

    @rx.event
    async def return_to_agent(self):
        """Let the agent answer this customer again."""
        result = await self._act(RETURN_TO_AGENT, "returnToAgent", {"conversationId": self._conversation_id})
        if isinstance(result, Refused):
            return result.answer
        self.action_message = "The agent answers this conversation again."
        return await self._refresh()

    @rx.event
    async def make_golden(self, form: dict[str, str]):
        """Freeze this conversation as a golden case in a new version of a suite."""
        suite = form.get("suite", "").strip()
        if not suite:
            self.action_error = "Name the suite the golden case goes into."
            return None
        name = form.get("name", "").strip() or None
        variables = {"conversationId": self._conversation_id, "suite": suite, "name": name}
        result = await self._act(CREATE_GOLDEN, "createGoldenFromConversation", variables)
        if isinstance(result, Refused):
            return result.answer
        self.action_message = _golden_made(result)
        return None

    @rx.event
    async def make_golden_from_low_score(self):
        """One click: this conversation becomes a case of the `from-production` suite that expects the failed
        evaluators to pass on the failed turns (so it fails until the agent is fixed)."""
        variables = {"conversationId": self._conversation_id, "suite": LOW_SCORE_SUITE}
        result = await self._act(
            CREATE_GOLDEN, "createGoldenFromConversation", variables, report="golden_error"
        )
        if isinstance(result, Refused):
            return result.answer
        failed = sorted({score.evaluator for score in low_scores(self.scores)})
        self.golden_message = (
            f"{_golden_made(result)} It expects {', '.join(failed) or 'the evaluators'} to pass where "
            "this conversation failed: it fails until the agent is fixed."
        )
        return None

    @rx.var
    def low_scored(self) -> bool:
        return any(score.verdict == "fail" for score in self.scores)

    @rx.var
    def handed_off(self) -> bool:
        return self.conversation.get("status") == "HANDED_OFF"

    @rx.var
    def more_runs_possible(self) -> bool:
        return len(self.runs) >= self.run_limit and self.run_limit < MAX_RUNS
