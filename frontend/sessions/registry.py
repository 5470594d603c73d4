"""The process's session store and tab registry, shared by the login routes and every tab's AuthState."""

import redis.asyncio as aioredis

from frontend.config import get_config
from frontend.sessions.store import SessionStore
from frontend.sessions.tabs import BrowserTabs

# Connections are made on first use, in the server's event loop.
redis = aioredis.Redis.from_url(get_config().redis_url, socket_connect_timeout=2, socket_timeout=5)
sessions = SessionStore(redis)
browser_tabs = BrowserTabs(store=sessions)
