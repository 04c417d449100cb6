"""The daily health refresh: read each batch of accounts' figures, score them, store the snapshots.

Storage computes the figures in grouped SQL (storage/health_figures.py); this module decides what to
read for the configured scorecards and turns figures into scores, bands and per-measure detail.

The metric figures, the bulk of the reading, are read by reading threads, batches ahead of the
scoring: the database does that work without Python's interpreter lock while Python scores and
writes, so on two cores the refresh takes little longer than the reading alone. A caller with other
work to do meanwhile (the daily sweep's renewal reminders) opens a `HealthRefresh`, does it, then
calls `finish()`.
"""

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from types import TracebackType

from sqlalchemy import Engine

from domain.health.scorecard import HealthConfig
from domain.health.scoring import BatchScores, FigureRequests, Scorer
from storage.db import in_memory
from storage.health_figures import (
    MetricFigures,
    ScoredAccount,
    accounts_to_score,
    metric_figures,
    value_point_figures,
    write_snapshots,
)

# Accounts read, scored and written together: small enough that the first batch's figures (read before
# any scoring can start) come quickly and a batch's figures stay small; large enough that each batch
# is a few grouped statements.
BATCH = 1250
# Batches read ahead of the scoring at most: enough to keep the readers busy while the caller does
# its other work (a batch's figures are a few hundred kilobytes).
READ_AHEAD = 24
# Threads reading figures. Two: while the scoring thread waits for a batch, or the database is
# PostgreSQL on another machine, a second reader keeps the database busy.
READERS = 2
# Account-days below which the figures are read in the scoring thread: for a small workspace a thread
# of its own gains nothing, and waiting on it costs more than the reading.
THREAD_FROM = 2 * BATCH
# The reading threads' name, as logs and thread dumps show it.
READER_NAME = "health-figures"
WRITER_NAME = "health-snapshots"


@dataclass(frozen=True)
class _Job:
    batch: int  # index into the batches
    day: date


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
        *,
        keep_scores_of: date | None = None,
    ) -> None:
        self._engine = engine
        # The scores of this day, kept as they are computed for a caller that works on with them (the
        # risk sweep), so it need not read them back.
        self._keep_scores_of = keep_scores_of
        self.scores: dict[int, tuple[float | None, str]] = {}
        self._requests = FigureRequests.of(config)
        self._scorer = Scorer(config)
        self._days = sorted(set(days))
        self._account_ids = account_ids
        self._batches: list[list[ScoredAccount]] = []
        self._jobs: list[_Job] = []
        self._readers: ThreadPoolExecutor | None = None
        self._reading: deque[Future[MetricFigures]] = deque()  # in job order
        self._next_job = 0  # the first job not yet given to the readers

    def __enter__(self) -> "HealthRefresh":
        if not self._days:
            return self
        with self._engine.connect() as connection:
            accounts = accounts_to_score(connection, self._account_ids)
        self._batches = [accounts[start : start + BATCH] for start in range(0, len(accounts), BATCH)]
        self._jobs = [_Job(index, day) for index in range(len(self._batches)) for day in self._days]
        worth_a_thread = len(accounts) * len(self._days) >= THREAD_FROM
        if self._jobs and worth_a_thread and not in_memory(self._engine):
            self._readers = ThreadPoolExecutor(READERS, thread_name_prefix=READER_NAME)
            self._read_ahead()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._readers is not None:
            # Left early or done: batches not yet begun are dropped; one being read ends with its read.
            self._readers.shutdown(wait=True, cancel_futures=True)
            self._readers = None

    @property
    def concurrent(self) -> bool:
        """Whether batches are read on threads of their own (a large workspace, on a database other
        threads can open): then the caller's own work may run on a thread beside the scoring too."""
        return self._readers is not None

    def finish(self) -> int:
        """Score and store every batch; returns the number of snapshots written.

        A batch's snapshots are written by a thread of their own while the next batch is scored: the
        writing is mostly the database's work, done without the interpreter lock. One write at a time,
        each in its own transaction, so a failure stops the refresh with the earlier batches stored."""
        written = 0
        if self._readers is None:  # a small workspace, or an in-memory database only this thread sees
            for rows in self._scored_rows():
                self._write(rows)
                written += len(rows)
            return written
        writing: Future[None] | None = None
        with ThreadPoolExecutor(1, thread_name_prefix=WRITER_NAME) as writer:
            for rows in self._scored_rows():
                if writing is not None:
                    writing.result()  # an error while writing is raised here
                writing = writer.submit(self._write, rows)
                written += len(rows)
            if writing is not None:
                writing.result()
        return written

    def _write(self, rows: list[dict[str, object]]) -> None:
        with self._engine.begin() as connection:
            write_snapshots(connection, rows)

    def _scored_rows(self) -> Iterator[list[dict[str, object]]]:
        """Each batch's snapshot rows, every day's, batch after batch."""
        for index, accounts in enumerate(self._batches):
            rows: list[dict[str, object]] = []
            for day in self._days:
                metrics = self._next_figures(_Job(index, day))
                with self._engine.connect() as connection:
                    points = value_point_figures(
                        connection,
                        self._requests.value_point_windows,
                        day=day,
                        first_id=accounts[0].id,
                        last_id=accounts[-1].id,
                    )
                scored = self._scorer.score_batch(accounts, day, metrics, points)
                if day == self._keep_scores_of:
                    self.scores.update(
                        zip(scored.account_ids, zip(scored.scores, scored.bands, strict=True), strict=True)
                    )
                rows += _snapshot_rows(day, scored)
            yield rows

    def _next_figures(self, job: _Job) -> MetricFigures:
        if self._readers is None:
            return self._figures(job)
        figures = self._reading.popleft().result()  # an error while reading is raised here
        self._read_ahead()
        return figures

    def _read_ahead(self) -> None:
        """Give the readers jobs, in order, until READ_AHEAD are being read or waiting to be taken."""
        assert self._readers is not None
        while self._next_job < len(self._jobs) and len(self._reading) < READ_AHEAD:
            self._reading.append(self._readers.submit(self._figures, self._jobs[self._next_job]))
            self._next_job += 1

    def _figures(self, job: _Job) -> MetricFigures:
        batch = self._batches[job.batch]
        with self._engine.connect() as connection:
            return metric_figures(
                connection,
                self._requests.metric_windows,
                day=job.day,
                first_id=batch[0].id,
                last_id=batch[-1].id,
            )


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
