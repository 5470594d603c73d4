"""Metric points: one value per metric, channel and minute, written by the rollup and read by dashboards."""

from tortoise import fields
from tortoise.models import Model


class MetricPoint(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=60)
    channel = fields.CharField(max_length=8)  # SMS, CHAT, VOICE or ALL
    bucket_start = fields.DatetimeField()  # the minute this point covers [start, start + 1 min)
    value = fields.FloatField()

    class Meta:
        table = "metric_points"
        # The rollup upserts on this key, so running it twice writes the same points.
        unique_together = (("name", "channel", "bucket_start"),)
        indexes = (("name", "bucket_start"),)
