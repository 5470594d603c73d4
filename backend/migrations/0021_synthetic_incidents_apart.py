from tortoise import migrations
from tortoise.migrations import operations as ops


# The demo's replay of a past week opens its own (synthetic) incidents; one unresolved incident per
# (SLO, severity) holds among real incidents and among synthetic ones, never across the two.
class Migration(migrations.Migration):
    dependencies = [("agentops", "0020_sandbox_delivery")]

    initial = False

    operations = [
        ops.RunSQL(
            "DROP INDEX IF EXISTS incidents_one_active_per_alert;"
            " CREATE UNIQUE INDEX incidents_one_active_per_alert ON incidents (slo, severity, synthetic)"
            " WHERE status <> 'RESOLVED'",
            reverse_sql="DROP INDEX IF EXISTS incidents_one_active_per_alert;"
            " CREATE UNIQUE INDEX incidents_one_active_per_alert ON incidents (slo, severity)"
            " WHERE status <> 'RESOLVED'",
        ),
    ]
