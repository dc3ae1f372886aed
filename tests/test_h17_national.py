"""Issue 17, point 4: the synthetic national dataset of the benchmarks is a command,
`aimak demo --national`, so that tests and a load benchmark can serve it."""

from __future__ import annotations

from sqlalchemy import func, select

from dashboard.cli import main
from queries.engine import make_engine, sqlite_url
from queries.models import Municipality, SocialProject
from queries.users import data_oblasts


def test_h17_demo_national_writes_the_synthetic_national_dataset(
    tmp_path, monkeypatch, geodata_dir
):
    monkeypatch.setenv("AIMAK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AIMAK_GEODATA", str(geodata_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["demo", "--national"]) == 0
    engine = make_engine(sqlite_url(tmp_path / "aimak.sqlite"))
    with engine.connect() as connection:
        municipalities = connection.scalar(
            select(func.count(func.distinct(SocialProject.municipality_pcode)))
        )
        assert municipalities > 400  # every real municipality, not the pilot's 12
        assert connection.scalar(select(func.count()).select_from(Municipality)) >= municipalities
        assert not connection.scalar(
            select(func.count()).select_from(SocialProject).where(~SocialProject.is_demo)
        )
    assert len(data_oblasts(engine)) == 7  # what a visitor reads: every oblast
    engine.dispose()
    assert main(["demo", "--national"]) == 1  # not twice into one database
