"""One login per browser: an opaque id in an HTTP-only cookie, the user's API token behind it in Redis."""
