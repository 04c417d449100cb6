"""`csbot score`: compute and store the daily health snapshots (the scheduler does this nightly)."""

import argparse
from datetime import date, timedelta

from bot.cli.common import open_database, workspace_config
from bot.settings import Settings
from domain.clock import system_clock, today_in
from storage.snapshots import refresh_snapshots


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score", help="store health snapshots for a day (default today) or a range"
    )
    parser.add_argument(
        "--day", type=date.fromisoformat, help="the last day to score, YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--days", type=int, default=1, help="how many days back from --day to score (default 1)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    config = workspace_config(settings)
    engine = open_database(settings)
    last = args.day or today_in(system_clock, config.zone)
    days = [last - timedelta(days=offset) for offset in range(max(1, args.days))]
    written = refresh_snapshots(engine, config.health, sorted(days))
    print(f"Stored {written} health snapshots for {days[-1]} to {days[0]}.")
    return 0
