"""The process's one LiveFeed, shared by every session of this dashboard process."""

from frontend.config import get_config
from frontend.live.feed import LiveFeed

_config = get_config()
live_feed = LiveFeed(
    websocket_url=_config.websocket_url,
    api_key=_config.api_key.get_secret_value() if _config.api_key else None,
)
