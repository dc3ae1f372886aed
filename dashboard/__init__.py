"""The Dash application: factory, pages, callbacks, i18n, settings and the `aimak` CLI."""

from dashboard.app import create_app

__all__ = ["create_app"]
