"""Session state shared by every page (who is logged in)."""
