"""One full daily sweep at workspace scale: scoring, reminder windows, alert detection.

    python -m bench.sweep [--accounts N] [--database postgresql://HOST/DB] [--repeat R] [--json]

Uses the cached benchmark workspace (N accounts, 100 metric rows each, a week of snapshots) and runs
two sweeps: the first after it, as a fresh install's first sweep would (every reminder and alert
already due is recorded at once: `first_sweep_*`), then the next day's, an ordinary day, which is the
one timed against the floor. Every account is scored afresh both times. Messages are only queued here;
delivering them is timed separately against the local Slack server, since Slack's own pace (about a
message a second per channel) and not this code decides how long sending takes.

The floor is one SQL aggregate pass over the metric rows the sweep reads (every row within the longest
metric window, grouped by account and metric, fetched in full), timed on the same database in the same
run, before and after the sweep (the faster counts). The sweep cannot be faster than reading its data
once; `sweep_over_floor` says how far it is from that. With `--repeat R` the whole run (floor, sweep,
floor) is done R times from the same starting state; the figures are the median run's by that
ratio, with the lowest and highest ratio beside them, since a shared machine's noise moves single
runs by a tenth or more.

With `--database` the workspace is a PostgreSQL database on that server (built once with COPY, see
bench/workspace.py), and the memory figures cover the server's processes too: the largest one's peak,
and the peak of their summed proportional size (shared buffers counted once).
"""

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import Engine, text

from bench.postgres import ProcessMemory, is_postgres, maxrss_mib
from bench.workspace import build_bench_database
from bot.config import load_config
from bot.delivery import Sender
from domain.clock import fixed_clock
from domain.sweep import run_sweep
from localslack import LocalSlackServer
from storage.db import make_engine

BENCH_DAY = datetime(2026, 11, 23).date()
CACHE_DIR = Path(__file__).parent / ".cache"


def floor_seconds(engine: Engine, day: date) -> float:
    """One grouped pass over the metric rows within the longest metric window, fetched in full."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        # In a process of its own: the fetched rows (gigabytes at a million accounts) would otherwise
        # stay in this process's memory and hide the sweep's own peak.
        return child.submit(_floor_seconds, engine.url.render_as_string(hide_password=False), day).result()


def _floor_seconds(url: str, day: date) -> float:
    engine = make_engine(url)
    config = load_config()
    longest = max(
        measure.window_days
        for name in config.health.scorecards
        for measure in config.health.resolve(name).measures
        if measure.source == "metric"
    )
    query = text(
        "SELECT account_id, metric, count(*), sum(value), max(observed_on) FROM metric_observation "
        "WHERE observed_on BETWEEN :first AND :day GROUP BY account_id, metric"
    )
    started = time.perf_counter()
    with engine.connect() as connection:
        rows = connection.execute(query, {"first": day - timedelta(days=longest - 1), "day": day}).all()
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert rows, "the floor read no rows: the bench workspace is empty"
    return elapsed


def run(accounts: int, deliver: bool, database: str | None = None) -> dict[str, float | int]:
    url = build_bench_database(accounts, today=BENCH_DAY, cache_dir=CACHE_DIR, database=database)
    engine = make_engine(url)
    config = load_config()
    config.channels.renewals = "C0RENEWALS"
    config.channels.risks = "C0RISKS"
    first_day, day = BENCH_DAY + timedelta(days=1), BENCH_DAY + timedelta(days=2)
    # Each run starts from the cached workspace as built: forget what an earlier run recorded.
    with engine.begin() as connection:
        for table in ("outbox_message", "renewal_reminder", "risk_alert", "scheduler_lease"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
        connection.exec_driver_sql(
            f"DELETE FROM health_snapshot WHERE day IN ('{first_day.isoformat()}', '{day.isoformat()}')"
        )
    if engine.dialect.name == "sqlite":
        # Fold the write-ahead log back into the file, so that every run reads the database as built.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    # The first sweep of a fresh install records every reminder and alert already due at once; the
    # day after is an ordinary day, and that is the sweep timed against the floor.
    started = time.perf_counter()
    first = run_sweep(engine, config.sweep_policy, day=first_day, now=_midnight(first_day))
    first_seconds = time.perf_counter() - started
    floor_before = floor_seconds(engine, day)
    before = maxrss_mib()
    memory = ProcessMemory(engine) if is_postgres(url) else None
    started = time.perf_counter()
    with memory or nullcontext():
        result = run_sweep(engine, config.sweep_policy, day=day, now=_midnight(day))
    seconds = time.perf_counter() - started
    floor = min(floor_before, floor_seconds(engine, day))
    figures: dict[str, float | int] = {
        "accounts": accounts,
        "seconds": round(seconds, 2),
        "floor_seconds": round(floor, 2),
        "sweep_over_floor": round(seconds / floor, 2),
        "peak_mb": round(maxrss_mib(), 1),
        "peak_mb_before_sweep": round(before, 1),
        **(memory.figures() if memory is not None else {}),
        "scored": result.snapshots,
        "reminders": result.renewals.due,
        "alerts": result.risks.alerts,
        "messages_queued": result.renewals.messages + result.risks.messages,
        "first_sweep_seconds": round(first_seconds, 2),
        "first_sweep_reminders": first.renewals.due,
        "first_sweep_alerts": first.risks.alerts,
    }
    now = _midnight(day)
    if deliver:
        with LocalSlackServer() as slack:
            client = WebClient(token="xoxb-bench", base_url=slack.api_url)
            sender = Sender(engine, client, config, clock=fixed_clock(now), sleep=lambda _s: None)
            started = time.perf_counter()
            report = sender.deliver_due(limit=100_000)
            figures["send_seconds_unpaced"] = round(time.perf_counter() - started, 2)
            figures["sent"] = report.sent
    engine.dispose()
    return figures


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 0, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--database", default=None, help="a PostgreSQL server's URL (default: SQLite)")
    parser.add_argument("--deliver", action="store_true", help="also time sending to the local Slack server")
    parser.add_argument("--repeat", type=int, default=1, help="runs to take the median of")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    runs = sorted(
        (run(args.accounts, args.deliver, args.database) for _ in range(max(1, args.repeat))),
        key=lambda figures: figures["sweep_over_floor"],
    )
    figures = dict(runs[len(runs) // 2])
    if len(runs) > 1:
        figures["runs"] = len(runs)
        figures["sweep_over_floor_min"] = runs[0]["sweep_over_floor"]
        figures["sweep_over_floor_max"] = runs[-1]["sweep_over_floor"]
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
