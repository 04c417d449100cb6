"""Home tab publish latency, and customer channel messages counted per second, through the signed
HTTP path at workspace scale.

    python -m bench.home [--accounts 50000] [--portfolio 500] [--events 300] [--json]

Takes the cached bench workspace (bench/workspace.py), copies it, and gives one CSM `--portfolio` of
its accounts, some with open alerts. Then it sends signed `app_home_opened` events to the real app and
measures from the moment the request leaves to the moment the local Slack server records the
`views.publish`. The floor is the same event from someone outside the team: the same request, the
same directory lookup and a `views.publish`, without the portfolio. Last, `--events` signed message
events in a linked customer channel are sent, one client and then four at once, and counted.
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from bench.health import BENCH_DAY, CACHE_DIR, percentile
from bench.workspace import build_bench_database
from bot.config import SignalsConfig, load_config
from bot.local import LocalWorkspace
from domain.clock import fixed_clock
from localslack import event_body, post_signed
from storage import channel_signals
from storage.db import make_engine
from storage.models import Account, ChannelMessage, RiskAlert, TeamMember

BENCH_CSM = ("bench.csm@example.com", "U0BENCHCSM")
OUTSIDER = "U0OUTSIDER"
CHANNEL = "C0BENCHCUSTOMER"
CLIENTS = 4


def _give_portfolio(engine: Engine, size: int) -> int:
    """One CSM with `size` accounts spread over the workspace, a tenth of them with an open alert; the
    account whose channel the message events go to."""
    email, slack_id = BENCH_CSM
    with engine.begin() as connection:
        total = int(connection.scalar(select(func.count()).select_from(Account)) or 0)
        step = max(1, total // size)
        chosen = list(range(1, total + 1, step))[:size]
        connection.execute(
            TeamMember.__table__.insert(),  # type: ignore[attr-defined]
            [{"email": email, "name": "Bench CSM", "role": "csm", "slack_user_id": slack_id, "locale": "en"}],
        )
        connection.execute(update(Account).where(Account.id.in_(chosen)).values(csm_email=email))  # type: ignore[attr-defined]
        connection.execute(
            RiskAlert.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "account_id": account_id,
                    "day": BENCH_DAY,
                    "score": 40.0,
                    "band": "red",
                    "reasons": ["dropped"],
                }
                for account_id in chosen[::10]
            ],
        )
    channel_signals.link(engine, CHANNEL, chosen[0], by="config", at=datetime.now(UTC))
    return len(chosen)


def _time_home(workspace: LocalWorkspace, user_id: str) -> float:
    """Milliseconds from sending `app_home_opened` to the local Slack server recording views.publish."""
    event = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id[1:]}", "tab": "home"}
    before = len(workspace.slack.calls)
    started = time.monotonic()
    status, _ = post_signed(workspace.url, event_body(event), "local-signing-secret")
    workspace.executor.wait_idle()
    published = [c for c in workspace.slack.calls[before:] if c.method == "views.publish"]
    if status != 200 or len(published) != 1:
        raise RuntimeError(f"unexpected answer to the Home event: HTTP {status}, {len(published)} publishes")
    return (published[0].at - started) * 1000


def _message_bodies(count: int, first: datetime, offset: int) -> list[str]:
    bodies = []
    for number in range(count):
        at = first + timedelta(seconds=offset + number)
        event = {
            "type": "message",
            "channel": CHANNEL,
            "channel_type": "channel",
            "user": "U0CUSTOMER" if number % 2 else BENCH_CSM[1],
            "user_team": "T0CUSTOMER" if number % 2 else "T0DEMO",
            "text": "counted, never kept",
            "ts": f"{at.timestamp():.6f}",
        }
        bodies.append(event_body(event))
    return bodies


def _send_all(workspace: LocalWorkspace, bodies: list[str], clients: int) -> float:
    """Events per second: every body sent (by `clients` at once) and every listener finished."""
    started = time.perf_counter()

    def send(body: str) -> None:
        status, _ = post_signed(workspace.url, body, "local-signing-secret")
        if status != 200:
            raise RuntimeError(f"message event answered HTTP {status}")

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(send, bodies))
    workspace.executor.wait_idle()
    return len(bodies) / (time.perf_counter() - started)


def run(accounts: int, portfolio: int, events: int) -> dict[str, float | int]:
    cached = build_bench_database(accounts, today=BENCH_DAY, cache_dir=CACHE_DIR)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "home.sqlite"
        shutil.copyfile(cached.removeprefix("sqlite:///"), copy)
        engine = make_engine(f"sqlite:///{copy}")
        given = _give_portfolio(engine, portfolio)
        config = load_config().model_copy(update={"signals": SignalsConfig(link_by_domain=False)})
        clock = fixed_clock(datetime(BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day, 3, tzinfo=UTC))
        with LocalWorkspace(engine=engine, config=config, clock=clock) as workspace:
            workspace.slack.add_user(OUTSIDER, email="visitor@example.org")
            for _ in range(10):
                _time_home(workspace, BENCH_CSM[1])
                _time_home(workspace, OUTSIDER)
            home = [_time_home(workspace, BENCH_CSM[1]) for _ in range(events)]
            floor = [_time_home(workspace, OUTSIDER) for _ in range(events)]
            first = datetime(BENCH_DAY.year, BENCH_DAY.month, BENCH_DAY.day, tzinfo=UTC)
            one_client = _send_all(workspace, _message_bodies(events, first, 0), 1)
            several = _send_all(workspace, _message_bodies(events, first, events), CLIENTS)
        with engine.connect() as connection:
            counted = int(connection.scalar(select(func.count()).select_from(ChannelMessage)) or 0)
        engine.dispose()
    if counted != 2 * events:
        raise RuntimeError(f"{counted} messages counted of {2 * events} sent")
    return {
        "accounts": accounts,
        "portfolio": given,
        "events": events,
        "home_p50_ms": round(statistics.median(home), 1),
        "home_p99_ms": round(percentile(home, 0.99), 1),
        "floor_p50_ms": round(statistics.median(floor), 1),
        "floor_p99_ms": round(percentile(floor, 0.99), 1),
        "p99_over_floor": round(percentile(home, 0.99) / percentile(floor, 0.99), 2),
        "home_events_per_s": round(1000 / statistics.mean(home), 1),
        "messages_per_s_1_client": round(one_client, 1),
        f"messages_per_s_{CLIENTS}_clients": round(several, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--portfolio", type=int, default=500)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    figures = run(args.accounts, args.portfolio, args.events)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(
        f"Home tab of a CSM with {figures['portfolio']} accounts in {figures['accounts']:,}, "
        f"{figures['events']} openings each:"
    )
    print(f"  CSM       p50 {figures['home_p50_ms']} ms   p99 {figures['home_p99_ms']} ms")
    print(f"  outsider  p50 {figures['floor_p50_ms']} ms   p99 {figures['floor_p99_ms']} ms   (the floor)")
    print(f"  CSM p99 / floor p99 = {figures['p99_over_floor']}×   (target: p99 ≤ 300 ms)")
    print(f"  {figures['home_events_per_s']} Home events/s, one at a time")
    print(
        f"  message events counted: {figures['messages_per_s_1_client']}/s from one client, "
        f"{figures[f'messages_per_s_{CLIENTS}_clients']}/s from {CLIENTS}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
