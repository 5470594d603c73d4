"""Pieces shared by the pages."""
