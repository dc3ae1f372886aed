"""Settings: every setting is read from its variable and documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.settings import SETTINGS, Settings

README = Path(__file__).resolve().parents[1] / "README.md"


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
