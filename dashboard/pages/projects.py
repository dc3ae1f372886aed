"""The Projects page (being built)."""

from dash import html

from dashboard.i18n import N_

PATH = "/projects"
TITLE = N_("Projects")


def layout(ctx, t, state):
    return html.H1(t(TITLE))


def register(app, ctx) -> None:
    """No callbacks yet."""
