"""Evals: versioned golden conversations replayed against a policy and prompt, compared run against run."""
