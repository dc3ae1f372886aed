"""Settings: one table of every setting with its default and help, read from the environment."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Setting:
    """One setting: its field in `Settings`, its variable, the value used when the variable is
    unset (the one place defaults are written), a one-line help, and how the documentation shows
    a default that is worked out at run time."""

    name: str
    env: str
    default: object
    help: str
    shown: str = ""


SETTINGS = (
    Setting(
        "data_dir",
        "AIMAK_DATA_DIR",
        None,
        "Where the SQLite database and prepared files live.",
        "(per-user data directory)",
    ),
    Setting(
        "database_url",
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of the reporting database, e.g. postgresql+psycopg://host/db.",
        "(SQLite file in the data directory)",
    ),
    Setting(
        "geodata_dir",
        "AIMAK_GEODATA",
        None,
        "Directory with the OCHA COD-AB boundary files to install.",
        "(../shared/geodata/kgz beside the checkout)",
    ),
    Setting("host", "AIMAK_HOST", "127.0.0.1", "Interface `aimak serve` listens on."),
    Setting("port", "AIMAK_PORT", 8050, "Port `aimak serve` listens on."),
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
    Setting("cache_timeout", "AIMAK_CACHE_TIMEOUT", 300, "Seconds a cached query result is kept."),
    Setting(
        "secret_key",
        "AIMAK_SECRET_KEY",
        "",
        "Flask secret key that signs session cookies; the app refuses to start on real data "
        "without it, and a running server answers 503 once real data is imported.",
        "(on the demo data: a random key kept in the data directory; required otherwise)",
    ),
    Setting(
        "workers",
        "AIMAK_WORKERS",
        0,
        "Web worker processes of `aimak serve` (gunicorn); 0: the number of cores with a shared "
        "database and Redis (DATABASE_URL and AIMAK_CACHE_TYPE=RedisCache), else one.",
        "(cores with PostgreSQL and Redis; 1 otherwise)",
    ),
    Setting(
        "threads",
        "AIMAK_THREADS",
        8,
        "Request threads of each web worker process of `aimak serve`.",
    ),
    Setting(
        "public_mode",
        "AIMAK_PUBLIC_MODE",
        False,
        "on: visitors who are not signed in read every oblast as viewers, also on real data.",
    ),
    Setting(
        "secure_cookies",
        "AIMAK_SECURE_COOKIES",
        False,
        "on: session cookies are always marked Secure (set it behind an HTTPS proxy); off: "
        "only when the request itself came over HTTPS.",
    ),
    Setting(
        "limiter_storage",
        "AIMAK_LIMITER_STORAGE",
        "",
        "Where the sign-in limits count attempts (Flask-Limiter storage URI): memory:// counts per "
        "process; redis://host:6379/0 shares the counts between every worker and server.",
        "(AIMAK_REDIS_URL when the cache is RedisCache, else memory://)",
    ),
    Setting(
        "proxy_fix",
        "AIMAK_PROXY_FIX",
        0,
        "Number of trusted reverse proxies in front of the app: their X-Forwarded-For, -Proto "
        "and -Host headers name the visitor's address, scheme and host; 0 ignores those headers.",
    ),
    Setting(
        "max_request_bytes",
        "AIMAK_MAX_REQUEST_BYTES",
        16 * 1024 * 1024,
        "Largest request body accepted (bytes), e.g. an uploaded spreadsheet.",
    ),
    Setting(
        "max_document_bytes",
        "AIMAK_MAX_DOCUMENT_BYTES",
        10 * 1024 * 1024,
        "Largest document file (bytes) stored for a document: an upload on the Data page or "
        "with `aimak documents attach`.",
    ),
    Setting(
        "public_url",
        "AIMAK_PUBLIC_URL",
        "",
        "The app's public address (e.g. https://atlas.example.org), for the links in exported "
        "decks, and in reports and images written by the command line; empty: they carry no "
        "links (the app's own downloads link to the address they were asked from).",
    ),
    Setting(
        "presentation_file",
        "AIMAK_PRESENTATION",
        None,
        "JSON file of the organisation's presentation: a list of {view, title}; empty: the "
        "standard sequence (a visitor's own list always comes first).",
        "(the standard sequence)",
    ),
    Setting(
        "pseudo_locale",
        "AIMAK_PSEUDO_LOCALE",
        False,
        "on: the pseudo-locale ?lang=qps may be chosen (to find untranslated text; tests).",
    ),
)
DEFAULTS = {setting.name: setting.default for setting in SETTINGS}
BY_ENV = {setting.env: setting for setting in SETTINGS}

#: the file in the data directory that keeps the demo data's session key (see `session_key`)
SECRET_KEY_FILE = "secret_key"

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ~/.local/share/aimak-atlas)."""
    return Path(platformdirs.user_data_dir("aimak-atlas", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one app."""

    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = DEFAULTS["database_url"]
    geodata_dir: Path | None = DEFAULTS["geodata_dir"]
    host: str = DEFAULTS["host"]
    port: int = DEFAULTS["port"]
    default_lang: str = DEFAULTS["default_lang"]
    tiles_url: str = DEFAULTS["tiles_url"]
    tiles_attribution: str = DEFAULTS["tiles_attribution"]
    cache_type: str = DEFAULTS["cache_type"]
    cache_redis_url: str = DEFAULTS["cache_redis_url"]
    cache_timeout: int = DEFAULTS["cache_timeout"]
    secret_key: str = DEFAULTS["secret_key"]
    workers: int = DEFAULTS["workers"]
    threads: int = DEFAULTS["threads"]
    public_mode: bool = DEFAULTS["public_mode"]
    secure_cookies: bool = DEFAULTS["secure_cookies"]
    limiter_storage: str = DEFAULTS["limiter_storage"]
    proxy_fix: int = DEFAULTS["proxy_fix"]
    max_request_bytes: int = DEFAULTS["max_request_bytes"]
    max_document_bytes: int = DEFAULTS["max_document_bytes"]
    public_url: str = DEFAULTS["public_url"]
    presentation_file: Path | None = DEFAULTS["presentation_file"]
    pseudo_locale: bool = DEFAULTS["pseudo_locale"]

    @property
    def db_url(self) -> str:
        """The database URL: DATABASE_URL, else a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'aimak.sqlite'}"

    @property
    def shared(self) -> bool:
        """Whether every process can share its state: a database server (not the SQLite file)
        and the Redis cache. Then `aimak serve` runs several workers; else one."""
        return not self.db_url.startswith("sqlite") and self.cache_type == "RedisCache"

    def cache_key_prefix(self) -> str:
        """The cache's key prefix, derived from the database URL: every worker and server of
        one deployment shares its entries, and two deployments on one Redis never mix."""
        return f"aimak-{hashlib.sha256(self.db_url.encode()).hexdigest()[:12]}-"

    def session_key(self) -> str:
        """The key that signs session cookies: AIMAK_SECRET_KEY, else (the demo data: the app
        refuses real data without the setting) a random key made once and kept in the data
        directory, so that every worker process and every restart on this machine shares it.
        A data directory that cannot be written gives a key of this process only."""
        if self.secret_key:
            return self.secret_key
        directory = Path(self.data_dir)
        path = directory / SECRET_KEY_FILE
        try:
            directory.mkdir(parents=True, exist_ok=True)
            try:  # O_EXCL: of two workers starting at once, one writes and both read it
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(handle, "w") as file:
                    file.write(secrets.token_hex(32))
            for _ in range(50):  # the other worker may not have written it yet
                key = path.read_text(encoding="ascii").strip()
                if len(key) >= 32:
                    return key
                time.sleep(0.02)
        except (OSError, ValueError):  # unwritable, or not a key: this process's own
            pass
        return secrets.token_hex(32)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> Settings:
        """Settings from environment variables (see SETTINGS), then keyword overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for setting in SETTINGS:
            if environ.get(setting.env) not in (None, ""):
                values[setting.name] = read(setting.env, environ)
        values.update(overrides)
        return cls(**values)


def read(env: str, environ=None):
    """The value of one setting, by its variable: parsed by its field's type in `Settings`,
    its default from the table when the variable is unset or empty."""
    environ = os.environ if environ is None else environ
    setting = BY_ENV[env]
    raw = environ.get(env)
    if raw in (None, ""):
        return setting.default
    kind = {f.name: f.type for f in fields(Settings)}[setting.name]
    if "Path" in kind:
        return Path(raw).expanduser()
    if kind == "bool":
        if raw.strip().lower() not in TRUE | FALSE:
            raise ValueError(f"{env} must be on or off, not {raw!r}")
        return raw.strip().lower() in TRUE
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{env} must be a whole number, not {raw!r}") from None
    return raw
