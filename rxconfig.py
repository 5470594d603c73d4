"""Reflex configuration for the dashboard in frontend/ (build order 6 builds the pages)."""

import reflex as rx

config = rx.Config(
    app_name="frontend",
    telemetry_enabled=False,
    show_built_with_reflex=False,
)
