"""Model evals on cassettes: record a case from a loopback model, replay it offline, and report what
changed."""

import json
import os
import subprocess
import sys
import textwrap

import httpx
import pytest

from backend.agent.cassettes import UUID, Cassette, CassetteMiss, recorded_request
from backend.agent.setup import build_agent
from backend.core.scopes import Scope
from backend.evals import service
from backend.evals.models import EvalCaseResult, ModelSource
from backend.evals.sync import latest_suite, sync_suites
from backend.events.hub import SilentHub
from backend.scheduling.models import Slot
from backend.turns.runtime import FALLBACK_REPLY
from tests.fake_llm import ScriptedLLM, last_tool_result, say, tool_call
from tests.fake_provider import serve
from tests.helpers import free_port, graphql

SUITE = "modelbook"
CASE = "massage-friday-at-ten"
GOLDEN = """
    name: massage-friday-at-ten
    description: The model checks Friday, books the slot it was offered, then answers a thank-you.
    turns:
      - customer: "Can I get a massage on Friday at 10am? I'm Priya Natarajan"
        expect:
          tools: [{name: check_availability, args: {service: massage}}, {name: book_appointment}]
          reply_contains: ["Booked"]
      - customer: "Thanks!"
        expect:
          not_tools: [book_appointment]
          reply_contains: ["welcome"]
    final:
      booking: {service: massage, date: "2030-01-11", time: "10:00", name: Priya Natarajan}
"""
MODEL = "scripted-test-model"
START = """
mutation($input: StartEvalRunInput!) { startEvalRun(input: $input) {
  __typename ... on StartEvalRunPayload { evalRun { policy modelSource } } ... on ValidationError { field
      message } } }
"""


def _booking_script() -> list:
    return [
        tool_call(
            "check_availability", {"service": "massage", "date_from": "2030-01-11", "from_time": "10:00"}
        ),
        tool_call(
            "book_appointment",
            lambda body: {
                "slot_id": last_tool_result(body)["slots"][0]["slot_id"],
                "customer_name": "Priya Natarajan",
            },
        ),
        say("Booked your massage for Friday at 10:00, Priya!"),
        say("You're welcome, see you Friday."),
    ]


async def _suite(tmp_path):
    folder = tmp_path / "goldens" / SUITE
    folder.mkdir(parents=True)
    (folder / f"{CASE}.yaml").write_text(textwrap.dedent(GOLDEN))
    await sync_suites(directory=tmp_path / "goldens")
    return await latest_suite(SUITE)


async def _run(settings, suite, source: ModelSource, prompt_version: str = "v1") -> EvalCaseResult:
    setup = build_agent(settings, policy="openai", prompt_version=prompt_version)
    run = await service.run_suite_here(
        suite=suite, setup=setup, hub=SilentHub(), settings=settings, model_source=source
    )
    assert run.model_source == source and run.total == 1
    return await EvalCaseResult.get(run=run)


def _cassette(tmp_path) -> dict:
    return json.loads((tmp_path / "cassettes" / SUITE / f"{CASE}.json").read_text())


def _without_ids(value) -> str:
    return UUID.sub("<uuid>", json.dumps(value, sort_keys=True))


def _configure(monkeypatch, settings, tmp_path, base_url: str) -> None:
    monkeypatch.setattr(settings, "eval_cassettes_dir", tmp_path / "cassettes")
    monkeypatch.setattr(settings, "openai_base_url", base_url)
    monkeypatch.setattr(settings, "openai_model", MODEL)


def test_the_key_ignores_which_ids_a_run_has_and_replay_maps_placeholders_back():
    def body(slot: str, booking: str) -> dict:
        return {
            "model": MODEL,
            "tools": [],
            "messages": [
                {"role": "user", "content": "book it"},
                {
                    "role": "tool",
                    "tool_call_id": "call_1",
                    "content": json.dumps({"slots": [{"slot_id": slot}]}),
                },
                {
                    "role": "tool",
                    "tool_call_id": "call_2",
                    "content": json.dumps({"booking_id": booking, "slot_id": slot}),
                },
            ],
        }

    first = recorded_request(
        body("6f1c1c7e-0000-4000-8000-000000000001", "6f1c1c7e-0000-4000-8000-000000000002")
    )
    again = recorded_request(
        body("0a9b8c7d-1111-4111-8111-111111111111", "0a9b8c7d-2222-4222-8222-222222222222")
    )
    assert first.key == again.key
    assert first.summary["last_message"]["content"] == {"booking_id": "<id2>", "slot_id": "<id1>"}
    recorded = first.hide_ids({"arguments": '{"slot_id": "6f1c1c7e-0000-4000-8000-000000000001"}'})
    assert recorded == {"arguments": '{"slot_id": "<id1>"}'}
    assert again.restore_ids(recorded) == {"arguments": '{"slot_id": "0a9b8c7d-1111-4111-8111-111111111111"}'}
    assert (
        recorded_request({**body("6f1c1c7e-0000-4000-8000-000000000001", "x"), "model": "other"}).key
        != first.key
    )


async def test_replaying_a_case_never_recorded_is_a_miss_that_says_so(tmp_path):
    cassette = Cassette.replaying(path=tmp_path / SUITE / f"{CASE}.json", case=f"{SUITE}/{CASE}")
    async with httpx.AsyncClient(transport=cassette) as http:
        with pytest.raises(CassetteMiss, match="there is no cassette modelbook/massage-friday-at-ten.json"):
            await http.post("http://model.invalid/v1/chat/completions", json={"model": MODEL, "messages": []})
    assert len(cassette.misses) == 1 and cassette.misses[0].call == 1


