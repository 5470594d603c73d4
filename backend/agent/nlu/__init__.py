"""Natural-language understanding for the offline, deterministic `rules` policy."""

from backend.agent.nlu.understanding import Understanding, understand

__all__ = ["Understanding", "understand"]
