"""`csbot sweep [--date YYYY-MM-DD]`: run the daily sweep by hand and deliver what it queued.

With SLACK_BOT_TOKEN set the messages go to Slack; without it they go to the local Slack server and
are printed, so the sweep can be tried offline on the demo workspace.
"""

import argparse
import sys
from datetime import UTC, date, datetime, time

from bot.app import make_client
from bot.cli.common import load_settings, open_database, workspace_config
from bot.cli.printing import calls_as_json, calls_as_text, counted
from bot.delivery import Sender
from bot.local import LocalWorkspace
from domain.clock import Clock, fixed_clock, system_clock, today_in
from domain.sweep import SweepResult, run_sweep


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sweep", help="score, record due reminders and alerts, and send them")
    parser.add_argument("--date", type=date.fromisoformat, help="run as of this day (default: today)")
    parser.add_argument("--json", action="store_true", help="offline: print the Slack calls as JSON")
    parser.set_defaults(func=run)


def describe(result: SweepResult) -> str:
    unreachable = sorted({*result.renewals.unreachable, *result.risks.unreachable})
    return (
        f"Sweep for {result.day}: {counted(result.snapshots, 'account')} scored, "
        f"{counted(result.renewals.due, 'renewal reminder')}, "
        f"{counted(result.risks.alerts, 'at-risk alert')}, "
        f"{counted(result.risks.escalations, 'escalation')}; "
        f"{counted(result.renewals.messages + result.risks.messages, 'message')} queued."
        + (f"\nNo Slack user for: {', '.join(unreachable)}." if unreachable else "")
    )


def clock_for(day: date | None, config_zone: object) -> Clock:
    if day is None:
        return system_clock
    # Nine in the morning, workspace time, on the day asked for.
    return fixed_clock(datetime.combine(day, time(9, 0), tzinfo=config_zone).astimezone(UTC))  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    engine = open_database(settings)
    clock = clock_for(args.date, config.zone)
    day = today_in(clock, config.zone)
    # With --json, standard output is the JSON alone (for jq and scripts); the summary goes to stderr.
    summary = sys.stderr if args.json else sys.stdout
    result = run_sweep(engine, config.sweep_policy, day=day, now=clock())
    print(describe(result), file=summary)
    if settings.slack_bot_token is not None:
        report = Sender(engine, make_client(settings), config, clock=clock).deliver_due()
        print(f"Sent {report.sent}, retrying {report.retrying}, failed {report.failed}.", file=summary)
        return 0
    with LocalWorkspace(engine=engine, config=config, clock=clock) as workspace:
        assert workspace.app is not None
        report = Sender(
            engine, workspace.app.client, config, clock=clock, sleep=lambda _s: None
        ).deliver_due()
        calls = workspace.slack.calls
    local = f"Sent {report.sent} to the local Slack server (no SLACK_BOT_TOKEN), failed {report.failed}:"
    print(local if args.json else local + "\n", file=summary)
    print(calls_as_json(calls) if args.json else calls_as_text(calls))
    return 0
