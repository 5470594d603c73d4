from tortoise import migrations
from tortoise.migrations import operations as ops

# The turn's two writes in one round trip each: the append (backend/turns/appending.py, eight before) and the
# commit (backend/turns/runtime.py, seven before). When a wave of jobs starts at once, each round trip of each
# job waits for one of the pool's few connections and costs a socket write that wakes another process on a
# busy machine, so a step made of many short statements costs the whole wave (measured: half a second before
# the first model call, bench/llm.py). Each statement inside a PL/pgSQL function takes a fresh snapshot, so
# rows are read after the locks are granted — what a single statement with CTEs could not do — and the
# function call is its own transaction.
APPEND_PENDING = """
CREATE OR REPLACE FUNCTION agentops_append_pending(p_event uuid, p_done boolean)
RETURNS TABLE (event_status text, conversation_id uuid, appended int,
               next_event_id uuid, next_message_id uuid, next_text text)
LANGUAGE plpgsql AS $$
DECLARE
    ev record;
    pending record;
    sequence_number int;
    appended_ids uuid[] := '{}';
BEGIN
    SELECT e.channel, e.thread_key, e.accepted_seq, e.status INTO ev FROM ingest_events e WHERE e.id = p_event;
    IF NOT FOUND OR ev.status <> 'RECEIVED' THEN
        event_status := ev.status;  -- NULL when the event does not exist
        appended := 0;
        RETURN NEXT;
        RETURN;
    END IF;
    event_status := ev.status;
    -- One appender per thread at a time, until this call's transaction ends: messages follow acceptance order.
    PERFORM pg_advisory_xact_lock(hashtextextended(ev.channel || ':' || ev.thread_key, 0));
    FOR pending IN
        SELECT e.id, e.sender, e.text, e.received_at FROM ingest_events e
        WHERE e.channel = ev.channel AND e.thread_key = ev.thread_key AND e.status = 'RECEIVED'
          AND e.accepted_seq <= ev.accepted_seq
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ingest_event_id = e.id)
        ORDER BY e.accepted_seq
        FOR UPDATE OF e
    LOOP
        INSERT INTO conversations AS c (id, channel, thread_key, customer, status, message_count, created_at,
                                        updated_at, last_message_at, agent_state, version)
        VALUES (gen_random_uuid(), ev.channel, ev.thread_key, pending.sender, 'OPEN', 1, now(), now(),
                pending.received_at, '{}', 0)
        ON CONFLICT (channel, thread_key) DO UPDATE SET
            message_count = c.message_count + 1,
            updated_at = now(),
            last_message_at = GREATEST(c.last_message_at, EXCLUDED.last_message_at),
            -- a customer writing again reopens a closed conversation; a human keeps one handed off
            status = CASE WHEN c.status = 'CLOSED' THEN 'OPEN' ELSE c.status END
        RETURNING c.id, c.message_count INTO conversation_id, sequence_number;
        INSERT INTO messages (id, conversation_id, sequence, direction, author, text, ingest_event_id, created_at,
                              delivery_attempts)
        VALUES (gen_random_uuid(), conversation_id, sequence_number, 'INBOUND', 'CUSTOMER', pending.text, pending.id,
                now(), 0);
        appended_ids := appended_ids || pending.id;
    END LOOP;
    appended := cardinality(appended_ids);
    IF p_done AND appended > 0 THEN
        UPDATE ingest_events SET status = 'PROCESSED', processed_at = now(), attempts = attempts + 1
        WHERE id = ANY(appended_ids);
    END IF;
    IF conversation_id IS NULL THEN
        SELECT c.id INTO conversation_id FROM conversations c
        WHERE c.channel = ev.channel AND c.thread_key = ev.thread_key;
    END IF;
    -- The thread's earliest appended event still owed its answer, up to this one (what the lease holder answers).
    SELECT e.id, m.id, m.text INTO next_event_id, next_message_id, next_text
    FROM ingest_events e JOIN messages m ON m.ingest_event_id = e.id
    WHERE e.channel = ev.channel AND e.thread_key = ev.thread_key AND e.status = 'RECEIVED'
      AND e.accepted_seq <= ev.accepted_seq
    ORDER BY e.accepted_seq
    LIMIT 1;
    RETURN NEXT;
END
$$
"""


COMMIT_TURN = """
CREATE OR REPLACE FUNCTION agentops_commit_turn(
    p_conversation uuid, p_expected_version int, p_state jsonb, p_event uuid,
    p_reply_id uuid, p_reply_text text, p_delivery_status text,
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
    INSERT INTO messages (id, conversation_id, sequence, direction, author, text, delivery_status, created_at,
                          delivery_attempts)
    VALUES (p_reply_id, p_conversation, sequence_number, 'OUTBOUND', 'AGENT', p_reply_text, p_delivery_status, now(),
            0);
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
    dependencies = [("agentops", "0014_booking_changes")]

    initial = False

    operations = [
        ops.RunSQL(
            APPEND_PENDING, reverse_sql="DROP FUNCTION IF EXISTS agentops_append_pending(uuid, boolean)"
        ),
        ops.RunSQL(COMMIT_TURN, reverse_sql="DROP FUNCTION IF EXISTS agentops_commit_turn"),
    ]
