"""The daily health refresh: read each batch of accounts' figures, score them, store the snapshots.

Storage computes the figures in grouped SQL (storage/health_figures.py); this module decides what to
read for the configured scorecards and turns figures into scores, bands and per-measure detail.
"""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine

from domain.health.scorecard import HealthConfig
from domain.health.scoring import FigureRequests, HealthResult, score_from_figures
from storage.health_figures import (
    accounts_to_score,
    metric_figures,
    scored_accounts,
    value_point_figures,
    write_snapshots,
)

# Accounts read and written together: large enough that each batch is a few grouped statements,
# small enough that a batch's figures stay a few megabytes whatever the size of the workspace.
BATCH = 5_000


def _snapshot_row(result: HealthResult) -> dict[str, object]:
    return {
        "account_id": result.account_id,
        "day": result.day,
        "score": result.score,
        "band": result.band,
        "scorecard": result.scorecard,
        "measures": [m.as_dict() for m in result.measures],
    }


def refresh_snapshots(
    engine: Engine, config: HealthConfig, days: Sequence[date], account_ids: Sequence[int] | None = None
) -> int:
    """Score the accounts (every account not churned, by default) for each day and store the snapshots.

    Re-running for a day overwrites that day's snapshot, so a re-import followed by a refresh
    corrects history instead of duplicating it. Returns the number of snapshots written.
    """
    if not days:
        return 0
    with engine.connect() as connection:
        ids = sorted(account_ids) if account_ids is not None else accounts_to_score(connection)
    requests = FigureRequests.of(config)
    windows = requests.metric_windows
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        first, last = batch[0], batch[-1]
        rows = []
        with engine.connect() as connection:
            accounts = scored_accounts(connection, batch)
            for day in sorted(set(days)):
                metrics = metric_figures(connection, windows, day=day, first_id=first, last_id=last)
                points = value_point_figures(
                    connection, requests.value_point_windows, day=day, first_id=first, last_id=last
                )
                rows += [
                    _snapshot_row(score_from_figures(config, account, day, metrics, points))
                    for account in accounts
                ]
        with engine.begin() as connection:
            write_snapshots(connection, rows)
        written += len(rows)
    return written
