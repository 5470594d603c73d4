"""The agent: policies decide, tools act, the runtime records every turn."""
