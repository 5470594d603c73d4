"""The turn pipeline: event → conversation → agent turn → reply (see pipeline.py)."""
