"""Benchmark: import a large metrics CSV into a fresh SQLite database and show that memory stays flat.

python -m bench.import_metrics [--rows N] [--accounts N] [--runs N] [--tracemalloc] [--json]

Each run is a process of its own (so its peak memory is its own) on a database of its own; the figures
are printed as min–max over the runs: the spread is the machine's noise.
"""

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from storage.db import make_engine, migrate
from storage.importing import import_file

# The metrics the shipped scorecard reads, so the rows are ones a workspace would really import.
_METRICS = ("active_users", "logins", "open_tickets", "nps", "features_used")


def _maxrss_mib() -> float:
    # Linux reports kibibytes, macOS bytes.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def write_accounts(path: Path, accounts: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "name", "arr", "start_date"])
        for number in range(accounts):
            writer.writerow(
                [
                    f"ACC-{number:06d}",
                    f"株式会社ベンチ{number}",
                    f"{(number % 50 + 1) * 120_000:,}",
                    "2025-04-01",
                ]
            )


def write_metrics(path: Path, rows: int, accounts: int) -> None:
    """Long-form rows, day by day for every account and metric, written as they are generated."""
    start = date(2026, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "date", "metric", "value"])
        written = 0
        day = 0
        while written < rows:
            observed = (start + timedelta(days=day)).isoformat()
            for account in range(accounts):
                for index, metric in enumerate(_METRICS):
                    if written == rows:
                        return
                    writer.writerow(
                        [f"ACC-{account:06d}", observed, metric, (account * 7 + day * 3 + index) % 997]
                    )
                    written += 1
            day += 1


def run(rows: int, accounts: int, trace: bool) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory(prefix="csbot-bench-") as directory:
        folder = Path(directory)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        migrate(engine)
        write_accounts(folder / "accounts.csv", accounts)
        import_file(engine, "accounts", folder / "accounts.csv")
        write_metrics(folder / "metrics.csv", rows, accounts)
        size = (folder / "metrics.csv").stat().st_size
        rss_before = _maxrss_mib()
        if trace:
            tracemalloc.start()
        began = time.perf_counter()
        report = import_file(engine, "metrics", folder / "metrics.csv")
        seconds = time.perf_counter() - began
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        tracemalloc.stop()
        engine.dispose()
    result: dict[str, float | int | str] = {
        "rows": report.rows,
        "inserted": report.inserted,
        "file_mib": round(size / 2**20, 1),
        "seconds": round(seconds, 2),
        "rows_per_second": round(report.rows / seconds),
        "maxrss_before_import_mib": round(rss_before, 1),
        "maxrss_after_import_mib": round(_maxrss_mib(), 1),
    }
    if traced_peak is not None:
        result["tracemalloc_peak_mib"] = round(traced_peak, 1)
    return result


def _spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    shown = (lambda v: f"{v:,.0f}") if high >= 1000 else (lambda v: f"{v:,.2f}".rstrip("0").rstrip("."))
    return shown(low) if low == high else f"{shown(low)}–{shown(high)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3, help="separate runs to take the spread over")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slows the import down)"
    )
    parser.add_argument("--json", action="store_true", help="print every run's figures as JSON")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)  # one run, in this process
    args = parser.parse_args()
    if args.once:
        print(json.dumps(run(args.rows, args.accounts, args.tracemalloc)))
        return
    runs = []
    for _ in range(args.runs):
        command = [sys.executable, "-m", "bench.import_metrics", "--once", "--rows", str(args.rows)]
        command += ["--accounts", str(args.accounts)] + (["--tracemalloc"] if args.tracemalloc else [])
        runs.append(json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout))
    if args.json:
        print(json.dumps({"runs": runs}))
        return
    print(f"{args.runs} runs, min–max:")
    for name in runs[0]:
        values = [r[name] for r in runs]
        if all(isinstance(v, int | float) for v in values):
            print(f"{name:>26}: {_spread([float(v) for v in values])}")
        else:
            print(f"{name:>26}: {values[0]}")


if __name__ == "__main__":
    main()
