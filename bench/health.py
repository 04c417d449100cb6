"""`/cs health` latency through the signed HTTP path, at workspace scale.

    python -m bench.health [--accounts N] [--database postgresql://HOST/DB] [--requests R] [--json]

Builds (once, cached under bench/.cache) a workspace of N accounts with 100 metric rows each, then
sends signed slash commands to the real app over HTTP and measures from the moment the request
leaves to the moment the local Slack server records the bot's reply on the response URL.
`/cs help` (no database work) is timed the same way as the floor. With `--database` the workspace is a
PostgreSQL database on that server, and the peak memory of the server's processes is reported beside
this one's (the app, the local Slack server and the client all run in this process).
"""

import argparse
import json
import random
import statistics
import sys
import time
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from bench.postgres import ProcessMemory, is_postgres, maxrss_mib
from bench.workspace import build_bench_database
from bot.config import load_config
from bot.local import LocalWorkspace
from domain.clock import fixed_clock
from localslack import post_signed, slash_command_body
from storage.db import make_engine
from storage.models import Account, TeamMember

BENCH_DAY = date(2026, 11, 23)
CACHE_DIR = Path(__file__).parent / ".cache"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_command(workspace: LocalWorkspace, text: str, user_id: str) -> float:
    """Milliseconds from sending the request to the reply arriving at the local Slack server."""
    body = slash_command_body(
        command="/cs", text=text, user_id=user_id, response_url=workspace.slack.new_response_url()
    )
    before = len(workspace.slack.calls)
    started = time.monotonic()
    status, _ = post_signed(workspace.url, body, "local-signing-secret")
    workspace.executor.wait_idle()
    replies = [c for c in workspace.slack.calls[before:] if c.method == "response_url"]
    if status != 200 or len(replies) != 1:
        raise RuntimeError(f"unexpected answer to {text!r}: HTTP {status}, {len(replies)} replies")
    return (replies[0].at - started) * 1000


def run(accounts: int, requests: int, database: str | None = None) -> dict[str, float | int]:
    url = build_bench_database(accounts, today=BENCH_DAY, cache_dir=CACHE_DIR, database=database)
    engine = make_engine(url)
    config = load_config()
    rng = random.Random(11)
    with engine.connect() as connection:
        names = list(connection.scalars(select(Account.name).order_by(Account.id)))
        user_id = connection.scalar(select(TeamMember.slack_user_id).where(TeamMember.role == "csm").limit(1))
    # Mostly distinct accounts (no warm caches to flatter the figure), plus the loose "acme" lookup.
    queries = ["acme"] + [rng.choice(names) for _ in range(requests - 1)]
    clock = fixed_clock(datetime(BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day, 3, tzinfo=UTC))
    memory = ProcessMemory(engine) if is_postgres(url) else None
    with LocalWorkspace(engine=engine, config=config, clock=clock) as workspace:
        for warmup in range(20):
            time_command(workspace, f"health {names[warmup]}", user_id)
            time_command(workspace, "help", user_id)
        with memory or nullcontext():
            health = [time_command(workspace, f"health {query}", user_id) for query in queries]
            floor = [time_command(workspace, "help", user_id) for _ in range(requests)]
    engine.dispose()
    return {
        **(memory.figures() if memory is not None else {"peak_mib_this_process": round(maxrss_mib(), 1)}),
        "accounts": accounts,
        "requests": requests,
        "p50_ms": round(statistics.median(health), 2),
        "p99_ms": round(percentile(health, 0.99), 2),
        "max_ms": round(max(health), 2),
        "floor_p50_ms": round(statistics.median(floor), 2),
        "floor_p99_ms": round(percentile(floor, 0.99), 2),
        "p99_over_floor": round(percentile(health, 0.99) / percentile(floor, 0.99), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database", default=None, help="a PostgreSQL server's URL (default: SQLite)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    figures = run(args.accounts, args.requests, args.database)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"/cs health over {figures['accounts']:,} accounts, {figures['requests']} requests each:")
        print(
            f"  health  p50 {figures['p50_ms']} ms   p99 {figures['p99_ms']} ms   max {figures['max_ms']} ms"
        )
        print(f"  help    p50 {figures['floor_p50_ms']} ms   p99 {figures['floor_p99_ms']} ms   (the floor)")
        print(f"  health p99 / floor p99 = {figures['p99_over_floor']}×   (targets: p99 ≤ 100 ms, ≤ 2×)")
        for key, value in figures.items():
            if key.startswith("peak_mib"):
                print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
