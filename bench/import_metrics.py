"""Benchmark: import a large metrics CSV into a fresh SQLite database and show that memory stays flat.

python -m bench.import_metrics [--rows N] [--accounts N] [--tracemalloc] [--json]
"""

import argparse
import csv
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from storage.db import make_engine, migrate
from storage.importing import import_file

_METRICS = ("active_users", "logins_7d", "open_tickets", "nps", "feature_adoption")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=3_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slows the import down)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = run(args.rows, args.accounts, args.tracemalloc)
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name:>26}: {value:,}" if isinstance(value, int | float) else f"{name:>26}: {value}")


if __name__ == "__main__":
    main()
