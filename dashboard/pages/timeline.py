"""The Timeline page (being built)."""

from dash import html

from dashboard.i18n import N_

PATH = "/timeline"
TITLE = N_("Timeline")


def layout(ctx, t, state):
    return html.H1(t(TITLE))


def register(app, ctx) -> None:
    """No callbacks yet."""
