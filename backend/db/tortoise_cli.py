"""Module-level config for Tortoise's own CLI, e.g. `tortoise makemigrations` (see [tool.tortoise])."""

from backend.db.config import tortoise_config
from backend.settings import get_settings

TORTOISE_ORM = tortoise_config(get_settings())
