"""Sections whose pages the next phase builds: each has its route and place in the navigation already."""

from __future__ import annotations

import reflex as rx

from frontend.components.layout import page_frame

SECTIONS = {
    "/evals": ("Evals", "Suites, runs with pass rates, Run evals with live progress and comparisons."),
    "/metrics": ("Metrics", "Time series per metric, SLO budgets and burn rates."),
    "/incidents": ("Incidents", "Incidents with their timeline; acknowledge, note and resolve."),
    "/dead-letters": ("Dead letters", "Failed events with their errors; replay one or all."),
    "/demo": ("Demo control", "Generate traffic, start and stop simulations, reseed the demo."),
}


def section_page(route: str):
    """The page component for one section not built yet."""
    title, purpose = SECTIONS[route]

    def page() -> rx.Component:
        return page_frame(title, rx.callout(f"{purpose} Coming in the next release of the dashboard.", icon="info"))

    page.__name__ = f"{title.lower().replace(' ', '_')}_page"
    return page
