"""The benchmark workspace holds the same rows whichever database it is built in: bulk inserts into
SQLite, COPY (the metric rows in the binary format, from numpy columns) into PostgreSQL."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.postgres import admin_engine
from bench.workspace import POSTGRES_SNAPSHOT_OFFSETS, SNAPSHOT_OFFSETS, build_bench_database
from storage.db import make_engine
from tests.conftest import POSTGRES_ADMIN_URL

ACCOUNTS = 12
TODAY = date(2026, 11, 23)
FIGURES = (
    "SELECT metric, count(*), sum(value), min(observed_on), max(observed_on), count(DISTINCT account_id) "
    "FROM metric_observation GROUP BY metric ORDER BY metric"
)


def _contents(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            metrics = [
                (metric, rows, round(float(total), 6), str(first), str(last), accounts)
                for metric, rows, total, first, last, accounts in connection.execute(text(FIGURES))
            ]
            accounts = [
                tuple(row)
                for row in connection.execute(
                    text("SELECT id, external_id, name, seats, csm_email FROM account ORDER BY id")
                )
            ]
            snapshots = connection.execute(text("SELECT count(*) FROM health_snapshot")).scalar_one()
    finally:
        engine.dispose()
    return metrics, accounts, snapshots


@pytest.fixture
def postgres_workspace() -> Iterator[str]:
    admin = admin_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # no server: the SQLite half of the comparison proves nothing alone
        pytest.skip(f"PostgreSQL not reachable: {error.__class__.__name__}")
    url = build_bench_database(ACCOUNTS, today=TODAY, cache_dir=Path("unused"), database=POSTGRES_ADMIN_URL)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.dispose()


def test_copy_into_postgresql_loads_the_same_rows_as_sqlite(tmp_path: Path, postgres_workspace: str) -> None:
    sqlite_metrics, sqlite_accounts, sqlite_snapshots = _contents(
        build_bench_database(ACCOUNTS, today=TODAY, cache_dir=tmp_path)
    )
    postgres_metrics, postgres_accounts, postgres_snapshots = _contents(postgres_workspace)
    assert [row[0] for row in postgres_metrics] == [
        "active_users",
        "features_used",
        "logins",
        "nps",
        "open_tickets",
        "touch",
    ]
    assert all(row[5] == ACCOUNTS for row in postgres_metrics)  # every account has every metric
    assert postgres_metrics == sqlite_metrics
    assert postgres_accounts == sqlite_accounts
    assert sqlite_snapshots == ACCOUNTS * len(SNAPSHOT_OFFSETS)
    assert postgres_snapshots == ACCOUNTS * len(POSTGRES_SNAPSHOT_OFFSETS)


def test_a_built_postgresql_workspace_is_reused(postgres_workspace: str) -> None:
    engine = make_engine(postgres_workspace)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE account SET name = 'Marked' WHERE id = 1")
    engine.dispose()
    again = build_bench_database(ACCOUNTS, today=TODAY, cache_dir=Path("unused"), database=POSTGRES_ADMIN_URL)
    assert again == postgres_workspace
    assert "Marked" in str(_contents(again)[1][0])
