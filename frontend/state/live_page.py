"""Which page's live updates a tab takes: those of the page it shows, no other."""

from __future__ import annotations

import reflex as rx

from frontend.live.registry import live_feed


class LivePageState(rx.State):
    @rx.event
    def leave(self):
        """Another page opens in this tab: the updates the page shown before asked for stop. A page with live
        data of its own asks for its kinds again in its load, which runs after this one; the kinds asked for
        without a page (the incident toasts, eval runs' progress) go on."""
        live_feed.leave_page(self.router.session.client_token)
