"""A large SQLite database for latency benchmarks: N accounts with usage, contracts, value points, snapshots.

    python -m bench.workspace [--accounts 50000] [--today YYYY-MM-DD] [--cache-dir bench/.cache]

Rows go in through bulk Core inserts rather than the CSV importer: this is a fixture, and building 50,000
accounts through validation would make every benchmark run wait minutes for nothing it measures.
The file is cached by (accounts, today, a tag covering the schema, the scorecard and this generator), so
the second call returns at once; a fresh build replaces the older files for the same account count.
"""

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, text

from bot.config import load_config
from bot.demo.generate import account_size
from bot.demo.names import CompanyName, numbered_company
from bot.demo.people import REGION_OWNERS, TEAM, TOUR_CSM
from domain.health.refresh import refresh_snapshots
from storage.db import MIGRATIONS_DIR, make_engine, migrate
from storage.models import (
    Account,
    AccountAlias,
    Contract,
    MetricObservation,
    Milestone,
    TeamMember,
)
from storage.names import normalise_name

# Bump when the rows this module writes change, so stale cached files are not reused.
GENERATOR_VERSION = 1
DEFAULT_ACCOUNTS = 50_000
DEFAULT_CACHE_DIR = Path(__file__).parent / ".cache"
SEED = 11
# The health card reads today's snapshot and the trend back to 30 days ago.
SNAPSHOT_OFFSETS = tuple(range(0, 31, 5))
ACCOUNTS_PER_BATCH = 2_000

_SEGMENTS = (("enterprise", 0.1), ("mid_market", 0.3), ("smb", 0.6))
_REGIONS = (("japan", 0.4), ("north_america", 0.25), ("emea", 0.2), ("apac", 0.15))
_STAGES = ("onboarding", "adoption", "adoption", "renewal", "expansion")
# Rows per metric for one account; together they make METRICS_PER_ACCOUNT, each inside its measure's
# window for every snapshot day: (metric, rows, days apart).
_PLAN = (
    ("active_users", 30, 2),
    ("logins", 30, 2),
    ("open_tickets", 20, 3),
    ("features_used", 9, 7),
    ("touch", 8, 15),
    ("nps", 3, 60),
)
METRICS_PER_ACCOUNT = sum(rows for _, rows, _ in _PLAN)  # 100


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def cache_tag() -> str:
    """Changes whenever the schema, the scorecard or this generator does: what the cached file depends on."""
    digest = hashlib.sha256(f"generator {GENERATOR_VERSION}\n".encode())
    for migration in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    digest.update(load_config().health.model_dump_json().encode())
    return digest.hexdigest()[:12]


