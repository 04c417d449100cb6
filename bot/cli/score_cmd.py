"""`csbot score`: compute and store the daily health snapshots (the scheduler does this nightly)."""

import argparse
from datetime import date, timedelta

from bot.cli.common import load_settings, open_database, positive_int, workspace_config
from bot.cli.printing import counted
from domain.clock import system_clock, today_in
from domain.health.refresh import refresh_snapshots
from storage.digest import band_counts


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score", help="store health snapshots for a day (default today) or a range"
    )
    parser.add_argument(
        "--day", type=date.fromisoformat, help="the last day to score, YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--days", type=positive_int, default=1, help="how many days back from --day to score (default 1)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    engine = open_database(settings)
    last = args.day or today_in(system_clock, config.zone)
    days = [last - timedelta(days=offset) for offset in range(args.days)]
    written = refresh_snapshots(engine, config.health, sorted(days))
    span = f"{days[-1]}" if len(days) == 1 else f"{days[-1]} to {days[0]}"
    print(f"Stored {counted(written, 'health snapshot')} for {span}.")
    with engine.connect() as connection:
        bands = band_counts(connection, [last])[last]
    unscored = bands.pop("no_data", 0)
    scored = ", ".join(f"{bands[band]} {band}" for band in config.band_names if bands.get(band))
    print(f"On {last}: {scored or 'none scored'}; {unscored:,} without enough data for a score.")
    return 0
