"""The schema: each domain's Query/Mutation/Subscription mixins combined, plus limits and error masking."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from strawberry import relay

# First: the GraphQL faces of the shared enums (Channel, DeliveryProvider, DeliveryStatus, with their
# descriptions) are declared in conversations' types module. A module that declares a field of one of them
# before it runs (channels' delivery and sandbox types, which refer to conversations' types only lazily) would
# give the enum a second, bare definition and the schema would refuse to build.
import backend.conversations.types  # noqa: F401
from backend.auth.mutations import AuthMutations
from backend.auth.queries import AuthQueries
from backend.channels.delivery.mutations import DeliveryMutations
from backend.channels.delivery.queries import DeliveryQueries
from backend.channels.sandbox.queries import SandboxQueries
from backend.conversations.mutations import ConversationMutations
from backend.conversations.queries import ConversationQueries
from backend.conversations.subscriptions import ConversationSubscriptions
from backend.demo.mutations import DemoMutations
from backend.evals.mutations import EvalMutations, GoldenMutations
from backend.evals.queries import EvalQueries
from backend.evals.subscriptions import EvalSubscriptions
from backend.graphql.errors import MaskUnexpectedErrors
from backend.graphql.limits import PreparedDocuments
from backend.guardrails.queries import GuardrailQueries
from backend.incidents.mutations import IncidentMutations
from backend.incidents.queries import IncidentQueries
from backend.incidents.subscriptions import IncidentSubscriptions
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
from backend.simulations.mutations import SimulationMutations
from backend.simulations.queries import SimulationQueries
from backend.simulations.subscriptions import SimulationSubscriptions
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
