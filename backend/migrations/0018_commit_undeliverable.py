import importlib

from tortoise import migrations
from tortoise.migrations import operations as ops

PREVIOUS_COMMIT_TURN = importlib.import_module("backend.migrations.0017_turn_round_trips").COMMIT_TURN

# The turn's commit (0017) learns the reply's delivery error: a reply on a channel with no delivery endpoint
# is written FAILED with its reason by the commit itself, instead of QUEUED and then failed by a second
# statement (backend/turns/runtime.py; one statement a turn less wherever a channel has no adapter).
DROP_OLD = """
DROP FUNCTION IF EXISTS agentops_commit_turn(uuid, int, jsonb, uuid, uuid, text, text, uuid, uuid, text, text, text, text,
                                             float8, text, text, int, int, text, jsonb)
"""

COMMIT_TURN = """
CREATE OR REPLACE FUNCTION agentops_commit_turn(
    p_conversation uuid, p_expected_version int, p_state jsonb, p_event uuid,
    p_reply_id uuid, p_reply_text text, p_delivery_status text, p_delivery_error text,
    p_run_id uuid, p_trigger_message uuid, p_policy text, p_prompt_name text, p_prompt_version text, p_status text,
    p_latency_ms float8, p_intent text, p_model text, p_prompt_tokens int, p_completion_tokens int, p_error text,
    p_calls jsonb)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    sequence_number int;
BEGIN
    -- Checks first, writes after: 'answered' and 'changed' leave everything as it was.
    IF p_event IS NOT NULL THEN
        PERFORM 1 FROM ingest_events WHERE id = p_event AND status = 'RECEIVED' FOR UPDATE;
        IF NOT FOUND THEN
            RETURN 'answered';  -- another attempt answered the trigger first
        END IF;
    END IF;
    -- The reply and the state, only while the conversation is at the version the turn read.
    UPDATE conversations SET message_count = message_count + 1, last_message_at = now(), updated_at = now(),
                             version = version + 1, agent_state = COALESCE(p_state, agent_state)
    WHERE id = p_conversation AND version = p_expected_version
    RETURNING message_count INTO sequence_number;
    IF NOT FOUND THEN
        RETURN 'changed';  -- decided again on what changed
    END IF;
    IF p_event IS NOT NULL THEN
        UPDATE ingest_events SET status = 'PROCESSED', processed_at = now(), attempts = attempts + 1
        WHERE id = p_event;
    END IF;
    INSERT INTO messages (id, conversation_id, sequence, direction, author, text, delivery_status, delivery_error,
                          created_at, delivery_attempts)
    VALUES (p_reply_id, p_conversation, sequence_number, 'OUTBOUND', 'AGENT', p_reply_text, p_delivery_status,
            p_delivery_error, now(), 0);
    INSERT INTO agent_runs (id, conversation_id, trigger_message_id, reply_message_id, policy, prompt_name,
                            prompt_version, status, latency_ms, intent, model, prompt_tokens, completion_tokens,
                            error, created_at)
    VALUES (p_run_id, p_conversation, p_trigger_message, p_reply_id, p_policy, p_prompt_name, p_prompt_version,
            p_status, p_latency_ms, p_intent, p_model, p_prompt_tokens, p_completion_tokens, p_error, now());
    INSERT INTO tool_calls (id, run_id, position, name, arguments, result, error, latency_ms, created_at)
    SELECT gen_random_uuid(), p_run_id, c.position, c.name, c.arguments, c.result, c.error, c.latency_ms, now()
    FROM jsonb_to_recordset(p_calls) AS c(position int, name text, arguments jsonb, result jsonb, error text,
                                          latency_ms float8);
    RETURN 'ok';
END
$$
"""


class Migration(migrations.Migration):
    dependencies = [("agentops", "0015_delivery_states")]

    initial = False

    operations = [
        ops.RunSQL(
            [DROP_OLD, COMMIT_TURN],
            reverse_sql=[
                "DROP FUNCTION IF EXISTS agentops_commit_turn(uuid, int, jsonb, uuid, uuid, text, text, "
                "text, uuid, uuid,"
                " text, text, text, text, float8, text, text, int, int, text, jsonb)",
                PREVIOUS_COMMIT_TURN,
            ],
        ),
    ]
