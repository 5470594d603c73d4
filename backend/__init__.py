"""AgentOps Studio backend: the API process and the domain packages it serves."""
