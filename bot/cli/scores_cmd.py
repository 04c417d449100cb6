"""`csbot scores [--day YYYY-MM-DD] [--json | --csv]`: every account's stored snapshot for a day, with
each measure's figure and points, for BI tools and for checking a scorecard by hand."""

import argparse
import csv
import json
import sys
from datetime import date
from typing import Any

from bot.cli.common import CliError, load_settings, open_database
from storage.snapshots import DaySnapshot, newest_snapshot_day, snapshots_of_day


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scores", help="every account's health snapshot for a day, with its measures"
    )
    parser.add_argument("--day", type=date.fromisoformat, help="YYYY-MM-DD (default: the newest scored day)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object per account and line")
    output.add_argument("--csv", action="store_true", help="CSV: a value and a points column per measure")
    parser.set_defaults(func=run)


def _row(snapshot: DaySnapshot) -> dict[str, Any]:
    return {
        "account_id": snapshot.external_id,
        "name": snapshot.name,
        "score": snapshot.score,
        "band": snapshot.band,
        "scorecard": snapshot.scorecard,
        "measures": {m["id"]: {"value": m.get("value"), "points": m.get("score")} for m in snapshot.measures},
    }


def run(args: argparse.Namespace) -> int:
    engine = open_database(load_settings())
    day = args.day or newest_snapshot_day(engine)
    if day is None:
        raise CliError("no health snapshots yet: run `csbot score` first")
    snapshots = snapshots_of_day(engine, day)
    if args.json:
        for snapshot in snapshots:
            print(json.dumps({"day": day.isoformat(), **_row(snapshot)}, ensure_ascii=False))
        return 0
    if not args.csv:
        print(f"Health snapshots of {day}:")
        for snapshot in snapshots:
            score = "—" if snapshot.score is None else f"{snapshot.score:.1f}"
            print(f"{snapshot.external_id:<16} {score:>6} {snapshot.band:<8} {snapshot.name}")
        return 0
    rows = [_row(s) for s in snapshots]
    measure_ids = list(dict.fromkeys(name for row in rows for name in row["measures"]))
    writer = csv.writer(sys.stdout)
    writer.writerow(
        ["day", "account_id", "name", "score", "band", "scorecard"]
        + [column for name in measure_ids for column in (name, f"{name}_points")]
    )
    for row in rows:
        figures = [
            "" if value is None else value
            for name in measure_ids
            for value in (
                row["measures"].get(name, {}).get("value"),
                row["measures"].get(name, {}).get("points"),
            )
        ]
        score = "" if row["score"] is None else row["score"]
        writer.writerow(
            [day.isoformat(), row["account_id"], row["name"], score, row["band"], row["scorecard"], *figures]
        )
    return 0
