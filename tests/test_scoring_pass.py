"""The health refresh as one grouped SQL pass gives exactly the scores the per-row scoring gave.

The reference is the scoring from raw observations (every row of the window read into Python and
aggregated there), kept in tests/reference_scoring.py as the specification: on the demo workspace,
day by day over four months, both must store the same score, band, scorecard and per-measure figures.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.config import load_config
from bot.demo import build_demo_workspace
from domain.health import refresh
from domain.health.refresh import refresh_snapshots
from storage.models import HealthSnapshot
from tests.reference_scoring import reference_snapshots

TODAY = date(2026, 12, 2)


def stored(engine: Engine) -> dict[tuple[int, date], tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(select(HealthSnapshot.__table__)).all()  # type: ignore[attr-defined]
    return {(r.account_id, r.day): (r.score, r.band, r.scorecard, r.measures) for r in rows}


@pytest.mark.parametrize(
    ("batch", "days_back"), [(refresh.BATCH, 120), (7, 21)], ids=["one batch", "batches of 7, read ahead"]
)
def test_the_sql_pass_scores_the_demo_workspace_exactly_as_the_reference_does(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int, days_back: int
) -> None:
    # Batches of 7 split the accounts by id range, with the figures read on a thread of their own.
    monkeypatch.setattr(refresh, "BATCH", batch)
    config = load_config()
    build_demo_workspace(
        engine, config, today=TODAY, directory=tmp_path, accounts=60, history_days=200, snapshot_days=1
    )
    days = [TODAY - timedelta(days=back) for back in range(days_back)]
    expected = reference_snapshots(engine, config.health, days)
    assert refresh_snapshots(engine, config.health, days) == len(expected)
    got = stored(engine)
    assert len(got) == len(expected) > 50 * days_back
    different = [key for key, value in expected.items() if got.get(key) != value]
    assert different == [], [(key, expected[key], got.get(key)) for key in different[:3]]
    # The figures vary: every band and both scorecards occur, and some measures have no data.
    assert {value[1] for value in got.values()} >= {"red", "yellow", "green"}
    assert {value[2] for value in got.values()} == {"default", "enterprise"}
    assert any(m["score"] is None for value in got.values() for m in value[3])
