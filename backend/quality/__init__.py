"""Quality in production: evaluators that score one agent turn, run on a sample of live turns and on goldens.

Evaluators are versioned files (fixtures/evaluators/<name>/<version>.yaml): rules that need no model, and an
LLM judge. Live turns are sampled after they commit (backend/quality/sampling.py) and scored by background
jobs (jobs/quality.py), never on the turn's own path; scores are stored per run (EvalScore), rolled up as
`quality:<evaluator>` metrics, and objectives on them burn like any SLO (infra/slo.yaml, `bad: quality`).
"""
