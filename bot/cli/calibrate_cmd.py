"""`csbot calibrate [--lead-days N] [--holdout-fraction F] [--write FILE] [--json]`: fit the health
scorecard to the workspace's own churn history and backtest it beside the current one.

Nothing changes until CSBOT_CONFIG points at the written file.
"""

import argparse
import html
import json
from datetime import date
from pathlib import Path

from bot.calibration import run_calibration, write_calibrated_config
from bot.cli.common import CliError, load_settings, open_database, positive_int, workspace_config
from bot.render.calibration import report_text
from domain.calibration.calibrate import DEFAULT_HOLDOUT_FRACTION, DEFAULT_LEAD_DAYS
from domain.clock import system_clock, today_in


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from error
    if not 0.05 <= value <= 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0.05 and 0.5, got {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("calibrate", help="fit the health scorecard to past churn and backtest it")
    parser.add_argument(
        "--lead-days",
        type=positive_int,
        default=DEFAULT_LEAD_DAYS,
        help=f"read the measures this many days before each outcome (default {DEFAULT_LEAD_DAYS})",
    )
    parser.add_argument(
        "--holdout-fraction",
        type=fraction,
        default=DEFAULT_HOLDOUT_FRACTION,
        help=f"share of the outcomes kept back to test on (default {DEFAULT_HOLDOUT_FRACTION})",
    )
    parser.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="write the workspace configuration with the calibrated scorecard",
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="count only outcomes up to this day, as if calibrating then (default: today)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    engine = open_database(settings)
    today = args.as_of or today_in(system_clock, config.zone)
    calibration = run_calibration(
        engine, config, today=today, lead_days=args.lead_days, holdout_fraction=args.holdout_fraction
    )
    if args.json:
        print(json.dumps(calibration.report, ensure_ascii=False))
    else:
        print(html.unescape(report_text(calibration.report)))
    if not calibration.eligible:
        return 1
    if args.write:
        try:
            write_calibrated_config(args.write, config, calibration)
        except OSError as error:
            raise CliError(f"cannot write {args.write}: {error.strerror or error}") from error
        if not args.json:
            print(f"\nWrote {args.write}. Point CSBOT_CONFIG at it to score with the calibrated scorecard.")
    return 0
