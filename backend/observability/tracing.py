"""OpenTelemetry traces following the GenAI semantic conventions; exported over OTLP only when configured.

Span names and attributes: `invoke_agent <policy>` per turn, `execute_tool <tool>` per tool call, `chat <model>`
per LLM request (gen_ai.operation.name, gen_ai.agent.name, gen_ai.conversation.id, gen_ai.tool.name,
gen_ai.usage.input_tokens / output_tokens …). Without an endpoint the API's no-op tracer costs next to nothing.
"""

from __future__ import annotations

from opentelemetry import trace
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
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")))
    trace.set_tracer_provider(provider)
