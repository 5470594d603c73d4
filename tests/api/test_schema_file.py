"""schema.graphql is what the code defines: regenerate it with `agentops schema export`."""

from backend.api.schema import schema_sdl
from backend.settings import PROJECT_ROOT


def test_committed_schema_matches_the_code():
    committed = (PROJECT_ROOT / "schema.graphql").read_text()
    assert committed == schema_sdl(), "schema.graphql is stale: run `agentops schema export` and commit it"
