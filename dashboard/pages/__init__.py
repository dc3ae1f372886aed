"""The page registry: every page of the app, in navigation order.

A page is a module with `PATH`, `TITLE` (an untranslated message), `layout(ctx, t, state)`
and `register(app, ctx)`; `IN_NAV = False` keeps it out of the navigation (pages reached by
a link, such as a municipality's profile at PATH/<P-code>). `state["path"]` holds the URL's
path. A page only some roles may use declares them in `ROLES` and the ids of its callbacks'
outputs in `OUTPUTS`; `protect` hands both to dashboard.auth, here where the pages are listed.
What a page's controls and stores may hold in a callback request, `SHAPES`, goes to
dashboard.inputs the same way (`declare_inputs`).
Adding a page = one module + one line here.
"""

from dashboard import auth, inputs
from dashboard.pages import (
    compare,
    data,
    guide,
    map_page,
    profile,
    programme,
    projects,
    timeline,
)

PAGES = (map_page, compare, projects, programme, timeline, data, guide, profile)


def protect(pages) -> None:
    """Declare to auth the roles of every page that names some (`ROLES`): its path and the
    outputs of its callbacks (`OUTPUTS`)."""
    for page in pages:
        if roles := getattr(page, "ROLES", None):
            auth.PROTECTED_PATHS[page.PATH] = roles
            auth.PROTECTED_OUTPUTS.update(dict.fromkeys(getattr(page, "OUTPUTS", ()), roles))


protect(PAGES)


def declare_inputs(pages) -> None:
    """Declare to dashboard.inputs the shapes of every page's controls and stores (`SHAPES`)."""
    for page in pages:
        inputs.SHAPES.update(getattr(page, "SHAPES", {}))


declare_inputs(PAGES)


def in_nav(page) -> bool:
    return getattr(page, "IN_NAV", True)


def page_for(path: str | None):
    """The page at `path` (PATH itself or PATH/<argument>), or None."""
    path = (path or "/").rstrip("/") or "/"
    for page in PAGES:
        if path == page.PATH or (page.PATH != "/" and path.startswith(page.PATH + "/")):
            return page
    return None
