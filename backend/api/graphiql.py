"""GraphiQL ready to use: example operations in tabs, and the API key taken from the URL fragment.

`agentops up` prints `/graphql#key=<key>`. A fragment is never sent to a server, so the key cannot reach an
access log or a proxy's; the page reads it, puts `Authorization: Bearer <key>` in every tab's headers
(GraphiQL also sends them as the websocket's connection_init payload, which is how subscriptions
authenticate), and clears it from the address bar. Strawberry's own page reads headers from the query string
instead, which servers do log.

Its React, ReactDOM and GraphiQL files come from this API when they are installed here (graphiql_files.py), so
the page works with no internet, else from the public CDN; the same bytes either way (integrity hashes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path

from backend.api.graphiql_files import ASSETS, asset_url, served_locally

TEMPLATE = Path(__file__).with_name("graphiql.html")
TABS_PLACEHOLDER = "/*AGENTOPS_EXAMPLE_TABS*/[]"
FILES_PLACEHOLDER = "<!--AGENTOPS_GRAPHIQL_FILES-->"


@dataclass(frozen=True)
class ExampleOperation:
    document: str  # named: GraphiQL titles each tab with its operation's name
    # JSON variables; "{{now}}" and "{{unique}}" are filled in by the page when it opens (a fresh time and
    # idempotency key, so the example is accepted as new each time the page is opened, and a repeat shows
    # dedupe).
    variables: str | None = None


EXAMPLES = (
    ExampleOperation(
        document=(
            "# The newest conversations: press the run button.\n"
            "# The API key is in the Headers pane below.\n"
            "query Conversations {\n"
            "  conversations(first: 5) {\n"
            "    edges {\n"
            "      node {\n"
            "        id channel customer status\n"
            "        lastMessage { text }\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}\n"
        ),
    ),
    ExampleOperation(
        document=(
            "# A customer's SMS, through the real ingest path.\n"
            "# The agent answers within a second: see it in\n"
            "# the Live tab (run it first) or Conversations.\n"
            "mutation SendCustomerMessage($input: IngestEventInput!) {\n"
            "  ingestEvent(input: $input) {\n"
            "    __typename\n"
            "    ... on EventAccepted { eventId duplicate }\n"
            "    ... on ValidationError { field message }\n"
            "    ... on RateLimited { retryAfterSeconds }\n"
            "    ... on Unauthorized { message }\n"
            "  }\n"
            "}\n"
        ),
        variables=json.dumps(
            {
                "input": {
                    "channel": "SMS",
                    "idempotencyKey": "graphiql-{{unique}}",
                    "sender": "+15550100199",
                    "text": "Can I book a haircut tomorrow?",
                    "occurredAt": "{{now}}",
                }
            },
            indent=2,
        ),
    ),
    ExampleOperation(
        document=(
            "# Each change to a conversation, as it happens:\n"
            "# the message, the agent's reply, its delivery.\n"
            "subscription Live {\n"
            "  conversationUpdated {\n"
            "    customer status\n"
            "    lastMessage { author text deliveryStatus deliveryProvider sandbox }\n"
            "  }\n"
            "}\n"
        ),
    ),
    ExampleOperation(
        document=(
            "# Replies the built-in sandbox took in place of\n"
            "# a real SMS, chat or voice provider.\n"
            "query SandboxOutbox {\n"
            "  deliveryEndpoints { channel provider sandbox }\n"
            "  sandboxMessages(first: 5) {\n"
            "    edges { node { providerId channel recipient text acceptedAt } }\n"
            "  }\n"
            "}\n"
        ),
    ),
)


def graphiql_page() -> str:
    """The GraphiQL page with the example tabs in it (the key is never in it), loading its files from here
    when they are installed."""
    return _page(local=served_locally())


def _file_tags(*, local: bool) -> str:
    tags = []
    for asset in ASSETS:
        url, integrity = escape(asset_url(asset, local=local)), escape(asset.integrity)
        if asset.file.endswith(".css"):
            tags.append(f'    <link crossorigin rel="stylesheet" href="{url}" integrity="{integrity}" />')
        else:
            tags.append(f'    <script crossorigin src="{url}" integrity="{integrity}"></script>')
    return "\n".join(tags)


@lru_cache(maxsize=2)
def _page(*, local: bool) -> str:
    tabs = [{"query": example.document, "variables": example.variables} for example in EXAMPLES]
    # Inside a <script>: "</" must not end it early.
    encoded = json.dumps(tabs).replace("</", "<\\/")
    template = TEMPLATE.read_text(encoding="utf-8")
    return template.replace(TABS_PLACEHOLDER, encoded).replace(FILES_PLACEHOLDER, _file_tags(local=local))
