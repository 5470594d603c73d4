"""Building the deployment's agent from settings: the policy by name, the prompt by name and version."""

from __future__ import annotations

from dataclasses import dataclass, replace

import structlog

from backend.agent.nlu import calendar_parser
from backend.agent.policies.base import Policy
from backend.agent.policies.openai import OpenAIPolicy
from backend.agent.policies.rules import RulesPolicy
from backend.agent.prompts import Prompt, PromptNotFound, load_prompt
from backend.core.faults import PROMPT, ActiveFaults
from backend.guardrails.config import GuardrailConfig, load_guardrails
from backend.settings import Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class AgentSetup:
    """The deployment's choice of policy and prompt, recorded on every run."""

    policy: Policy
    prompt: Prompt
    timezone: str
    guardrails: GuardrailConfig


def make_policy(name: str, settings: Settings) -> Policy:
    """A policy instance by its name ("rules" or "openai")."""
    if name == "rules":
        return RulesPolicy()
    if name == "openai":
        return OpenAIPolicy.from_settings(settings)
    raise ValueError(f"unknown policy {name!r} (known: rules, openai)")


def build_agent(
    settings: Settings, *, policy: str | None = None, prompt_version: str | None = None
) -> AgentSetup:
    """The agent this deployment runs (or the one a playground/eval run asks for)."""
    if (policy or settings.agent_policy) == "rules":
        calendar_parser.warm_up()  # at start-up, not in the first customer's turn
    return AgentSetup(
        policy=make_policy(policy or settings.agent_policy, settings),
        prompt=load_prompt(settings.agent_prompt, prompt_version or settings.agent_prompt_version),
        timezone=settings.business_timezone,
        guardrails=load_guardrails(settings.guardrails_version),
    )


def with_drilled_prompt(setup: AgentSetup, faults: ActiveFaults) -> AgentSetup:
    """The setup with the prompt version a PROMPT_REGRESSION drill puts in place for this turn, if it drew
    one.

    The run records the version it answered with, so the drill's turns are told apart from the others.
    """
    version = faults.override(PROMPT)
    if version is None or version == setup.prompt.version:
        return setup
    try:
        return replace(setup, prompt=load_prompt(setup.prompt.name, version))
    except PromptNotFound as error:  # the drill was checked when it started: a file removed since
        log.warning("agent.drilled_prompt_missing", error=str(error))
        return setup
