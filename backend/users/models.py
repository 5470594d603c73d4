"""Dashboard users and their login sessions; a session is an expiring API key of the user's role."""

from tortoise import fields
from tortoise.models import Model

from backend.users.roles import Role


class User(Model):
    id = fields.UUIDField(primary_key=True)
    # Stored lower-cased and trimmed, so "Ana@Example.com" and "ana@example.com" are one user.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=10)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"
        ordering = ["email"]


class UserSession(Model):
    """Which user a session key belongs to, so logout ends sessions and never an ordinary API key."""

    id = fields.UUIDField(primary_key=True)
    user = fields.ForeignKeyField("agentops.User", related_name="sessions", on_delete=fields.CASCADE)
    api_key = fields.OneToOneField("agentops.ApiKey", related_name="session", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user_sessions"
