"""A large database for benchmarks: N accounts with usage, contracts, value points and snapshots.

    python -m bench.workspace [--accounts 50000] [--today YYYY-MM-DD] [--cache-dir bench/.cache]
                              [--database postgresql://HOST/ADMIN_DB]

Rows go in through bulk loads rather than the CSV importer: this is a fixture, and building 50,000
accounts through validation would make every benchmark run wait minutes for nothing it measures. On
SQLite they are bulk Core inserts; on PostgreSQL they are COPY, the metric rows (a hundred million at a
million accounts) in the binary format straight from numpy columns, with the unique index built once
after the load instead of row by row during it. The snapshots are then scored by the real refresh.

The result is cached by (accounts, today, a tag covering the schema, the scorecard and this generator): a
SQLite file under the cache folder, or a PostgreSQL database on the given server named after those; the
second call returns at once, and a fresh build replaces the older ones for the same account count.
"""

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, Table, text

from bench.postgres import BinaryCopy, admin_engine, copy_rows, database_url, is_postgres
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
    Milestone,
    TeamMember,
)
from storage.names import normalise_name

# Bump when the rows this module writes change, so stale cached files are not reused.
GENERATOR_VERSION = 2
DEFAULT_ACCOUNTS = 50_000
DEFAULT_CACHE_DIR = Path(__file__).parent / ".cache"
SEED = 11
# The health card reads today's snapshot and the trend back to 30 days ago.
SNAPSHOT_OFFSETS = tuple(range(0, 31, 5))
# On PostgreSQL only the trend's two ends are scored: the workspaces built there are the big ones, and
# every fifth day would be seven million snapshots, most of the build's time, at a million accounts.
POSTGRES_SNAPSHOT_OFFSETS = (0, 30)
ACCOUNTS_PER_BATCH = 2_000
# PostgreSQL takes bigger COPY blocks well; the metric rows of a batch are then a few hundred thousand.
POSTGRES_ACCOUNTS_PER_BATCH = 5_000

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


def build_bench_database(
    accounts: int = DEFAULT_ACCOUNTS, *, today: date, cache_dir: Path, database: str | None = None
) -> str:
    """The URL of a migrated database holding `accounts` accounts and their snapshots, built once: a SQLite
    file under `cache_dir`, or, given a PostgreSQL URL (any database on the server: it is only used to
    create the bench database), a database of its own on that server."""
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    if is_postgres(database):
        assert database is not None
        return _build_postgres(accounts, today, database)
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
        with engine.connect() as connection:
            # The file is built under a temporary name and discarded on failure: durability buys nothing.
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB of page cache
            connection.commit()
            _fill(connection, accounts, today, _SqliteLoad(), ACCOUNTS_PER_BATCH)
        _store_snapshots(engine, today, SNAPSHOT_OFFSETS)
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


