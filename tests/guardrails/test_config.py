"""Guardrail configs load by version and reject anything they do not understand with an error that says
what."""

from pathlib import Path

import pytest
import yaml

from backend.guardrails.config import GUARDRAILS_DIR, available_versions, load_guardrails, parse_guardrails
from backend.guardrails.enums import Action, Severity, Stage
from backend.guardrails.errors import GuardrailConfigError
from backend.guardrails.params import Params
from backend.guardrails.rules import RULES


def _entry(**overrides) -> dict:
    return {
        "rule": "abuse",
        "stage": "INPUT",
        "action": "FLAG",
        "severity": "MEDIUM",
        "params": {"words": ["darn"]},
    } | overrides


def _parse(*entries: dict, version: str = "v9"):
    return parse_guardrails(data={"version": version, "rules": list(entries)}, version=version)


def test_v1_is_the_newest_and_configures_every_shipped_rule():
    config = load_guardrails()
    assert config.version == "v1" == load_guardrails("v1").version
    assert {entry.name for entry in config.rules} == set(RULES)
    assert [entry.name for entry in config.for_stage(Stage.TOOL)] == ["booking_outside_hours", "tool_schema"]
    pii_at_input = next(entry for entry in config.rules if (entry.name, entry.stage) == ("pii", Stage.INPUT))
    assert (pii_at_input.action, pii_at_input.severity) == (Action.REDACT, Severity.HIGH)


def test_v1_pins_every_parameter_so_a_new_code_default_cannot_change_it():
    data = yaml.safe_load((GUARDRAILS_DIR / "v1.yaml").read_text(encoding="utf-8"))
    for entry in data["rules"]:
        params = Params(rule=entry["rule"], values=entry.get("params") or {}, directory=GUARDRAILS_DIR)
        RULES[entry["rule"]].from_params(params)
        assert params.defaulted() == [], entry["rule"]


def test_the_newest_version_is_chosen_by_number_and_other_yaml_files_are_ignored(tmp_path: Path):
    for version in ("v2", "v10", "v9"):
        (tmp_path / f"{version}.yaml").write_text(yaml.safe_dump({"version": version, "rules": [_entry()]}))
    (tmp_path / "samples.yaml").write_text("samples: []")
    assert available_versions(directory=tmp_path) == ["v2", "v9", "v10"]
    assert load_guardrails(directory=tmp_path).version == "v10"


def test_an_unknown_version_lists_the_ones_there_are():
    with pytest.raises(GuardrailConfigError, match=r"no guardrail config version 'v99' \(have: v1"):
        load_guardrails("v99")


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (_entry(rule="profanity"), r"unknown rule 'profanity' \(known: abuse, booking_outside_hours"),
        (
            _entry(stage="PRE_SEND"),
            r"rule 'abuse': unknown stage 'PRE_SEND' \(allowed: INPUT, OUTPUT, TOOL\)",
        ),
        (_entry(action="DELETE"), r"unknown action 'DELETE' \(allowed: BLOCK, REDACT, FLAG\)"),
        (_entry(severity="SEVERE"), r"unknown severity 'SEVERE'"),
        (_entry(stage="TOOL"), r"rule 'abuse' cannot run at stage TOOL \(it checks: INPUT\)"),
        (
            _entry(rule="reply_length", stage="OUTPUT", action="REDACT", params={}),
            r"'reply_length' cannot REDACT",
        ),
        (_entry(params={"words": ["darn"], "word_list": "x"}), r"unknown parameters \['word_list'\]"),
        (_entry(params={"words": "darn"}), r"parameter 'words' must be a list of strings"),
        (_entry(params={}), r"needs words"),
        (_entry(params={"words": ["piss off"]}), r"single words of letters, not \['piss off'\]"),
        (_entry(params={"words_file": "missing.txt"}), r"'missing.txt', which is not a file"),
        (_entry(enabled="yes"), r"enabled must be true or false"),
        (_entry(colour="red"), r"unknown keys \['colour'\]"),
        (
            _entry(rule="reply_length", stage="OUTPUT", params={"max_sms_segments": 0}),
            r"'max_sms_segments' must be a whole number >= 1",
        ),
        (
            _entry(rule="unauthorized_promise", stage="OUTPUT", params={"forbidden_patterns": ["refund("]}),
            r"invalid pattern 'refund\('",
        ),
        (_entry(rule="pii", params={"kinds": ["PASSPORT"]}), r"unknown values \['PASSPORT'\]"),
    ],
)
def test_bad_entries_fail_with_a_clear_error(entry, error):
    with pytest.raises(GuardrailConfigError, match=error):
        _parse(entry)


def test_a_rule_may_appear_once_per_stage():
    config = _parse(
        _entry(rule="pii", params={}), _entry(rule="pii", stage="OUTPUT", action="BLOCK", params={})
    )
    assert [entry.stage for entry in config.rules] == [Stage.INPUT, Stage.OUTPUT]
    with pytest.raises(GuardrailConfigError, match="configured twice for stage INPUT"):
        _parse(_entry(), _entry())


def test_disabled_rules_are_still_validated_but_do_not_run():
    config = _parse(_entry(enabled=False))
    assert config.for_stage(Stage.INPUT) == ()
    with pytest.raises(GuardrailConfigError):
        _parse(_entry(enabled=False, params={"typo": 1}))


def test_the_version_in_the_file_must_match_its_name():
    with pytest.raises(GuardrailConfigError, match="says it is version 'v2'"):
        parse_guardrails(data={"version": "v2", "rules": [_entry()]}, version="v3")


def test_malformed_yaml_is_a_config_error(tmp_path: Path):
    (tmp_path / "v1.yaml").write_text("rules: [unclosed")
    with pytest.raises(GuardrailConfigError, match="not valid YAML"):
        load_guardrails("v1", directory=tmp_path)


def test_stage_and_action_names_are_read_in_any_case():
    (entry,) = _parse(_entry(stage="input", action="flag", severity="low")).rules
    assert (entry.stage, entry.action, entry.severity) == (Stage.INPUT, Action.FLAG, Severity.LOW)
