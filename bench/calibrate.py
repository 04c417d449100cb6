"""Calibration time and memory: `csbot calibrate` on a workspace history with N accounts.

    python -m bench.calibrate [--accounts 10000] [--runs 3] [--json]

The history (bench/history.py: contracts a year at a time since 2022, churns with a cause, a metric
row every 30 days) is built once per account count into a cached SQLite file. Each run is a process of
its own, so its peak memory is its own; it reports the seconds to read the history, to fit and
backtest, and in all, against a floor measured in the same process: reading every observation of the
history once, which no calibration can avoid.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.history import build_churn_history
from bench.workspace import DEFAULT_CACHE_DIR, cache_tag
from bot.config import load_config
from domain.calibration.calibrate import calibrate, read_inputs
from storage import history as stored
from storage.db import make_engine, migrate

TODAY = date(2026, 11, 30)
OBSERVATION_EVERY_DAYS = 30
# Bump when bench/history.py writes different rows.
HISTORY_VERSION = 1


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def history_database(accounts: int, cache_dir: Path = DEFAULT_CACHE_DIR) -> str:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"history-{accounts}-v{HISTORY_VERSION}-{cache_tag()}.sqlite"
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        engine = make_engine(f"sqlite:///{partial}")
        migrate(engine)
        counts = build_churn_history(engine, accounts, today=TODAY, every_days=OBSERVATION_EVERY_DAYS)
        engine.dispose()
        partial.rename(path)
        _log(
            f"built {path.name}: {counts.accounts:,} accounts, {counts.churned:,} churned, "
            f"{counts.observations:,} observations in {time.perf_counter() - started:.0f} s"
        )
    return f"sqlite:///{path}"


def one_run(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    config = load_config()
    started = time.perf_counter()
    with engine.connect() as connection:
        rows = sum(
            len(stored.observations(connection, metric, date(2000, 1, 1), TODAY).values)
            for metric in stored.metric_names(connection)
        )
    floor = time.perf_counter() - started
    started = time.perf_counter()
    inputs = read_inputs(engine, config.health, today=TODAY, lead_days=90)
    reading = time.perf_counter() - started
    started = time.perf_counter()
    calibration = calibrate(inputs, config.health, today=TODAY)
    fitting = time.perf_counter() - started
    report = calibration.report
    return {
        "observations": rows,
        "outcomes": report["outcomes"]["total"],
        "churned": report["outcomes"]["churned"],
        "floor_s": round(floor, 2),
        "read_s": round(reading, 2),
        "fit_and_backtest_s": round(fitting, 2),
        "total_s": round(reading + fitting, 2),
        "ratio_to_floor": round((reading + fitting) / floor, 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "holdout_auc": report.get("holdout", {}).get("auc"),
        "current_auc": report.get("current", {}).get("auc"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one-run", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_run:
        print(json.dumps(one_run(args.one_run)))
        return 0
    url = history_database(args.accounts)
    runs = []
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-m", "bench.calibrate", "--one-run", url],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    spread = {
        key: [min(run[key] for run in runs), max(run[key] for run in runs)]
        for key in ("floor_s", "read_s", "fit_and_backtest_s", "total_s", "ratio_to_floor", "peak_mib")
    }
    result = {"accounts": args.accounts, **{k: runs[0][k] for k in ("observations", "outcomes", "churned")}}
    result |= {"runs": len(runs), "min_max": spread, "holdout_auc": runs[0]["holdout_auc"]}
    result["current_auc"] = runs[0]["current_auc"]
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"{args.accounts:,} accounts, {result['observations']:,} observations, "
        f"{result['outcomes']:,} outcomes ({result['churned']:,} churned); {len(runs)} runs, min–max:"
    )
    for key, (low, high) in spread.items():
        print(f"  {key:>20}: {low} – {high}")
    print(f"  hold-out AUC {result['holdout_auc']} (current scorecard {result['current_auc']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
