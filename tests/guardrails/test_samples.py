"""Every labelled text in fixtures/guardrails/samples.yaml fires exactly its expected rules under the newest
config."""

from datetime import datetime, time

import pytest
import yaml

from backend.agent.tools.registry import TOOLS
from backend.guardrails.config import GUARDRAILS_DIR, load_guardrails
from backend.guardrails.engine import CheckResult, check_input, check_output, check_tool

CORPUS = yaml.safe_load((GUARDRAILS_DIR / "samples.yaml").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(CORPUS["now"])
HOURS = {
    int(day): (time.fromisoformat(opens), time.fromisoformat(closes))
    for day, (opens, closes) in CORPUS["hours"].items()
}


def _check(sample: dict) -> CheckResult:
    config = load_guardrails()
    if sample["stage"] == "INPUT":
        return check_input(sample["text"], config=config)
    if sample["stage"] == "OUTPUT":
        return check_output(
            sample["text"], config=config, channel=sample["channel"], customer=CORPUS["customer"]
        )
    slot_start = datetime.fromisoformat(sample["slot_start"]) if "slot_start" in sample else None
    return check_tool(
        sample["tool"],
        sample["arguments"],
        config=config,
        json_schema=TOOLS[sample["tool"]].json_schema(),
        now=NOW,
        hours=HOURS,
        slot_start=slot_start,
    )


def test_the_corpus_is_big_and_balanced_enough_to_mean_something():
    samples = CORPUS["samples"]
    assert len(samples) >= 30
    assert len({sample["id"] for sample in samples}) == len(samples)
    assert sum(not sample["expected"] for sample in samples) >= 10  # look-alikes that must stay quiet
    assert {sample["stage"] for sample in samples} == {"INPUT", "OUTPUT", "TOOL"}


@pytest.mark.parametrize("sample", CORPUS["samples"], ids=lambda sample: sample["id"])
def test_sample_fires_exactly_its_expected_rules(sample):
    result = _check(sample)
    assert sorted({finding.rule for finding in result.findings}) == sorted(sample["expected"]), (
        result.findings
    )
