"""Reusable pieces of pages: the map figure, badges, notices."""
