"""`csbot sync` and the daily sync: each configured source's rows imported as its kind.

Sources run in the order their kinds depend on each other (team, accounts, contracts, metrics,
milestones, movements), each in its own transaction through `import_rows`: one bad row and nothing
of that source is written; a failing source is reported and the others still run.
"""

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from bot.config import SourceConfig, WorkspaceConfig
from bot.crm import CrmError
from bot.crm.readers import crm_reader, crm_values
from bot.delivery import tell_cs_ops
from domain.health.refresh import refresh_snapshots
from storage import source_cursors, source_runs
from storage.importing import KINDS, ImportFailed, import_rows
from storage.outbox import Purpose
from storage.sources import SourceError, source_rows

KIND_ORDER = tuple(KINDS)
# Errors listed for a source that failed on its rows; the rest are counted.
_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class SourceResult:
    name: str
    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def chosen_sources(config: WorkspaceConfig, names: Sequence[str] = ()) -> list[SourceConfig]:
    """The sources named (all when none are), in the order their kinds must be imported."""
    known = {source.name: source for source in config.sources}
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(known) or "none are configured"
        raise ValueError(f"no source named {', '.join(unknown)} (sources: {listed})")
    picked = [known[name] for name in names] if names else list(config.sources)
    # A CRM brings the team and the accounts the other kinds refer to, so it goes first.
    return sorted(picked, key=lambda source: -1 if source.kind is None else KIND_ORDER.index(source.kind))


def run_source(
    engine: Engine, source: SourceConfig, *, dry_run: bool = False, environ: Mapping[str, str] | None = None
) -> SourceResult:
    if source.crm is not None:
        return run_crm_source(engine, source, dry_run=dry_run, environ=environ)
    assert source.kind is not None and source.url is not None and source.query is not None
    started = time.perf_counter()
    origin = f"source {source.name}"
    try:
        with source_rows(source.url, source.query, os.environ if environ is None else environ) as table:
            report = import_rows(
                engine,
                source.kind,
                table.rows,
                origin=origin,
                columns=table.columns,
                mapping=source.map,
                values=source.values,
                dry_run=dry_run,
            )
    except (SourceError, ValueError) as error:
        return SourceResult(source.name, source.kind, seconds=time.perf_counter() - started, error=str(error))
    except ImportFailed as failed:
        summary = _failure(origin, failed)
        return SourceResult(source.name, source.kind, seconds=time.perf_counter() - started, error=summary)
    return SourceResult(
        source.name,
        source.kind,
        read=report.rows,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        seconds=round(time.perf_counter() - started, 3),
    )


def _failure(origin: str, failed: ImportFailed) -> str:
    lines = [str(e) for e in failed.errors[:_ERRORS_SHOWN]]
    more = len(failed.errors) - len(lines)
    return f"{origin}: nothing was written; " + "; ".join(lines) + (f"; and {more} more" if more else "")


def run_crm_source(
    engine: Engine, source: SourceConfig, *, dry_run: bool = False, environ: Mapping[str, str] | None = None
) -> SourceResult:
    """Each of the CRM's parts imported as its kind, in order, each all or nothing; a part's cursor is
    saved once its rows are stored. A part that fails stops the ones after it (they refer to it), and
    the parts before it stay stored."""
    assert source.crm is not None
    started = time.perf_counter()
    totals = {"read": 0, "inserted": 0, "updated": 0, "unchanged": 0}
    notes: list[str] = []
    error: str | None = None
    try:
        reader = crm_reader(engine, source, os.environ if environ is None else environ)
        saved: dict[str, str] = {}
        for part in reader.parts():
            origin = f"source {source.name} {part.stream}"
            report = import_rows(
                engine,
                part.kind,
                part.rows,
                origin=origin,
                values=crm_values(source, part.kind),
                dry_run=dry_run,
            )
            for name in totals:
                totals[name] += getattr(report, "rows" if name == "read" else name)
            if part.skipped:
                notes.append(f"{part.stream}: {part.skipped:,} {part.note}")
            cursor = part.cursor()
            if cursor is not None and not dry_run and saved.get(part.stream) != cursor:
                source_cursors.save(engine, source.name, part.stream, cursor)
                saved[part.stream] = cursor
    except (CrmError, SourceError, ValueError) as problem:
        error = f"source {source.name}: {problem}"
    except ImportFailed as failed:
        error = _failure(failed.file, failed)
    return SourceResult(
        source.name,
        source.crm,
        seconds=round(time.perf_counter() - started, 3),
        error=error,
        notes=tuple(notes),
        **totals,
    )


def run_sources(
    engine: Engine,
    config: WorkspaceConfig,
    names: Sequence[str] = (),
    *,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> list[SourceResult]:
    return [
        run_source(engine, source, dry_run=dry_run, environ=environ)
        for source in chosen_sources(config, names)
    ]


# Kinds whose rows change health scores.
SCORED_KINDS = ("metrics", "milestones")


def rescore_after(engine: Engine, config: WorkspaceConfig, results: Sequence[SourceResult], day: date) -> int:
    """Today's snapshots again when a source changed what scores are made of, so `/cs health` shows
    the synced data now rather than after the next sweep; the number of snapshots written."""
    changed = any(r.ok and r.kind in SCORED_KINDS and r.inserted + r.updated for r in results)
    return refresh_snapshots(engine, config.health, [day]) if changed else 0


def run_scheduled(
    engine: Engine,
    config: WorkspaceConfig,
    source: SourceConfig,
    *,
    day: date,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> SourceResult | None:
    """The source's run for `day`, once: None when it ran already (another replica, an earlier start).
    A failure is recorded and told to every CS Ops member with Slack, once, by DM."""
    run_id = source_runs.claim(engine, source.name, day, now=now)
    if run_id is None:
        return None
    result = run_source(engine, source, environ=environ)
    source_runs.finish(
        engine,
        run_id,
        status="ok" if result.ok else "failed",
        rows_read=result.read,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        seconds=result.seconds,
        error=None if result.error is None else result.error[:2000],
    )
    if not result.ok:
        tell_cs_ops(
            engine,
            purpose=Purpose.SOURCE_FAILED,
            item=run_id,
            key="source-failed",
            default_language=config.default_locale,
            now=now,
        )
    return result
