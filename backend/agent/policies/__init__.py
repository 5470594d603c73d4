"""Policies decide each turn: which tools to call and what to say."""
