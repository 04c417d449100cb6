"""`csbot digest [--month YYYY-MM] [--json] [--post]`: a month's success digest, printed or posted.

Without SLACK_BOT_TOKEN, `--post` goes to the local Slack server and prints what it received, so the
digest can be tried offline on the demo workspace.
"""

import argparse
import html
import json
import sys
from pathlib import Path

from sqlalchemy import Engine

from bot.app import make_client
from bot.cli.common import load_settings, open_database, workspace_config
from bot.cli.printing import calls_as_text, names_of_team
from bot.config import WorkspaceConfig
from bot.delivery import DeliveryReport, Sender
from bot.local import LocalWorkspace
from bot.render import digest as render
from bot.settings import Settings
from domain.clock import system_clock, today_in
from domain.digest.content import MonthUnavailable, check_month, digest_content
from domain.digest.figures import figures_json, year_json
from domain.digest.month import Month
from domain.digest.posting import queue_digest
from localslack import RecordedCall


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("digest", help="print or post a month's success-sharing digest")
    parser.add_argument("--month", help="YYYY-MM (default: last month)")
    parser.add_argument("--json", action="store_true", help="print the KPI figures as one JSON object")
    parser.add_argument("--post", action="store_true", help="post it to digest.channel (once per month)")
    parser.add_argument("--channel", help="post to this channel id instead of digest.channel")
    parser.add_argument("--lang", choices=("en", "ja"), help="language (default: digest.language)")
    parser.add_argument("--chart", type=Path, help="also write the chart to this PNG file")
    parser.set_defaults(func=run)


def chosen_month(text: str | None, config: WorkspaceConfig) -> Month:
    if text:
        return Month.parse(text)
    return Month.containing(today_in(system_clock, config.zone)).previous()


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    try:
        month = chosen_month(args.month, config)
    except ValueError as error:
        print(f"csbot: --month: {error}", file=sys.stderr)
        return 2
    engine = open_database(settings)
    language = args.lang or config.digest_language
    today = today_in(system_clock, config.zone)
    try:
        check_month(engine, month, today=today)
    except MonthUnavailable as missing:
        print(f"csbot: {html.unescape(render.unavailable_text(missing, language='en'))}", file=sys.stderr)
        return 1
    if args.post:
        channel = args.channel or config.digest.channel
        if not channel:
            print(
                "csbot: no channel: set digest.channel in the configuration or pass --channel",
                file=sys.stderr,
            )
            return 2
        return post(settings, config, engine, month=month, channel=channel, language=language)
    content = digest_content(engine, month, today=today)
    if args.json:
        data = figures_json(content.figures) | year_json(content.year)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        text = render.digest_text(
            content,
            language=language,
            currency=config.currency,
            bands=config.band_names,
            template=config.digest.template,
        )
        message = render.digest_message(text, language=language)
        call = RecordedCall(method="digest", body=message.payload(), headers={}, at=0.0)
        print(calls_as_text([call], names_of_team(engine)).split("\n", 1)[1])
    if args.chart:
        chart_input = render.chart_input(content, currency=config.currency, bands=config.band_names)
        chart = render.draw_digest_chart(chart_input, language=language)
        args.chart.write_bytes(chart)
        print(f"\nChart written to {args.chart} ({len(chart):,} bytes).", file=sys.stderr)
    return 0


def post(
    settings: Settings, config: WorkspaceConfig, engine: Engine, *, month: Month, channel: str, language: str
) -> int:
    queued = queue_digest(
        engine, month=month, channel=channel, language=language, now=system_clock(), retry_failed=True
    )
    if not queued:
        print(f"The {month} digest was already posted to {channel} (or is on its way): it goes out once.")
    # Whatever else is due goes too: the outbox is delivered in order, not message by message.
    if settings.slack_bot_token is not None:
        report = Sender(engine, make_client(settings), config).deliver_due()
        print(describe(report))
        return 0 if report.failed == 0 else 1
    with LocalWorkspace(engine=engine, config=config) as workspace:
        assert workspace.app is not None
        report = Sender(engine, workspace.app.client, config, sleep=lambda _s: None).deliver_due()
        calls = workspace.slack.calls
    print(describe(report) + " (to the local Slack server: no SLACK_BOT_TOKEN)\n")
    print(calls_as_text(calls, names_of_team(engine)))
    return 0 if report.failed == 0 else 1


def describe(report: DeliveryReport) -> str:
    line = f"Sent {report.sent}, retrying {report.retrying}, failed {report.failed}."
    return line + "".join(f"\n  {error}" for error in report.errors)
