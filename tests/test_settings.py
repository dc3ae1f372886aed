"""Settings: every setting is read from its variable and documented in the README."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from dashboard.i18n import pseudo_enabled
from dashboard.settings import SETTINGS, Settings
from geodata import sources
from geodata.sources import GeodataError, find_geodata_dir

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_setting_is_documented(setting):
    text = README.read_text(encoding="utf-8")
    assert f"`{setting.env}`" in text, f"{setting.env} is missing from the README settings table"


def test_settings_from_environment(tmp_path):
    settings = Settings.from_env(
        {
            "AIMAK_DATA_DIR": str(tmp_path),
            "AIMAK_PORT": "9000",
            "AIMAK_LANG": "ky",
        }
    )
    assert settings.data_dir == tmp_path
    assert settings.port == 9000
    assert settings.db_url == f"sqlite:///{tmp_path / 'aimak.sqlite'}"
    assert Settings.from_env({"DATABASE_URL": "postgresql+psycopg://h/db"}).db_url.startswith(
        "postgresql"
    )


def test_bad_setting_names_the_variable():
    with pytest.raises(ValueError, match="AIMAK_PORT"):
        Settings.from_env({"AIMAK_PORT": "eighty"})


def test_i13_p3_settings_defaults_are_written_once_in_the_table():
    """The dataclass takes every default from SETTINGS (the data directory is worked out at run
    time); the documented default is the value, unless the table says how it is worked out."""
    defaults = Settings()
    for setting in SETTINGS:
        if setting.name != "data_dir":
            assert getattr(defaults, setting.name) == setting.default, setting.env
        assert setting.shown or setting.default is not None, setting.env
    assert {f.name for f in fields(Settings)} == {setting.name for setting in SETTINGS}


def test_i13_p3_the_pseudo_locale_switch_is_read_through_the_table(monkeypatch):
    monkeypatch.setenv("AIMAK_PSEUDO_LOCALE", "on")
    assert pseudo_enabled()
    assert Settings.from_env().pseudo_locale
    monkeypatch.setenv("AIMAK_PSEUDO_LOCALE", "maybe")
    with pytest.raises(ValueError, match="AIMAK_PSEUDO_LOCALE must be on or off"):
        pseudo_enabled()
    monkeypatch.delenv("AIMAK_PSEUDO_LOCALE")
    assert not pseudo_enabled()


def test_i13_p3_the_geodata_directory_is_read_through_the_table(tmp_path, monkeypatch):
    """geodata sits below dashboard: it never reads AIMAK_GEODATA, the callers pass the value
    the settings table read."""
    monkeypatch.setenv(sources.ENV_VAR, str(tmp_path / "nowhere"))
    settings = Settings.from_env()
    assert settings.geodata_dir == tmp_path / "nowhere"
    assert find_geodata_dir() in (None, sources.DEFAULT_DIR)  # the environment is not read
    with pytest.raises(GeodataError, match=f"\\${sources.ENV_VAR} does not exist"):
        find_geodata_dir(configured=settings.geodata_dir)


def test_i13_p3_only_the_settings_table_reads_the_environment():
    """No production module but dashboard/settings.py reads a variable (copying the whole
    environment for a child process, as queries.backup does for pg_dump, is not reading)."""
    readers = ("os.getenv", "environ.get(", "environ[", "environ.setdefault(")
    found = [
        f"{path.relative_to(ROOT)}: {reader}"
        for package in ("dashboard", "queries", "layers", "geodata")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "dashboard" / "settings.py"
        for reader in readers
        if reader in path.read_text(encoding="utf-8")
    ]
    assert found == []
