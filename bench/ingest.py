"""Benchmark: the ingest API taking 1,000-row batches of usage over HTTP into PostgreSQL.

python -m bench.ingest [--batches N] [--rows-per-batch N] [--clients N] [--accounts N] [--runs N]
                       [--database ADMIN_URL]

Each run builds a database of its own (accounts only), serves the ingest API the way `csbot run` does (the
same WSGI server and application, on loopback), and `--clients` client processes post their share of the
batches, each one after another over its own keep-alive connection, timing each from request to answer.
Every batch holds new rows; today's snapshots of the accounts they touched are refreshed off the request
path, as in production, and the time from the last answer until that is done is reported too.

The floor, measured in the same run on the same database, is `import_rows` of batches of the same shape
called directly: no HTTP, no JSON, no re-scoring. Figures are min–max over the runs.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

from bench.postgres import DEFAULT_ADMIN_URL, scratch_database
from bench.sync import print_spread
from bot.config import load_config
from bot.local import LocalWorkspace
from storage.db import make_engine, migrate
from storage.importing import import_rows

TOKEN = "bench-ingest-token"
_METRICS = ("active_users", "logins", "open_tickets", "nps", "features_used")
_FIRST_DAY = date(2026, 1, 1)


def _account(number: int) -> str:
    return f"ACC-{number:06d}"


def batch(number: int, rows: int, accounts: int) -> list[dict[str, object]]:
    """The `number`-th batch: consecutive (day, account, metric) rows, none of them in an earlier batch."""
    out: list[dict[str, object]] = []
    per_day = accounts * len(_METRICS)
    for position in range(number * rows, (number + 1) * rows):
        day, rest = divmod(position, per_day)
        account, metric = divmod(rest, len(_METRICS))
        out.append(
            {
                "account_id": _account(account),
                "date": (_FIRST_DAY + timedelta(days=day)).isoformat(),
                "metric": _METRICS[metric],
                "value": (account * 7 + day * 3 + metric) % 997,
            }
        )
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def client(base_url: str, first: int, batches: int, rows: int, accounts: int) -> dict[str, object]:
    """Posts the batches; the seconds each took, and the rows the server said it inserted."""
    bodies = [json.dumps({"rows": batch(first + n, rows, accounts)}).encode() for n in range(batches)]
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    seconds: list[float] = []
    inserted = 0
    began = time.perf_counter()
    for body in bodies:
        start = time.perf_counter()
        connection.request("POST", "/api/v1/ingest/metrics", body=body, headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        seconds.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"the server answered {response.status}: {answer}")
        inserted += int(answer["inserted"])
    total = time.perf_counter() - began
    connection.close()
    return {"seconds": seconds, "total": total, "inserted": inserted}


def run(admin_url: str, batches: int, rows: int, accounts: int, clients: int) -> dict[str, float | int]:
    with scratch_database(admin_url, "csbot_bench_ingest") as url:
        engine = make_engine(url)
        migrate(engine)
        import_rows(
            engine,
            "accounts",
            ({"account_id": _account(n), "name": f"ベンチ{n}"} for n in range(accounts)),
            origin="bench accounts",
        )
        floor: list[float] = []
        for number in range(batches, batches + max(10, batches // 5)):  # rows the client will not send
            rows_of_batch = batch(number, rows, accounts)
            start = time.perf_counter()
            import_rows(engine, "metrics", rows_of_batch, origin="bench floor")
            floor.append(time.perf_counter() - start)
        share = batches // clients
        with LocalWorkspace(engine=engine, config=load_config(), ingest_token=TOKEN) as workspace:
            processes = []
            for number in range(clients):
                command = [sys.executable, "-m", "bench.ingest", "--client", workspace.base_url]
                command += ["--first", str(number * share), "--batches", str(share)]
                command += ["--rows-per-batch", str(rows), "--accounts", str(accounts)]
                processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
            posted = [json.loads(process.communicate()[0]) for process in processes]
            answered = time.perf_counter()
            assert workspace.rescorer is not None and workspace.rescorer.wait_idle(300)
            rescore_lag = time.perf_counter() - answered
        engine.dispose()
    seconds = [s for client in posted for s in client["seconds"]]
    sent = share * clients * rows
    return {
        "clients": clients,
        "batches": share * clients,
        "rows": sent,
        "inserted": sum(client["inserted"] for client in posted),
        "rows_per_second": round(sent / max(client["total"] for client in posted)),
        "batch_p50_ms": round(statistics.median(seconds) * 1000, 1),
        "batch_p99_ms": round(_percentile(seconds, 0.99) * 1000, 1),
        "floor_rows_per_second": round(rows * len(floor) / sum(floor)),
        "floor_batch_p50_ms": round(statistics.median(floor) * 1000, 1),
        "p50_vs_floor": round(statistics.median(seconds) / statistics.median(floor), 2),
        "rescored_after_last_answer_s": round(rescore_lag, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--rows-per-batch", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=1, help="client processes posting at once")
    parser.add_argument("--accounts", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=3, help="separate runs to take the spread over")
    parser.add_argument(
        "--database", default=DEFAULT_ADMIN_URL, help="a PostgreSQL URL allowed to create databases"
    )
    parser.add_argument("--json", action="store_true", help="print every run's figures as JSON")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the posting process, given the server's URL
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)  # a client's first batch
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(client(args.client, args.first, args.batches, args.rows_per_batch, args.accounts)))
        return
    if args.once:
        print(json.dumps(run(args.database, args.batches, args.rows_per_batch, args.accounts, args.clients)))
        return
    runs = []
    for _ in range(args.runs):
        command = [sys.executable, "-m", "bench.ingest", "--once", "--database", args.database]
        command += ["--batches", str(args.batches), "--rows-per-batch", str(args.rows_per_batch)]
        command += ["--accounts", str(args.accounts), "--clients", str(args.clients)]
        runs.append(json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout))
    if args.json:
        print(json.dumps({"runs": runs}))
    else:
        print_spread(runs)


if __name__ == "__main__":
    main()
