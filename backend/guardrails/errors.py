"""The one error guardrail configuration raises, so callers can tell a bad config file from a bug."""


class GuardrailConfigError(ValueError):
    """A guardrail config file names an unknown rule, stage, action or parameter, or is malformed."""
