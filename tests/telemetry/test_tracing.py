"""Spans of an agent turn carry the GenAI semantic-convention attributes (captured in memory)."""

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from backend.agent.setup import build_agent
from backend.runs import playground
from tests.agent.helpers import open_business, weekday_ahead
from tests.fake_llm import ScriptedLLM, say
from tests.fake_provider import serve
from tests.helpers import free_port


@pytest.fixture(scope="module")
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # once per process: the real SDK, exporting to memory
    yield exporter


async def test_a_turn_is_an_invoke_agent_span_with_execute_tool_children(app, test_settings, spans):
    await open_business()
    spans.clear()
    day = weekday_ahead()
    turns = await playground.respond(
        setup=build_agent(test_settings),
        texts=[f"any haircuts on {day:%A}?"],
        conversation_id=None,
        dry_run=True,
    )
    finished = spans.get_finished_spans()
    agent = next(span for span in finished if span.name == "invoke_agent rules")
    assert agent.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert agent.attributes["gen_ai.agent.name"] == "rules"
    assert agent.attributes["agentops.run.id"] == str(turns[0].outcome.run_id)
    assert agent.attributes["gen_ai.conversation.id"]
    tools = [span for span in finished if span.name.startswith("execute_tool")]
    assert tools and tools[0].attributes["gen_ai.tool.name"] == "check_availability"
    assert tools[0].attributes["gen_ai.operation.name"] == "execute_tool"
    assert all(span.parent is not None and span.parent.span_id == agent.context.span_id for span in tools)


async def test_an_llm_request_is_a_chat_span_with_token_usage(app, test_settings, spans, monkeypatch):
    llm = ScriptedLLM(script=[say("Hello! How can I help?")])
    async with serve(llm.app(), free_port()) as base:
        monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
        monkeypatch.setattr(test_settings, "openai_model", "scripted-test-model")
        spans.clear()
        await playground.respond(
            setup=build_agent(test_settings, policy="openai"),
            texts=["hi"],
            conversation_id=None,
            dry_run=True,
        )
    chat = next(span for span in spans.get_finished_spans() if span.name == "chat scripted-test-model")
    assert chat.attributes["gen_ai.operation.name"] == "chat"
    assert chat.attributes["gen_ai.request.model"] == "scripted-test-model"
    assert (
        chat.attributes["gen_ai.usage.output_tokens"] == 20
        and chat.attributes["gen_ai.usage.input_tokens"] > 100
    )


async def test_the_trace_continues_from_the_accepting_request_into_the_job_and_its_log_lines(
    app, test_settings, spans
):
    """API side: accept + enqueue inside a request span; worker side: the job's spans join that trace."""
    import redis.asyncio as aioredis
    from saq import Queue

    from backend.agent.setup import build_agent
    from backend.events.hub import EventHub
    from backend.ingest.rate_limit import RateLimiter
    from backend.ingest.schemas import IncomingEvent, IngestLimits
    from backend.ingest.service import IngestContext, accept_events
    from backend.telemetry.tracing import add_trace_ids, tracer
    from jobs.ingest import process_event

    await open_business()
    redis = aioredis.Redis.from_url(str(test_settings.redis_url))
    queue = Queue.from_url(
        str(test_settings.redis_url), name="trace-test"
    )  # no running worker takes its jobs
    context = IngestContext(settings=test_settings, queue=queue, rate_limiter=RateLimiter(redis))
    event = IncomingEvent.model_validate(
        {
            "channel": "SMS",
            "idempotency_key": "trace-1",
            "sender": "+15550001234",
            "text": "any haircuts tomorrow?",
            "occurred_at": "2026-11-26T10:00:00Z",
        },
        context={"limits": IngestLimits.from_settings(test_settings)},
    )
    spans.clear()
    with tracer.start_as_current_span("POST /graphql") as request_span:
        (accepted,) = await accept_events(events=[event], api_key_id=None, context=context)
    job = await queue.job(str(accepted.event_id))
    assert job.kwargs["trace"]["traceparent"].split("-")[1] == format(
        request_span.get_span_context().trace_id, "032x"
    )

    await process_event(
        {
            "job": job,
            "redis": redis,
            "hub": EventHub(redis),
            "agent": build_agent(test_settings),
            "queue": queue,
            "app_settings": test_settings,
            "adapters": {},
        },
        **job.kwargs,
    )
    trace_id = request_span.get_span_context().trace_id
    finished = {span.name: span for span in spans.get_finished_spans()}
    for name in (
        "enqueue process_event",
        "process_event",
        "invoke_agent rules",
        "execute_tool check_availability",
    ):
        assert finished[name].context.trace_id == trace_id, name
    assert finished["process_event"].attributes["agentops.event.id"] == str(accepted.event_id)
    with tracer.start_as_current_span("a log line's span") as span:
        line = add_trace_ids(None, "info", {"event": "something"})
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x") and line["span_id"]
    await queue.disconnect()
    await redis.aclose()
