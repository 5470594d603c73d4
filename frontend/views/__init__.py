"""Turning API answers into what the pages show: plain rows of display strings."""