def build_bench_database(accounts: int = DEFAULT_ACCOUNTS, *, today: date, cache_dir: Path) -> str:
    """The URL of a migrated SQLite database holding `accounts` accounts and their snapshots, built once."""
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    cache_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"bench-{accounts}-"
    path = cache_dir / f"{prefix}{today.isoformat()}-{cache_tag()}.sqlite"
    if path.exists():
        _log(f"reusing {path} ({path.stat().st_size / 2**20:.0f} MiB)")
        return f"sqlite:///{path}"
    # Building under a temporary name means an interrupted build is never mistaken for a finished one.
    partial = path.with_suffix(".partial")
    _remove(partial)
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{partial}")
    try:
        migrate(engine)
        _fill(engine, accounts, today)
        _log("storing health snapshots …")
        snapshot_started = time.perf_counter()
        days = [today - timedelta(days=back) for back in SNAPSHOT_OFFSETS]
        written = refresh_snapshots(engine, load_config().health, days)
        _log(f"{written:,} snapshots in {time.perf_counter() - snapshot_started:.1f} s")
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            connection.execute(text("ANALYZE"))
            connection.commit()
    finally:
        engine.dispose()
    _remove(partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm"))
    partial.rename(path)
    # Tens of thousands of accounts make a file of hundreds of megabytes: keep only the newest one.
    for stale in cache_dir.glob(f"{prefix}*"):
        if stale != path and not stale.name.startswith(path.name):
            _remove(stale)
    size = path.stat().st_size / 2**20
    _log(f"built {path} in {time.perf_counter() - started:.1f} s ({size:.0f} MiB)")
    return f"sqlite:///{path}"


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _fill(engine: Engine, accounts: int, today: date) -> None:
    rng = random.Random(SEED)
    with engine.connect() as connection:
        # The file is built under a temporary name and discarded on failure: durability buys nothing here.
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB of page cache
        connection.commit()
        with connection.begin():
            _insert(
                connection, TeamMember, [_team_row(number, person) for number, person in enumerate(TEAM, 1)]
            )
        inserted = 0
        started = time.perf_counter()
        for first in range(1, accounts + 1, ACCOUNTS_PER_BATCH):
            numbers = range(first, min(first + ACCOUNTS_PER_BATCH, accounts + 1))
            with connection.begin():
                _insert_accounts(connection, rng, numbers, today)
            inserted += len(numbers)
            rate = inserted / (time.perf_counter() - started)
            _log(f"{inserted:,}/{accounts:,} accounts ({rate:,.0f} accounts/s)")


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        table: Table = model.__table__
        connection.execute(table.insert(), rows)


def _team_row(number: int, person: Any) -> dict[str, Any]:
    return {
        "id": number,
        "email": person.email,
        "name": person.name,
        "role": person.role,
        "slack_user_id": person.slack_user_id,
        "manager_email": person.manager_email,
        "timezone": person.tz,
        "locale": person.locale,
    }


def _pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([label for label, _ in shares], weights=[share for _, share in shares])[0]


def _insert_accounts(connection: Connection, rng: random.Random, numbers: range, today: date) -> None:
    accounts: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    metrics: list[dict[str, Any]] = []
    for number in numbers:
        acme = number == 1
        company = (
            CompanyName("Acme Corporation", "acme.com", ("ACME",)) if acme else numbered_company(rng, number)
        )
        segment = "enterprise" if acme else _pick(rng, _SEGMENTS)
        region = "north_america" if acme else _pick(rng, _REGIONS)
        arr, seats = account_size(rng, segment)
        csms, aes, ams = REGION_OWNERS[region]
        start = today - timedelta(days=rng.randint(30, 1500))
        accounts.append(
            {
                "id": number,
                "external_id": f"ACC-{number:06d}",
                "name": company.name,
                "search_name": normalise_name(company.name),
                "domain": company.domain,
                "segment": segment,
                "region": region,
                "arr": arr,
                "seats": seats,
                "csm_email": TOUR_CSM.email if acme else rng.choice(csms),
                "ae_email": rng.choice(aes),
                "am_email": rng.choice(ams) if segment != "smb" else None,
                "lifecycle_stage": rng.choice(_STAGES),
                "status": "active",
                "start_date": start,
            }
        )
        aliases.extend(
            {"account_id": number, "alias": alias, "search_alias": normalise_name(alias)}
            for alias in company.aliases
        )
        end = today + timedelta(days=rng.randint(1, 365))
        auto_renew = rng.random() < 0.6
        contracts.append(
            {
                "id": number,
                "external_id": f"CTR-{number:06d}",
                "account_id": number,
                "start_date": end - timedelta(days=364),
                "end_date": end,
                "arr": arr,
                "auto_renew": auto_renew,
                "notice_days": 60 if auto_renew else None,
                "status": "active",
            }
        )
        on_time = rng.uniform(0.3, 1.0)
        for point, offset in enumerate((-240, -120, 30)):
            due = today + timedelta(days=offset + rng.randint(-20, 20))
            reached = due <= today and rng.random() < on_time
            milestones.append(
                {
                    "account_id": number,
                    "name": f"Value point {point + 1}",
                    "due_date": due,
                    "achieved_date": due - timedelta(days=rng.randint(0, 10)) if reached else None,
                }
            )
        metrics.extend(_metric_rows(rng, number, seats, today))
    _insert(connection, Account, accounts)
    _insert(connection, AccountAlias, aliases)
    _insert(connection, Contract, contracts)
    _insert(connection, Milestone, milestones)
    _insert(connection, MetricObservation, metrics)


def _metric_rows(rng: random.Random, account_id: int, seats: int, today: date) -> Iterator[dict[str, Any]]:
    """A health level drifting over the last 60 days (one account in eight slides), read off as metrics."""
    now = rng.uniform(0.05, 0.3) if rng.random() < 0.125 else rng.uniform(0.45, 0.95)
    before = rng.uniform(0.5, 0.95)
    logins_per_user = rng.uniform(1.1, 1.8)
    for metric, rows, step in _PLAN:
        # Oldest first: rows then arrive in the unique index's order, which keeps the inserts cheap.
        for back in range((rows - 1) * step, -1, -step):
            health = now + (before - now) * min(1.0, back / 60)
            match metric:
                case "active_users":
                    value = round(seats * (0.08 + 0.85 * health) * rng.uniform(0.9, 1.1))
                case "logins":
                    # A row every second day stands for both days' logins.
                    value = round(
                        2 * seats * (0.08 + 0.85 * health) * logins_per_user * rng.uniform(0.85, 1.15)
                    )
                case "open_tickets":
                    value = round(14 * (1 - health) ** 1.5 + rng.uniform(-1, 1))
                case "features_used":
                    value = round(1 + 11 * health + rng.gauss(0, 0.8))
                case "touch":
                    value = 1
                case _:
                    value = round(-75 + 150 * health + rng.gauss(0, 8))
            yield {
                "account_id": account_id,
                "metric": metric,
                "observed_on": today - timedelta(days=back),
                "value": float(max(-100, min(value, 100)) if metric == "nps" else max(0, value)),
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspace", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    args = parser.parse_args(argv)
    # A command-line run may use the calendar; the function itself never reads the clock.
    today = args.today or date.today()
    print(build_bench_database(args.accounts, today=today, cache_dir=args.cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
