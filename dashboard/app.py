"""The application factory: `create_app(settings)` builds a complete, independent Dash app."""

from __future__ import annotations

from importlib import resources

from dash import Dash
from flask_caching import Cache
from sqlalchemy import Engine

from queries.engine import make_engine, require

from . import document_routes, geo_routes, inputs, resilience, security, shell, unavailable
from .context import AppContext
from .exports import routes as export_routes
from .exports import tables as table_exports
from .pages import PAGES
from .settings import Settings

#: the repository's top-level assets/, installed as the package `dashboard.assets`; pip installs
#: unpacked, so this is a directory Dash can serve (see pyproject.toml)
ASSETS = resources.files("dashboard.assets")


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Dash:
    """A new Dash app over the reporting database named by `settings`.

    Callbacks are registered on this app alone, so several apps can live in one process.
    The database must already be migrated (`aimak serve` does it; tests use fixtures).
    """
    # 1. settings and the database
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.db_url)

    # 2. the Dash app, serving every asset itself (no CDN)
    app = Dash(
        __name__,
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="Aimak Atlas",
        update_title=None,
    )
    app.server.config["SECRET_KEY"] = settings.session_key()  # one key for every worker

    # 3. a query cache per app, keyed by query, filters and scope
    if "redis" in settings.cache_type.lower():
        require("redis", "The Redis cache (AIMAK_CACHE_TYPE)")
    cache = Cache(
        app.server,
        config={
            **resilience.cache_config(settings),  # Redis: short timeouts, serves on without it
            "CACHE_REDIS_URL": settings.cache_redis_url,
            "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
            "CACHE_KEY_PREFIX": settings.cache_key_prefix(),  # shared by every worker
        },
    )
    ctx = AppContext(settings=settings, engine=engine, cache=cache)
    app.server.extensions["aimak"] = ctx
    unavailable.register(app, ctx)  # 503: database unreachable, real data without a key
    security.register(app, ctx)  # sessions, sign-in, headers and CSP, callback guards
    inputs.register(app)  # an unknown component-suite file is a 404

    # 4. layout, routes and callbacks of this app alone
    app.layout = shell.layout(ctx)
    geo_routes.register(app, ctx)
    document_routes.register(app, ctx)
    shell.register(app, ctx)
    for page in PAGES:
        page.register(app, ctx)
    export_routes.register(app, ctx)
    table_exports.register(app, ctx)
    return app
