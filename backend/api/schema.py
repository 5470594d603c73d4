"""The schema: each domain's Query/Mutation/Subscription mixins combined, plus limits and error masking."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from strawberry import relay

from backend.auth.mutations import AuthMutations
from backend.auth.queries import AuthQueries
from backend.channels.delivery.graphql import DeliveryMutations, DeliveryQueries
from backend.channels.sandbox.graphql import SandboxQueries
from backend.conversations.mutations import ConversationMutations
from backend.conversations.queries import ConversationQueries
from backend.conversations.subscriptions import ConversationSubscriptions
from backend.demo.graphql import DemoMutations
from backend.evals.mutations import EvalMutations, GoldenMutations
from backend.evals.queries import EvalQueries
from backend.evals.subscriptions import EvalSubscriptions
from backend.graphql.errors import MaskUnexpectedErrors
from backend.graphql.limits import PreparedDocuments
from backend.guardrails.queries import GuardrailQueries
from backend.incidents.graphql import IncidentMutations, IncidentQueries, IncidentSubscriptions
from backend.ingest.mutations import IngestMutations
from backend.ingest.queries import IngestQueries
from backend.ingest.subscriptions import IngestSubscriptions
from backend.observability.live import LiveMetricsQueries, LiveMetricsSubscriptions
from backend.observability.queries import MetricsQueries
from backend.observability.slo_queries import SloQueries
from backend.quality.queries import QualityQueries
from backend.runs.mutations import AgentMutations
from backend.runs.queries import AgentQueries
from backend.runs.subscriptions import AgentSubscriptions
from backend.scheduling.queries import SchedulingQueries
from backend.settings import Settings, get_settings
from backend.simulations.graphql import SimulationMutations, SimulationQueries, SimulationSubscriptions
from backend.tickets.queries import TicketQueries
from backend.users.mutations import UserMutations


@strawberry.type
class Query(
    AuthQueries,
    ConversationQueries,
    IngestQueries,
    AgentQueries,
    SchedulingQueries,
    TicketQueries,
    GuardrailQueries,
    EvalQueries,
    MetricsQueries,
    LiveMetricsQueries,
    SloQueries,
    IncidentQueries,
    SimulationQueries,
    DeliveryQueries,
    QualityQueries,
    SandboxQueries,
):
    node: relay.Node | None = relay.node(description="Any object by its global id.")


@strawberry.type
class Mutation(
    AuthMutations,
    ConversationMutations,
    IngestMutations,
    AgentMutations,
    EvalMutations,
    GoldenMutations,
    IncidentMutations,
    SimulationMutations,
    UserMutations,
    DemoMutations,
    DeliveryMutations,
):
    pass


@strawberry.type
class Subscription(
    ConversationSubscriptions,
    IngestSubscriptions,
    AgentSubscriptions,
    EvalSubscriptions,
    IncidentSubscriptions,
    LiveMetricsSubscriptions,
    SimulationSubscriptions,
):
    pass


def _limits() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def get_schema() -> strawberry.Schema:
    """The executable schema; built once per process (Strawberry's relay fields cannot be built twice)."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            MaskUnexpectedErrors,
            # Parsing and validation under the limits, cached per query text; the limits read the process's
            # settings as each request starts.
            lambda: PreparedDocuments(
                max_tokens=_limits().graphql_max_tokens,
                max_depth=_limits().graphql_max_depth,
                max_aliases_count=_limits().graphql_max_aliases,
            ),
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return get_schema().as_str() + "\n"
