"""Exports rendered on the server: map and chart images, PowerPoint decks and PDF reports."""
