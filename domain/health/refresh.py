"""The daily health refresh: read each batch of accounts' figures, score them, store the snapshots.

Storage computes the figures in grouped SQL (storage/health_figures.py); this module decides what to
read for the configured scorecards and turns figures into scores, bands and per-measure detail.

The metric figures, the bulk of the reading, are read on a thread of their own, a few batches ahead of
the scoring: the database does that work while Python scores and writes, so on two cores the refresh
takes about as long as the reading alone. A caller with other work to do meanwhile (the daily sweep's
renewal reminders) opens a `HealthRefresh`, does it, then calls `finish()`.
"""

import queue
import threading
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from types import TracebackType

from sqlalchemy import Engine

from domain.health.scorecard import HealthConfig
from domain.health.scoring import BatchScores, FigureRequests, Scorer
from storage.health_figures import (
    MetricFigures,
    accounts_to_score,
    metric_figures,
    scored_accounts,
    value_point_figures,
    write_snapshots,
)

# Accounts read, scored and written together: small enough that the first batch's figures (read before
# any scoring can start) come quickly and a batch's figures stay small; large enough that each batch
# is a few grouped statements.
BATCH = 1250
# Batches whose figures may wait, read, for the scoring to take them.
READ_AHEAD = 8
# Account-days below which the figures are read in the scoring thread: for a small workspace a thread
# of its own gains nothing, and waiting on it costs more than the reading.
THREAD_FROM = 2 * BATCH


@dataclass(frozen=True)
class _Job:
    batch: int  # index into the batches
    day: date


class _Stopped(Exception):
    """The refresh was left before the reader finished: it stops at the next batch."""


class HealthRefresh:
    """Score accounts for some days and store the snapshots; the reading starts on entering.

    Re-running for a day overwrites that day's snapshot, so a re-import followed by a refresh
    corrects history instead of duplicating it.
    """

    def __init__(
        self,
        engine: Engine,
        config: HealthConfig,
        days: Sequence[date],
        account_ids: Sequence[int] | None = None,
    ) -> None:
        self._engine = engine
        self._requests = FigureRequests.of(config)
        self._scorer = Scorer(config)
        self._days = sorted(set(days))
        self._account_ids = account_ids
        self._batches: list[list[int]] = []
        self._jobs: list[_Job] = []
        self._read: queue.Queue[MetricFigures | BaseException] = queue.Queue(maxsize=READ_AHEAD)
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    def __enter__(self) -> "HealthRefresh":
        if not self._days:
            return self
        with self._engine.connect() as connection:
            ids = (
                sorted(self._account_ids) if self._account_ids is not None else accounts_to_score(connection)
            )
        self._batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
        self._jobs = [_Job(index, day) for index in range(len(self._batches)) for day in self._days]
        worth_a_thread = len(ids) * len(self._days) >= THREAD_FROM
        if self._jobs and worth_a_thread and not _in_memory(self._engine):
            self._reader = threading.Thread(target=self._read_all, name="health-figures", daemon=True)
            self._reader.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._reader is not None:
            while self._reader.is_alive():
                # Left early: take what the reader is waiting to hand over, so that it sees the stop.
                with suppress(queue.Empty):
                    while True:
                        self._read.get_nowait()
                self._reader.join(timeout=0.01)

    def finish(self) -> int:
        """Score and store every batch; returns the number of snapshots written."""
        written = 0
        for index, batch in enumerate(self._batches):
            with self._engine.connect() as connection:
                accounts = scored_accounts(connection, batch)
            rows: list[dict[str, object]] = []
            for day in self._days:
                metrics = self._next_figures(_Job(index, day))
                with self._engine.connect() as connection:
                    points = value_point_figures(
                        connection,
                        self._requests.value_point_windows,
                        day=day,
                        first_id=batch[0],
                        last_id=batch[-1],
                    )
                rows += _snapshot_rows(day, self._scorer.score_batch(accounts, day, metrics, points))
            with self._engine.begin() as connection:
                write_snapshots(connection, rows)
            written += len(rows)
        return written

    def _next_figures(self, job: _Job) -> MetricFigures:
        if self._reader is None:
            return self._figures(job)
        read = self._read.get()
        if isinstance(read, BaseException):
            raise read
        return read

    def _figures(self, job: _Job) -> MetricFigures:
        batch = self._batches[job.batch]
        with self._engine.connect() as connection:
            return metric_figures(
                connection,
                self._requests.metric_windows,
                day=job.day,
                first_id=batch[0],
                last_id=batch[-1],
            )

    def _read_all(self) -> None:
        """The reader thread: every job's figures, in order, handed over as they are read."""
        try:
            for job in self._jobs:
                self._hand_over(self._figures(job))
        except _Stopped:
            return
        except BaseException as error:  # the scoring thread raises it when it comes to take the batch
            try:
                self._hand_over(error)
            except _Stopped:
                return

    def _hand_over(self, item: MetricFigures | BaseException) -> None:
        while True:
            if self._stop.is_set():
                raise _Stopped
            try:
                self._read.put(item, timeout=0.05)
                return
            except queue.Full:
                continue


def refresh_snapshots(
    engine: Engine, config: HealthConfig, days: Sequence[date], account_ids: Sequence[int] | None = None
) -> int:
    """Score the accounts (every account not churned, by default) for each day and store the snapshots.
    Returns the number of snapshots written."""
    with HealthRefresh(engine, config, days, account_ids) as refresh:
        return refresh.finish()


def _snapshot_rows(day: date, scored: BatchScores) -> list[dict[str, object]]:
    return [
        {
            "account_id": account_id,
            "day": day,
            "score": score,
            "band": band,
            "scorecard": scorecard,
            "measures": measures,
        }
        for account_id, scorecard, score, band, measures in zip(
            scored.account_ids, scored.scorecards, scored.scores, scored.bands, scored.measures, strict=True
        )
    ]


def _in_memory(engine: Engine) -> bool:
    """An in-memory SQLite database: another thread's connection would see an empty one."""
    return engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:")
