"""Benchmark: `csbot sync` of a metrics source, a PostgreSQL table of 1,000,000 rows, into PostgreSQL.

python -m bench.sync [--rows N] [--accounts N] [--runs N] [--database ADMIN_URL] [--json]

The warehouse table is loaded once with COPY; each run is a process of its own (so its peak memory is its
own) syncing into a database of its own, created and dropped by the run. Two floors are measured in the
same run: reading the query's rows through the same streaming cursor and doing nothing with them, and
the database writing the same rows by itself (one INSERT … SELECT into an empty table with the same
indexes and foreign key, no Python involved). What any sync must pay is at least the larger of the two.
The second sync reads the same rows again, the nightly case when little has changed. Figures are printed
as min–max over the runs: the spread is the machine's noise.
"""

import argparse
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from bench.postgres import DEFAULT_ADMIN_URL, admin_engine, database_url, maxrss_mib, scratch_database
from bot.config import SourceConfig
from bot.sync import run_source
from storage.db import make_engine, migrate
from storage.importing import import_rows
from storage.sources import source_rows

WAREHOUSE = "csbot_bench_warehouse"
_METRICS = ("active_users", "logins", "open_tickets", "nps", "features_used")
QUERY = (
    "SELECT account AS account_id, day AS date, metric, value FROM usage_daily ORDER BY day, account, metric"
)


def _account(number: int) -> str:
    return f"ACC-{number:06d}"


def _usage_lines(rows: int, accounts: int) -> Iterator[str]:
    start = date(2026, 1, 1)
    written = 0
    day = 0
    while True:
        observed = (start + timedelta(days=day)).isoformat()
        for account in range(accounts):
            for index, metric in enumerate(_METRICS):
                if written == rows:
                    return
                yield f"{_account(account)}\t{observed}\t{metric}\t{(account * 7 + day * 3 + index) % 997}\n"
                written += 1
        day += 1


def prepare_warehouse(admin_url: str, rows: int, accounts: int) -> str:
    """The warehouse database with its usage table of `rows` rows, loaded with COPY; kept between runs
    and rebuilt only when its size differs."""
    admin = admin_engine(admin_url)
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": WAREHOUSE}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{WAREHOUSE}"'))
    admin.dispose()
    url = database_url(admin_url, WAREHOUSE)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS usage_daily "
                "(account TEXT NOT NULL, day DATE NOT NULL, metric TEXT NOT NULL, value DOUBLE PRECISION)"
            )
        )
        count, distinct = connection.execute(
            text("SELECT count(*), count(DISTINCT account) FROM usage_daily")
        ).one()
    if (count, distinct) != (rows, min(accounts, rows)):
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("TRUNCATE usage_daily")
            with cursor.copy("COPY usage_daily (account, day, metric, value) FROM STDIN") as copy:
                buffer = io.StringIO()
                for number, line in enumerate(_usage_lines(rows, accounts), start=1):
                    buffer.write(line)
                    if number % 100_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
            cursor.execute("ANALYZE usage_daily")
            raw.commit()
        finally:
            raw.close()
    engine.dispose()
    return url


def run(admin_url: str, warehouse_url: str, accounts: int) -> dict[str, float | int]:
    with scratch_database(admin_url, "csbot_bench_sync") as target_url:
        engine = make_engine(target_url)
        migrate(engine)
        import_rows(
            engine,
            "accounts",
            ({"account_id": _account(n), "name": f"ベンチ{n}"} for n in range(accounts)),
            origin="bench accounts",
        )
        source = SourceConfig(name="usage", kind="metrics", url=warehouse_url, query=QUERY)

        began = time.perf_counter()
        read = 0
        with source_rows(warehouse_url, QUERY, {}) as table:
            for _row in table.rows:
                read += 1
        floor = time.perf_counter() - began
        rss_before = maxrss_mib()

        first = run_source(engine, source)
        assert first.ok, first.error
        again = run_source(engine, source)  # the nightly case: the same rows, nothing changed
        assert again.ok, again.error
        write_floor = _write_floor(engine)
        engine.dispose()
    return {
        "rows": first.read,
        "inserted": first.inserted,
        "floor_read_seconds": round(floor, 2),
        "floor_rows_per_second": round(read / floor),
        "sync_seconds": first.seconds,
        "sync_rows_per_second": round(first.read / first.seconds),
        "floor_write_seconds": round(write_floor, 2),
        "sync_vs_larger_floor": round(first.seconds / max(floor, write_floor), 2),
        "unchanged_sync_seconds": again.seconds,
        "unchanged_rows_per_second": round(again.read / again.seconds),
        "maxrss_before_sync_mib": round(rss_before, 1),
        "maxrss_after_sync_mib": round(maxrss_mib(), 1),
    }


def _write_floor(engine: Engine) -> float:
    """Seconds for the database alone to insert the synced rows into a table shaped like theirs."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE floor_copy (LIKE metric_observation INCLUDING ALL)"))
        connection.execute(
            text("ALTER TABLE floor_copy ADD FOREIGN KEY (account_id) REFERENCES account (id)")
        )
    with engine.begin() as connection:
        began = time.perf_counter()
        connection.execute(
            text(
                "INSERT INTO floor_copy (account_id, metric, observed_on, value) "
                "SELECT account_id, metric, observed_on, value FROM metric_observation"
            )
        )
        return time.perf_counter() - began


def _spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    shown = (lambda v: f"{v:,.0f}") if high >= 1000 else (lambda v: f"{v:,.2f}".rstrip("0").rstrip("."))
    return shown(low) if low == high else f"{shown(low)}–{shown(high)}"


def print_spread(runs: list[dict[str, float | int]]) -> None:
    print(f"{len(runs)} runs, min–max:")
    for name in runs[0]:
        print(f"{name:>28}: {_spread([float(r[name]) for r in runs])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3, help="separate runs to take the spread over")
    parser.add_argument(
        "--database", default=DEFAULT_ADMIN_URL, help="a PostgreSQL URL allowed to create databases"
    )
    parser.add_argument("--json", action="store_true", help="print every run's figures as JSON")
    parser.add_argument("--once", help=argparse.SUPPRESS)  # one run in this process, on this warehouse URL
    args = parser.parse_args()
    if args.once:
        print(json.dumps(run(args.database, args.once, args.accounts)))
        return
    warehouse_url = prepare_warehouse(args.database, args.rows, args.accounts)
    runs = []
    for _ in range(args.runs):
        command = [sys.executable, "-m", "bench.sync", "--once", warehouse_url, "--database", args.database]
        command += ["--accounts", str(args.accounts)]
        runs.append(json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout))
    if args.json:
        print(json.dumps({"runs": runs}))
    else:
        print_spread(runs)


if __name__ == "__main__":
    main()
