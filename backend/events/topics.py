"""Names of the events published after commit, shared by the writers and the live views that follow them."""

RUN_COMPLETED = "run.completed"
# An agent run got its evaluator scores (online evaluation, backend/quality): {runId, conversationId}.
RUN_SCORED = "run.scored"