async def test_a_recorded_case_replays_offline_and_books_this_runs_slot(
    app, tmp_path, test_settings, monkeypatch
):
    suite = await _suite(tmp_path)
    llm = ScriptedLLM(script=_booking_script())
    async with serve(llm.app(), free_port()) as base:
        _configure(monkeypatch, test_settings, tmp_path, f"{base}/v1")
        recorded = await _run(test_settings, suite, ModelSource.RECORD)
    assert recorded.passed, recorded.failures
    cassette = _cassette(tmp_path)
    assert len(cassette["calls"]) == len(llm.requests) == 4
    assert not UUID.search(json.dumps(cassette)), "ids of this run leaked into the cassette"
    booked = json.loads(
        cassette["calls"][1]["response"]["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    )
    assert booked["slot_id"].startswith("<id")
    assert cassette["calls"][0]["request"]["last_message"]["content"].startswith("Can I get a massage")

    # Fresh slots: the same slot now has another id, which only the placeholder can find.
    await Slot.all().delete()
    replayed = await _run(test_settings, suite, ModelSource.REPLAY)  # the model server is stopped

    assert replayed.passed, replayed.failures
    assert replayed.transcript == recorded.transcript
    assert _without_ids(replayed.tool_calls) == _without_ids(recorded.tool_calls)
    booking = next(call for call in replayed.tool_calls if call["name"] == "book_appointment")
    friday_ten = await Slot.get(id=booking["arguments"]["slot_id"]).prefetch_related("service")
    assert friday_ten.service.name == "massage" and booking["result"]["booked"] is True
    assert (
        booking["arguments"]["slot_id"]
        != next(call for call in recorded.tool_calls if call["name"] == "book_appointment")["arguments"][
            "slot_id"
        ]
    )


async def test_recording_again_rewrites_the_cassette(app, tmp_path, test_settings, monkeypatch):
    suite = await _suite(tmp_path)
    async with serve(ScriptedLLM(script=_booking_script()).app(), free_port()) as base:
        _configure(monkeypatch, test_settings, tmp_path, f"{base}/v1")
        await _run(test_settings, suite, ModelSource.RECORD)
    first = _cassette(tmp_path)
    terse = ScriptedLLM(script=[say("Which day suits you?"), say("You're welcome!")])
    async with serve(terse.app(), free_port()) as base:
        monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
        second = await _run(test_settings, suite, ModelSource.RECORD)
    assert not second.passed  # the new answers no longer book; that is for the case to say, not the cassette
    calls = _cassette(tmp_path)["calls"]
    assert len(calls) == 2 and [call["key"] for call in calls] != [call["key"] for call in first["calls"]][:2]
    assert calls[0]["response"]["choices"][0]["message"]["content"] == "Which day suits you?"


async def test_a_new_prompt_version_is_a_cassette_miss_in_the_cli(app, tmp_path, test_settings, monkeypatch):
    suite = await _suite(tmp_path)
    async with serve(ScriptedLLM(script=_booking_script()).app(), free_port()) as base:
        _configure(monkeypatch, test_settings, tmp_path, f"{base}/v1")
        await _run(test_settings, suite, ModelSource.RECORD)

    missed = await _run(test_settings, suite, ModelSource.REPLAY, prompt_version="v2")
    assert not missed.passed and [miss["expectation"] for miss in missed.failures] == ["cassette"]
    miss = missed.failures[0]
    assert miss["turn"] == 1 and miss["call"] == 1 and set(miss["expected"]) == {"system_prompt"}
    assert miss["expected"]["system_prompt"] != miss["actual"]["system_prompt"]
    assert missed.transcript[0]["reply"] == FALLBACK_REPLY  # not answered by a made-up recording

    env = {
        **os.environ,
        "AGENTOPS_LOG_LEVEL": "WARNING",
        "AGENTOPS_OPENAI_MODEL": MODEL,
        "AGENTOPS_EVAL_CASSETTES_DIR": str(tmp_path / "cassettes"),
        "AGENTOPS_OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
    }  # nothing listens there
    cli = [sys.executable, "-m", "backend.cli.main", "eval", "run", "--suite", SUITE, "--policy", "openai"]
    head = subprocess.run(
        cli + ["--prompt-version", "v2"], capture_output=True, text=True, env=env, timeout=120
    )
    assert head.returncode == 0, head.stdout + head.stderr
    assert f"CASSETTE MISS {CASE}: turn 1, model call 1" in head.stdout, head.stdout
    assert "system prompt differs" in head.stdout and "1 cassette miss(es)" in head.stdout
    assert "│ replay " in head.stdout  # the summary names the model source


async def test_start_eval_run_takes_a_model_source_for_the_openai_policy_only(
    app, client, make_key, tmp_path
):
    key = await make_key(Scope.OPERATE)
    await _suite(tmp_path)
    started = (
        await graphql(client, START, key=key, variables={"input": {"suite": SUITE, "policy": "openai"}})
    ).json()
    assert started["data"]["startEvalRun"]["evalRun"] == {"policy": "openai", "modelSource": "REPLAY"}
    refused = (
        await graphql(
            client,
            START,
            key=key,
            variables={"input": {"suite": SUITE, "policy": "rules", "modelSource": "LIVE"}},
        )
    ).json()["data"]["startEvalRun"]
    assert refused["__typename"] == "ValidationError" and refused["field"] == "modelSource"
