"""The page registry: every page of the app, in navigation order.

A page is a module with `PATH`, `TITLE` (an untranslated message), `layout(ctx, t, state)`
and `register(app, ctx)`. Adding a page = one module + one line here.
"""

from dashboard.pages import map_page

PAGES = (map_page,)


def page_for(path: str | None):
    """The page at `path` (the map when nothing matches)."""
    path = (path or "/").rstrip("/") or "/"
    return next((page for page in PAGES if path == page.PATH), None)
