"""The Dash application: factory, pages, callbacks, i18n, settings and the `aimak` CLI.

`dashboard.create_app` is looked up on first use, so that an `aimak` command that serves
nothing (users, imports, backups) does not load Dash and plotly (about 2.5 s).
"""

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from dashboard.app import create_app

        return create_app
    raise AttributeError(f"module 'dashboard' has no attribute {name!r}")
