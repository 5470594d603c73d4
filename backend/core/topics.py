"""Names of the events published after commit, shared by the writers and the live views that follow them."""

RUN_COMPLETED = "run.completed"
# An agent run got its evaluator scores (online evaluation, backend/quality): {runId, conversationId}.
RUN_SCORED = "run.scored"
# A drill started, changed or ended: {simulationId, change}.
SIMULATION_CHANGED = "simulation.changed"
# An incident opened, was acknowledged, annotated or resolved: {incidentId, change}.
INCIDENT_CHANGED = "incident.changed"
# A conversation got a message, a status or a delivery change: {conversationId, ...}.
CONVERSATION_UPDATED = "conversation.updated"
# An eval run played more cases or finished: its progress.
EVAL_PROGRESS = "eval.progress"
