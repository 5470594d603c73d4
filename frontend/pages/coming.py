"""Sections whose pages the next phase builds: each has its route and place in the navigation already."""

from __future__ import annotations

import reflex as rx

from frontend.components.layout import page_frame

SECTIONS = {
    "/conversations": ("Conversations", "The conversation table with filters and live rows, and each thread in detail."),
    "/runs": ("Agent runs", "Runs with filters, run detail and the dry-run playground."),
}


def section_page(route: str):
    """The page component for one section not built yet."""
    title, purpose = SECTIONS[route]

    def page() -> rx.Component:
        return page_frame(title, rx.callout(f"{purpose} Coming in the next release of the dashboard.", icon="info"))

    page.__name__ = f"{title.lower().replace(' ', '_')}_page"
    return page
