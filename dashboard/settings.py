"""Settings: one table of every setting with its default and help, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS = (
    Setting(
        "data_dir",
        "AIMAK_DATA_DIR",
        "(per-user data directory)",
        "Where the SQLite database and prepared files live.",
    ),
    Setting(
        "database_url",
        "DATABASE_URL",
        "(SQLite file in the data directory)",
        "SQLAlchemy URL of the reporting database, e.g. postgresql+psycopg://host/db.",
    ),
    Setting(
        "geodata_dir",
        "AIMAK_GEODATA",
        "(../shared/geodata/kgz beside the checkout)",
        "Directory with the OCHA COD-AB boundary files to install.",
    ),
    Setting("host", "AIMAK_HOST", "127.0.0.1", "Interface `aimak serve` listens on."),
    Setting("port", "AIMAK_PORT", "8050", "Port `aimak serve` listens on."),
    Setting(
        "default_lang",
        "AIMAK_LANG",
        "en",
        "Interface language when none is asked for: ky, ru or en.",
    ),
    Setting(
        "tiles_url",
        "AIMAK_TILES_URL",
        "",
        "Optional raster tile basemap URL template ({z}/{x}/{y}); empty keeps the app offline.",
    ),
    Setting(
        "tiles_attribution",
        "AIMAK_TILES_ATTRIBUTION",
        "",
        "Attribution shown for the optional tile basemap.",
    ),
    Setting(
        "cache_type",
        "AIMAK_CACHE_TYPE",
        "SimpleCache",
        "flask-caching backend: SimpleCache, RedisCache or NullCache.",
    ),
    Setting(
        "cache_redis_url",
        "AIMAK_REDIS_URL",
        "redis://127.0.0.1:6379/0",
        "Redis URL used when the cache type is RedisCache.",
    ),
    Setting(
        "cache_timeout", "AIMAK_CACHE_TIMEOUT", "300", "Seconds a cached query result is kept."
    ),
    Setting(
        "secret_key",
        "AIMAK_SECRET_KEY",
        "(random per process on the demo data; required otherwise)",
        "Flask secret key that signs session cookies; the app refuses to start on real data "
        "without it, and a running server answers 503 once real data is imported.",
    ),
    Setting(
        "public_mode",
        "AIMAK_PUBLIC_MODE",
        "off",
        "on: visitors who are not signed in read every oblast as viewers, also on real data.",
    ),
    Setting(
        "secure_cookies",
        "AIMAK_SECURE_COOKIES",
        "off",
        "on: session cookies are always marked Secure (set it behind an HTTPS proxy); off: "
        "only when the request itself came over HTTPS.",
    ),
    Setting(
        "limiter_storage",
        "AIMAK_LIMITER_STORAGE",
        "(AIMAK_REDIS_URL when the cache is RedisCache, else memory://)",
        "Where the sign-in limits count attempts (Flask-Limiter storage URI): memory:// counts per "
        "process; redis://host:6379/0 shares the counts between every worker and server.",
    ),
    Setting(
        "proxy_fix",
        "AIMAK_PROXY_FIX",
        "0",
        "Number of trusted reverse proxies in front of the app: their X-Forwarded-For, -Proto "
        "and -Host headers name the visitor's address, scheme and host; 0 ignores those headers.",
    ),
    Setting(
        "max_request_bytes",
        "AIMAK_MAX_REQUEST_BYTES",
        "16777216",
        "Largest request body accepted (bytes), e.g. an uploaded spreadsheet.",
    ),
    Setting(
        "presentation_file",
        "AIMAK_PRESENTATION",
        "",
        "JSON file of the organisation's presentation: a list of {view, title}; empty: the "
        "standard sequence (a visitor's own list always comes first).",
    ),
)

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ~/.local/share/aimak-atlas)."""
    return Path(platformdirs.user_data_dir("aimak-atlas", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one app."""

    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = ""
    geodata_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    default_lang: str = "en"
    tiles_url: str = ""
    tiles_attribution: str = ""
    cache_type: str = "SimpleCache"
    cache_redis_url: str = "redis://127.0.0.1:6379/0"
    cache_timeout: int = 300
    secret_key: str = ""
    public_mode: bool = False
    secure_cookies: bool = False
    limiter_storage: str = ""
    proxy_fix: int = 0
    max_request_bytes: int = 16 * 1024 * 1024
    presentation_file: Path | None = None

    @property
    def db_url(self) -> str:
        """The database URL: DATABASE_URL, else a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'aimak.sqlite'}"

    @classmethod
    def from_env(cls, environ=None, **overrides) -> Settings:
        """Settings from environment variables (see SETTINGS), then keyword overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        types = {f.name: f.type for f in fields(cls)}
        for setting in SETTINGS:
            raw = environ.get(setting.env)
            if raw in (None, ""):
                continue
            kind = types[setting.name]
            if "Path" in kind:
                values[setting.name] = Path(raw).expanduser()
            elif kind == "bool":
                if raw.strip().lower() not in TRUE | FALSE:
                    raise ValueError(f"{setting.env} must be on or off, not {raw!r}")
                values[setting.name] = raw.strip().lower() in TRUE
            elif kind == "int":
                try:
                    values[setting.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{setting.env} must be a whole number, not {raw!r}") from None
            else:
                values[setting.name] = raw
        values.update(overrides)
        return cls(**values)
