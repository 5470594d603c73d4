"""What the dashboard process needs to know, from the environment `agentops dashboard` sets."""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardConfig(BaseSettings):
    """AGENTOPS_DASHBOARD_* variables; the dashboard reads no other configuration of the product."""

    model_config = SettingsConfigDict(env_prefix="AGENTOPS_DASHBOARD_", extra="ignore")

    api_url: str = "http://127.0.0.1:8000/graphql"
    # Read-only key of the one shared live feed (never a user's session token, which ends at logout).
    api_key: SecretStr | None = None
    # Ingest-only key of the Try it page: customer messages go through the ingest path as an adapter's would.
    ingest_key: SecretStr | None = None
    request_timeout_seconds: float = 10.0
    # Where browser sessions live (frontend/sessions): `agentops dashboard` passes AGENTOPS_REDIS_URL.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The address operators open the dashboard at, when a proxy makes it differ from the Host the dashboard
    # sees: login and logout forms posted from it are the dashboard's own (`agentops dashboard` passes
    # AGENTOPS_DASHBOARD_PUBLIC_URL).
    public_url: str | None = None

    @property
    def websocket_url(self) -> str:
        """The same endpoint over graphql-transport-ws."""
        return "ws" + self.api_url.removeprefix("http")


@lru_cache(maxsize=1)
def get_config() -> DashboardConfig:
    """The process-wide configuration."""
    return DashboardConfig()
