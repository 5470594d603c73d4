"""The loopback model: an OpenAI-compatible chat-completions server on this machine, no network needed.

For the model-path bench (bench/llm.py), recording eval cassettes and chaos runs with the openai policy, and
trying `AGENTOPS_AGENT_POLICY=openai` offline (`agentops loopback-model`).
"""
