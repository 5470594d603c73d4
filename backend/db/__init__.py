"""Database wiring: Tortoise configuration, database creation and migrations."""
