"""The Municipality profile page (being built)."""

from dash import html

from dashboard.i18n import N_

PATH = "/municipality"
TITLE = N_("Municipality profile")
IN_NAV = False


def layout(ctx, t, state):
    return html.H1(t(TITLE))


def register(app, ctx) -> None:
    """No callbacks yet."""
