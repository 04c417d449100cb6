"""Daily health snapshots: load account facts in bulk, score them, store one row per account and day."""

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

from sqlalchemy import Engine, select

from domain.health.scorecard import HealthConfig
from domain.health.scoring import AccountFacts, HealthResult, MilestoneFact, score_account
from storage.models import Account, HealthSnapshot, MetricObservation, Milestone
from storage.upsert import upsert_rows

_BATCH = 500
# Below this many accounts one process scores faster than starting others would save.
PARALLEL_FROM = 20_000
MAX_WORKERS = 4


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_facts(
    engine: Engine, config: HealthConfig, account_ids: Sequence[int], first_day: date, last_day: date
) -> list[AccountFacts]:
    """Everything needed to score these accounts on any day between `first_day` and `last_day`."""
    scorecards = [config.resolve(name) for name in config.scorecards]
    metrics = set().union(*(s.metrics for s in scorecards))
    earliest = first_day - timedelta(days=max(s.longest_window for s in scorecards))
    with engine.connect() as connection:
        accounts = connection.execute(
            select(Account.id, Account.segment, Account.seats).where(Account.id.in_(account_ids))  # type: ignore[union-attr]
        ).all()
        facts = {a.id: AccountFacts(account_id=a.id, segment=a.segment, seats=a.seats) for a in accounts}
        series: dict[int, dict[str, list[tuple[date, float]]]] = defaultdict(lambda: defaultdict(list))
        observations = connection.execute(
            select(
                MetricObservation.account_id,
                MetricObservation.metric,
                MetricObservation.observed_on,
                MetricObservation.value,
            )
            .where(MetricObservation.account_id.in_(account_ids))  # type: ignore[attr-defined]
            .where(MetricObservation.metric.in_(metrics))  # type: ignore[attr-defined]
            .where(MetricObservation.observed_on.between(earliest, last_day))  # type: ignore[attr-defined]
            .order_by(MetricObservation.account_id, MetricObservation.metric, MetricObservation.observed_on)
        )
        for account_id, metric, observed_on, value in observations:
            series[account_id][metric].append((observed_on, value))
        milestones = connection.execute(
            select(Milestone.account_id, Milestone.due_date, Milestone.achieved_date).where(
                Milestone.account_id.in_(account_ids)
            )  # type: ignore[attr-defined]
        )
        for account_id, due_date, achieved_date in milestones:
            facts[account_id].milestones.append(MilestoneFact(due_date, achieved_date))
    for account_id, by_metric in series.items():
        facts[account_id].series = dict(by_metric)
    return list(facts.values())


def refresh_snapshots(
    engine: Engine, config: HealthConfig, days: Sequence[date], account_ids: Sequence[int] | None = None
) -> int:
    """Score the accounts (every account not churned, by default) for each day and store the snapshots.

    Re-running for a day overwrites that day's snapshot, so a re-import followed by a refresh
    corrects history instead of duplicating it. Returns the number of snapshots written.
    """
    if not days:
        return 0
    if account_ids is None:
        with engine.connect() as connection:
            account_ids = list(
                connection.scalars(select(Account.id).where(Account.status != "churned").order_by(Account.id))
            )
    account_ids = list(account_ids)
    workers = _workers_for(engine, len(account_ids))
    if workers == 1:
        return _score_and_store(engine, config, days, account_ids)
    # Scoring is CPU-bound Python: large workspaces are split across processes, one slice each.
    url = engine.url.render_as_string(hide_password=False)
    size = -(-len(account_ids) // workers)
    slices = [account_ids[i : i + size] for i in range(0, len(account_ids), size)]
    context = multiprocessing.get_context("spawn")  # never fork a process that may be running threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return sum(
            pool.map(
                _score_slice, [url] * len(slices), [config] * len(slices), [list(days)] * len(slices), slices
            )
        )


def _workers_for(engine: Engine, accounts: int) -> int:
    in_memory = engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")
    if in_memory or accounts < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _score_slice(url: str, config: HealthConfig, days: list[date], account_ids: list[int]) -> int:
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        return _score_and_store(engine, config, days, account_ids)
    finally:
        engine.dispose()


def _score_and_store(
    engine: Engine, config: HealthConfig, days: Sequence[date], account_ids: list[int]
) -> int:
    written = 0
    for batch in _chunks(account_ids, _BATCH):
        results: list[HealthResult] = []
        for facts in load_facts(engine, config, batch, min(days), max(days)):
            scorecard = config.scorecard_for(facts.segment)
            results.extend(score_account(config, facts, day, scorecard) for day in days)
        rows = [
            {
                "account_id": r.account_id,
                "day": r.day,
                "score": r.score,
                "band": r.band,
                "scorecard": r.scorecard,
                "measures": [m.as_dict() for m in r.measures],
            }
            for r in results
        ]
        with engine.begin() as connection:
            upsert_rows(connection, HealthSnapshot.__table__, rows, key=("account_id", "day"))  # type: ignore[attr-defined]
        written += len(rows)
    return written
