"""Build the demo workspace: write the sample CSV files, import them the way a user would, score health."""

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from bot.config import WorkspaceConfig
from bot.demo.generate import HEADERS, KINDS, DemoData, generate
from bot.demo.people import JA_CSM, TEAM, TOUR_CSM, DemoPerson
from bot.demo.wins import record_demo_wins
from domain.health.refresh import refresh_snapshots
from storage.importing import ImportReport, import_file

DEFAULT_ACCOUNTS = 300
# Long enough for a year of renewals and churns to be read 90 days ahead (`csbot calibrate`).
DEFAULT_HISTORY_DAYS = 480
DEFAULT_SNAPSHOT_DAYS = 90


@dataclass
class DemoWorkspace:
    directory: Path
    files: dict[str, Path]  # kind -> CSV file
    counts: dict[str, int]  # kind -> data rows written (and imported)
    reports: dict[str, ImportReport]
    snapshots: int  # health snapshots stored
    wins: int  # last month's customer wins recorded
    tour_user_id: str  # owns Acme Corporation
    ja_user_id: str  # a CSM whose Slack locale is ja-JP
    team: list[DemoPerson] = field(default_factory=list)


def write_csv_files(data: DemoData, directory: Path) -> dict[str, Path]:
    """One file per kind, named after it; UTF-8 with a byte-order mark so Excel shows the Japanese names."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for kind in KINDS:
        path = directory / f"{kind}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADERS[kind], lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(data.rows[kind])
        files[kind] = path
    return files


def build_demo_workspace(
    engine: Engine,
    config: WorkspaceConfig,
    *,
    today: date,
    directory: Path,
    seed: int = 7,
    accounts: int = DEFAULT_ACCOUNTS,
    history_days: int = DEFAULT_HISTORY_DAYS,
    snapshot_days: int = DEFAULT_SNAPSHOT_DAYS,
) -> DemoWorkspace:
    """Fill a migrated database with the demo: the same seed and `today` always give the same files and rows.

    Importing goes through `import_file`, so the demo exercises the path real customers use; re-running
    it updates the rows in place. Snapshots cover the `snapshot_days` days up to and including `today`.
    """
    data = generate(today=today, seed=seed, accounts=accounts, history_days=history_days)
    files = write_csv_files(data, directory)
    # Team first and accounts second: later files refer to owners and accounts by email and id.
    reports = {kind: import_file(engine, kind, files[kind]) for kind in KINDS}
    days = [today - timedelta(days=back) for back in range(snapshot_days - 1, -1, -1)]
    snapshots = refresh_snapshots(engine, config.health, days)
    wins = record_demo_wins(engine, today=today, currency=config.currency)
    return DemoWorkspace(
        directory=directory,
        files=files,
        counts={kind: len(data.rows[kind]) for kind in KINDS},
        reports=reports,
        snapshots=snapshots,
        wins=wins,
        tour_user_id=TOUR_CSM.slack_user_id,
        ja_user_id=JA_CSM.slack_user_id,
        team=list(TEAM),
    )
