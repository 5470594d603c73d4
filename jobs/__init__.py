"""SAQ worker: one settings object and thin job functions that take ids and call domain services."""
