"""API keys: stored as a SHA-256 hash of the secret, never the secret itself."""

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100)
    # The first characters of the key, stored in clear so an operator can tell keys apart in a list.
    prefix = fields.CharField(max_length=16, unique=True)
    # Keys are 32 random bytes, so a fast hash is enough: there is nothing to brute-force.
    key_hash = fields.CharField(max_length=64, unique=True)
    scopes = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    # Set on dashboard sessions (see backend/users): the key stops working then, like a revoked one.
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"
        ordering = ["-created_at"]
        indexes = (("created_at", "id"),)