def _build_postgres(accounts: int, today: date, admin_url: str) -> str:
    prefix = f"csbot_bench_{accounts}_"
    name = f"{prefix}{today:%Y%m%d}_{cache_tag()}"
    admin = admin_engine(admin_url)
    try:
        with admin.connect() as connection:
            # Compared in Python: in LIKE, each "_" of the prefix would match any character, and a
            # build of 10 accounts would count those of 100 000 as its own stale copies.
            existing = {
                datname
                for datname in connection.scalars(text("SELECT datname FROM pg_database"))
                if datname.startswith(prefix)
            }
            if name in existing:
                _log(f"reusing PostgreSQL database {name}")
                return database_url(admin_url, name)
            # Built under a temporary name, renamed when complete: an interrupted build is never reused.
            partial = f"{name}_partial"
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{partial}"')
        started = time.perf_counter()
        engine = make_engine(database_url(admin_url, partial))
        try:
            migrate(engine)
            with engine.connect() as connection:
                # The database is renamed only once complete and dropped if not: losing a crashed
                # build's last commits costs nothing.
                connection.exec_driver_sql("SET synchronous_commit = off")
                # The rows are generated consistent; checking each metric row's account is the
                # foreign key's trigger firing a hundred million times for nothing.
                connection.exec_driver_sql("SET session_replication_role = replica")
                # One sort after the load builds the unique index far faster than a hundred million
                # insertions into it.
                connection.exec_driver_sql(
                    "ALTER TABLE metric_observation DROP CONSTRAINT uq_metric_observation"
                )
                connection.commit()
                _fill(connection, accounts, today, _PostgresLoad(), POSTGRES_ACCOUNTS_PER_BATCH)
                _log("building the metric rows' unique index …")
                index_started = time.perf_counter()
                connection.exec_driver_sql("SET maintenance_work_mem = '2GB'")
                connection.exec_driver_sql(
                    "ALTER TABLE metric_observation ADD CONSTRAINT uq_metric_observation "
                    "UNIQUE (account_id, metric, observed_on)"
                )
                for table in ("team_member", "account", "contract", "metric_observation"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                connection.commit()
                _log(f"index built in {time.perf_counter() - index_started:.1f} s")
            _analyse(engine)
            _store_snapshots(engine, today, POSTGRES_SNAPSHOT_OFFSETS)
            _analyse(engine)
        finally:
            engine.dispose()
        with admin.connect() as connection:
            for stale in existing:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
            connection.exec_driver_sql(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
        _log(f"built PostgreSQL database {name} in {time.perf_counter() - started:.1f} s")
        return database_url(admin_url, name)
    finally:
        admin.dispose()


def _analyse(engine: Engine) -> None:
    """VACUUM sets the visibility map (index-only reads skip the table); ANALYZE gives the planner the
    new row counts."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")


def _store_snapshots(engine: Engine, today: date, offsets: tuple[int, ...]) -> None:
    _log("storing health snapshots …")
    started = time.perf_counter()
    days = [today - timedelta(days=back) for back in offsets]
    written = refresh_snapshots(engine, load_config().health, days)
    _log(f"{written:,} snapshots in {time.perf_counter() - started:.1f} s")


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


class _Load(Protocol):
    """How a batch of generated rows goes into the database."""

    def rows(self, connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None: ...

    def metrics(self, connection: Connection, blocks: list["_MetricBlock"]) -> None: ...


class _SqliteLoad:
    """Bulk Core inserts."""

    def rows(self, connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            table: Table = model.__table__
            connection.execute(table.insert(), rows)

    def metrics(self, connection: Connection, blocks: list["_MetricBlock"]) -> None:
        connection.exec_driver_sql(
            "INSERT INTO metric_observation (account_id, metric, observed_on, value) VALUES (?, ?, ?, ?)",
            [
                (account_id, block.metric, str(day), value)
                for block in blocks
                for account_id, day, value in zip(
                    block.account_ids.tolist(), block.observed_on.tolist(), block.values.tolist(), strict=True
                )
            ],
        )


class _PostgresLoad:
    """COPY; the metric rows in the binary format, with their ids given (no sequence call per row)."""

    def __init__(self) -> None:
        self._next_metric_id = 1

    def rows(self, connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
        copy_rows(connection, model.__tablename__, rows)

    def metrics(self, connection: Connection, blocks: list["_MetricBlock"]) -> None:
        columns = ("id", "account_id", "metric", "observed_on", "value")
        with BinaryCopy(connection, "metric_observation", columns) as copy:
            for block in blocks:
                ids = np.arange(
                    self._next_metric_id, self._next_metric_id + len(block.values), dtype=np.int64
                )
                self._next_metric_id += len(block.values)
                copy.write(
                    [ids, block.account_ids.astype(np.int32), block.metric, block.observed_on, block.values]
                )


def _fill(connection: Connection, accounts: int, today: date, load: _Load, per_batch: int) -> None:
    rng = random.Random(SEED)
    metric_rng = np.random.default_rng(SEED)
    with connection.begin():
        load.rows(
            connection, TeamMember, [_team_row(number, person) for number, person in enumerate(TEAM, 1)]
        )
    inserted = 0
    started = time.perf_counter()
    for first in range(1, accounts + 1, per_batch):
        numbers = range(first, min(first + per_batch, accounts + 1))
        with connection.begin():
            _insert_accounts(connection, load, rng, metric_rng, numbers, today)
        inserted += len(numbers)
        rate = inserted / (time.perf_counter() - started)
        _log(f"{inserted:,}/{accounts:,} accounts ({rate:,.0f} accounts/s)")


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


def _insert_accounts(
    connection: Connection,
    load: _Load,
    rng: random.Random,
    metric_rng: np.random.Generator,
    numbers: range,
    today: date,
) -> None:
    accounts: list[dict[str, Any]] = []
    aliases: list[dict[str, Any]] = []
    contracts: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
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
    load.rows(connection, Account, accounts)
    load.rows(connection, AccountAlias, aliases)
    load.rows(connection, Contract, contracts)
    load.rows(connection, Milestone, milestones)
    ids = np.array([account["id"] for account in accounts], dtype=np.int64)
    seats = np.array([account["seats"] for account in accounts], dtype=np.float64)
    load.metrics(connection, list(_metric_blocks(metric_rng, ids, seats, today)))


@dataclass(frozen=True)
class _MetricBlock:
    """One metric's rows for a batch of accounts, account by account, oldest day first."""

    metric: str
    account_ids: NDArray[np.int64]
    observed_on: NDArray[np.datetime64]
    values: NDArray[np.float64]


def _metric_blocks(
    rng: np.random.Generator, account_ids: NDArray[np.int64], seats: NDArray[np.float64], today: date
) -> Iterator[_MetricBlock]:
    """A health level drifting over the last 60 days (one account in eight slides), read off as metrics:
    one row per (account, day) of each metric's plan, worked out a batch of accounts at a time."""
    count = len(account_ids)
    slides = rng.random(count) < 0.125
    now = np.where(slides, rng.uniform(0.05, 0.3, count), rng.uniform(0.45, 0.95, count))[:, None]
    before = rng.uniform(0.5, 0.95, count)[:, None]
    logins_per_user = rng.uniform(1.1, 1.8, count)[:, None]
    users = seats[:, None]
    for metric, rows, step in _PLAN:
        # Oldest first: rows then arrive in the unique index's order, which keeps the inserts cheap.
        back = np.arange((rows - 1) * step, -1, -step)
        health = now + (before - now) * np.minimum(1.0, back / 60)[None, :]
        shape = health.shape
        match metric:
            case "active_users":
                value = np.round(users * (0.08 + 0.85 * health) * rng.uniform(0.9, 1.1, shape))
            case "logins":
                # A row every second day stands for both days' logins.
                value = np.round(
                    2 * users * (0.08 + 0.85 * health) * logins_per_user * rng.uniform(0.85, 1.15, shape)
                )
            case "open_tickets":
                value = np.round(14 * (1 - health) ** 1.5 + rng.uniform(-1, 1, shape))
            case "features_used":
                value = np.round(1 + 11 * health + rng.normal(0, 0.8, shape))
            case "touch":
                value = np.ones(shape)
            case _:
                value = np.round(-75 + 150 * health + rng.normal(0, 8, shape))
        value = np.clip(value, -100, 100) if metric == "nps" else np.maximum(value, 0)
        days = np.datetime64(today, "D") - back.astype("timedelta64[D]")
        yield _MetricBlock(
            metric=metric,
            account_ids=np.repeat(account_ids, rows),
            observed_on=np.tile(days, count),
            values=value.astype(np.float64).ravel(),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspace", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument(
        "--database", default=None, help="a PostgreSQL server's URL: build the workspace there"
    )
    args = parser.parse_args(argv)
    # A command-line run may use the calendar; the function itself never reads the clock.
    today = args.today or date.today()
    print(build_bench_database(args.accounts, today=today, cache_dir=args.cache_dir, database=args.database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
