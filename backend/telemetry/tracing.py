"""OpenTelemetry traces following the GenAI semantic conventions; exported over OTLP only when configured.

Span names and attributes: `invoke_agent <policy>` per turn, `execute_tool <tool>` per tool call,
`chat <model>` per LLM request (gen_ai.operation.name, gen_ai.agent.name, gen_ai.conversation.id,
gen_ai.tool.name, gen_ai.usage.input_tokens / output_tokens …). Without an endpoint the API's no-op tracer
costs next to nothing.
"""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

tracer = trace.get_tracer("agentops")


def configure_tracing(*, service_name: str, otlp_endpoint: str | None) -> None:
    """Send spans to an OTLP/HTTP collector when an endpoint is set; otherwise leave tracing off."""
    if not otlp_endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # only when exporting

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces"))
    )
    trace.set_tracer_provider(provider)


def trace_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (traceparent …), to ride along in a job's arguments."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def continue_trace(carrier: dict[str, str] | None):
    """The context a job's spans continue from: the request that enqueued it, when it sent one."""
    return propagate.extract(carrier or {})


def add_trace_ids(_logger: object, _method: str, event: dict) -> dict:
    """structlog processor: the current span's trace and span ids on every log line (when tracing is on)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event
