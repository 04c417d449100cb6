"""`csbot demo`: build a believable demo workspace and take a short tour of the bot, offline."""

import argparse
import json
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bot import slack_ids
from bot.cli.common import load_settings, open_database, workspace_config
from bot.cli.demo_home import show_home, show_quiet_customer, with_customer_channel
from bot.cli.printing import buttons, calls_as_text
from bot.cli.sweep_cmd import describe
from bot.config import SourceConfig, WorkspaceConfig
from bot.delivery import Sender
from bot.demo import build_demo_workspace
from bot.demo.generate import ACME_ID
from bot.local import LocalWorkspace
from bot.sync import run_source
from domain.clock import system_clock, today_in
from domain.digest.month import Month
from domain.digest.posting import queue_digest
from domain.sweep import run_sweep
from localcrm import LocalHubSpot
from storage.models import Role

STRANGER = "U0STRANGER"
DEMO_RENEWALS_CHANNEL = "C0RENEWALS"
DEMO_RISKS_CHANNEL = "C0ATRISK"
DEMO_DIGEST_CHANNEL = "C0SUCCESS"
HISTORY_DAYS = 30


@dataclass(frozen=True)
class TourStep:
    title: str
    user: str  # "tour", "ja" or a Slack user id
    command: str = ""
    press: str | None = None  # an action_id offered by the previous step


TOUR = [
    TourStep("What can the bot do?", "tour", "/cs help"),
    TourStep("A CSM checks an account, loosely named", "tour", "/cs health acme"),
    TourStep("…and shares the card with the channel", "tour", press=slack_ids.SHARE_HEALTH_CARD),
    TourStep("The same card for a Japanese-speaking CSM", "ja", "/cs health acme"),
    TourStep("Several accounts fit: pick one", "tour", "/cs health サクラ"),
    TourStep("A typo: did you mean…", "tour", "/cs health acmee"),
    TourStep(
        "A name containing <!channel> is sent escaped: Slack shows it and pings no one",
        "tour",
        "/cs health hooli",
    ),
    TourStep("Someone outside the CS team is politely refused", STRANGER, "/cs health acme"),
    TourStep("Who owns Acme's renewal and expansion, and which rule decided", "tour", "/cs owner acme"),
    TourStep("Renewals coming up in the next 30 days on my accounts", "tour", "/cs renewals 30"),
    TourStep("My accounts at risk", "ja", "/cs risks"),
    TourStep(
        "Org design: who owns renewals, for the company described in the question",
        "tour",
        "/cs ask Who should own renewals at a seed-stage company with $150k contracts?",
    ),
    TourStep(
        "組織設計: 顧客数に合うCSチームの人数（日本語で）", "ja", "/cs ask 導入社数が120社です。CSは何人必要?"
    ),
    TourStep("Org design from this workspace's own data", "tour", "/cs ask How big should our CS team be?"),
    TourStep(
        "A CSM records a customer win for the monthly digest",
        "tour",
        "/cs win acme: their VP showed our quarterly review to the board & asked for two more teams",
    ),
    TourStep("This month's wins so far", "ja", "/cs wins"),
    TourStep(
        "CS Ops checks the health score against past churn: the shipped scorecard beside a calibrated one",
        "ops",
        "/cs calibrate",
    ),
]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="build the demo workspace and run a short tour")
    parser.add_argument(
        "--data-dir", type=Path, default=Path("demo-data"), help="where the demo CSV files go"
    )
    parser.add_argument("--no-tour", action="store_true", help="build the workspace only")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    engine = open_database(settings)
    today = today_in(system_clock, config.zone)
    print(f"Building the demo workspace for {today} in {engine.url.render_as_string(hide_password=True)} …")
    demo = build_demo_workspace(engine, config, today=today, directory=args.data_dir)
    counts = ", ".join(f"{n} {kind}" for kind, n in demo.counts.items())
    print(f"Imported {counts} from {demo.directory}/.\n")
    if args.no_tour:
        return 0
    ops = next(person for person in demo.team if person.role == Role.CS_OPS)
    users = {"tour": demo.tour_user_id, "ja": demo.ja_user_id, "ops": ops.slack_user_id}
    names = {person.slack_user_id: person.name for person in demo.team} | {STRANGER: "Pat Visitor"}
    roles = {person.slack_user_id: person.role.upper() for person in demo.team} | {
        STRANGER: "not on the CS team"
    }
    config = with_customer_channel(config)
    with LocalWorkspace(engine=engine, config=config, ingest_token=DEMO_INGEST_TOKEN) as workspace:
        workspace.slack.add_user(STRANGER, email="pat.visitor@example.org", real_name=names[STRANGER])
        offered = []
        for number, step in enumerate(TOUR, start=1):
            user = users.get(step.user, step.user)
            who = f"{names.get(user, user)}, {roles.get(user, '')}"
            if step.press:
                button = next(b for b in offered if b.action_id == step.press)
                print(f"━━ {number}. {step.title}\n$ [{button.label}]   (pressed by {who})\n")
                exchange = workspace.click(button.action_id, button.value, user_id=user)
            else:
                print(f"━━ {number}. {step.title}\n$ {step.command}   (typed by {who})\n")
                command, _, text = step.command.partition(" ")
                exchange = workspace.command(text, user_id=user, command=command)
            print(calls_as_text(exchange.calls, names))
            print(f"\n   ({exchange.elapsed_ms:.0f} ms from request to last reply)\n")
            offered = buttons(exchange.calls)
        show_win_shortcut(workspace, tour_user=demo.tour_user_id, teammate=demo.ja_user_id, names=names)
        show_live_data(workspace, today, tour_user=demo.tour_user_id)
        show_sweep(workspace, config, today, tour_user=demo.tour_user_id, names=names)
        show_home(workspace, tour_user=demo.tour_user_id, names=names)
        show_quiet_customer(workspace, config, today, tour_user=demo.tour_user_id, names=names)
        show_digest(workspace, config, today, names=names)
    print('Try your own: csbot cmd "/cs health <account>", csbot sweep, or csbot shell')
    return 0


def _view_lines(view: dict[str, Any]) -> list[str]:
    title = view.get("title", {}).get("text", "")
    lines = [f"┌ {title}"]
    for block in view.get("blocks", []):
        label = (block.get("label") or block.get("text") or {}).get("text", "")
        initial = (block.get("element") or {}).get("initial_value")
        if label:
            lines.append(f"│ {label}" + (f": {initial}" if initial else ""))
    return lines


DEMO_INGEST_TOKEN = "demo-ingest-token"
DEMO_HUBSPOT_TOKEN = "pat-demo-hubspot"


def show_live_data(workspace: LocalWorkspace, today: date, *, tour_user: str) -> None:
    """Data arriving without a file: a HubSpot sync (a local HubSpot stands in), then today's product
    usage through the ingest API, and the health card showing it a moment later."""
    print("━━ Live data: a HubSpot sync, then product usage through the ingest API\n")
    moment = datetime.combine(today, time(6, 0), tzinfo=UTC)
    with LocalHubSpot(DEMO_HUBSPOT_TOKEN) as hubspot:
        hubspot.add_owner("201", "daniel.brooks@example.com", "Daniel", "Brooks")
        hubspot.add_owner("202", "yuki.mori@example.com", "Yuki", "Mori")
        hubspot.put(
            "companies",
            "7001",
            moment,
            name="Northwind Traders",
            domain="northwind.example.com",
            hubspot_owner_id="202",
        )
        hubspot.put(
            "companies",
            "7002",
            moment,
            name="株式会社ミナト物流",
            domain="minato-logi.example.jp",
            hubspot_owner_id="201",
        )
        hubspot.put(
            "deals",
            "8801",
            moment,
            amount="360000",
            closedate=today.isoformat(),
            dealtype="newbusiness",
            hs_is_closed_won="true",
        )
        hubspot.associate("8801", "7001")
        source = SourceConfig.model_validate(
            {"name": "hubspot", "hubspot": {"token": "${HUBSPOT_TOKEN}", "base_url": hubspot.url}}
        )
        result = run_source(workspace.engine, source, environ={"HUBSPOT_TOKEN": DEMO_HUBSPOT_TOKEN})
        print("$ csbot sync hubspot")
        if result.ok:
            print(
                f"hubspot: {result.read:,} read; inserted {result.inserted:,}, updated {result.updated:,}, "
                f"{result.unchanged:,} unchanged ({len(hubspot.requests)} calls to HubSpot's API: owners, "
                "company and deal search, deal–company associations)\n"
            )
        else:
            print(f"hubspot: FAILED: {result.error}\n")
    before = workspace.reply_to("health acme", tour_user)["text"].splitlines()[0]
    rows = [
        {"account_id": ACME_ID, "date": today.isoformat(), "metric": metric, "value": value}
        for metric, value in (("active_users", 1100), ("logins", 5200), ("open_tickets", 1))
    ]
    body = json.dumps({"rows": rows}).encode()
    request = urllib.request.Request(
        f"{workspace.base_url}/api/v1/ingest/metrics",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {DEMO_INGEST_TOKEN}", "Content-Type": "application/json"},
    )
    print(
        "$ curl -X POST -H 'Authorization: Bearer $CSBOT_INGEST_TOKEN' "
        f"{workspace.base_url}/api/v1/ingest/metrics -d '{{\"rows\": [… {len(rows)} rows for Acme today …]}}'"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        print(response.read().decode("utf-8"))
    assert workspace.rescorer is not None
    workspace.rescorer.wait_idle(30)
    after = workspace.reply_to("health acme", tour_user)["text"].splitlines()[0]
    print(f"\n/cs health acme, before: {before}\n/cs health acme, a moment after: {after}\n")


def show_win_shortcut(
    workspace: LocalWorkspace, *, tour_user: str, teammate: str, names: dict[str, str]
) -> None:
    """A teammate's message shared as a win through the message shortcut: the form, then the answer."""
    story = "サクラデザインさん、今週全拠点で本稼働しました！予定より2週間前倒しです。"
    print(f"━━ {names.get(tour_user)} uses “Share as customer win” on {names.get(teammate)}'s message\n")
    print(f"   message by {names.get(teammate)}: {story}\n")
    opened = workspace.shortcut(
        slack_ids.SHARE_AS_WIN, message_text=story, message_user=teammate, user_id=tour_user
    )
    [view_call] = [call for call in opened.calls if call.method == "views.open"]
    print("── views.open (a form opens)\n" + "\n".join(_view_lines(view_call.body["view"])) + "\n")
    values = {
        slack_ids.WIN_ACCOUNT_BLOCK: {slack_ids.WIN_ACCOUNT_INPUT: "サクラデザイン"},
        slack_ids.WIN_STORY_BLOCK: {slack_ids.WIN_STORY_INPUT: story},
        slack_ids.WIN_IMPACT_BLOCK: {slack_ids.WIN_IMPACT_INPUT: "本稼働が2週間前倒し"},
    }
    submitted = workspace.submit_view(view_call.body["view"], values, user_id=tour_user)
    if submitted.response.get("response_action") == "errors":
        print(f"── the form refuses: {submitted.response.get('errors')}\n")
        return
    answer = submitted.response.get("view") or {}
    print("── the form, after “Save” (credited to the message's author)\n" + "\n".join(_view_lines(answer)))
    print()


def show_sweep(
    workspace: LocalWorkspace, config: WorkspaceConfig, today: date, *, tour_user: str, names: dict[str, str]
) -> None:
    """The day's sweep, as the tour CSM and the team channels see it, then one button pressed."""
    print("━━ The daily sweep: renewal reminders and at-risk alerts, routed by the ownership model\n")
    demo_config = config.model_copy(deep=True)
    demo_config.channels.renewals, demo_config.channels.risks = DEMO_RENEWALS_CHANNEL, DEMO_RISKS_CHANNEL
    assert workspace.app is not None
    sender = Sender(
        workspace.engine, workspace.app.client, demo_config, clock=workspace.clock, sleep=lambda _s: None
    )
    # The bot has been running for a month: earlier days' reminders went out on their days, so today
    # shows one ordinary day rather than a first-install catch-up.
    for back in range(HISTORY_DAYS, 0, -1):
        run_sweep(
            workspace.engine,
            demo_config.sweep_policy,
            day=today - timedelta(days=back),
            now=workspace.clock(),
            score_accounts=False,  # the demo build stored those days' snapshots already
        )
    sender.deliver_due(limit=100_000)
    result = run_sweep(workspace.engine, demo_config.sweep_policy, day=today, now=workspace.clock())
    print(describe(result) + "\n")
    before = len(workspace.slack.calls)
    sender.deliver_due()
    posted = [c for c in workspace.slack.calls[before:] if c.method == "chat.postMessage"]
    if not posted:
        print(
            "(Nothing new: today's reminders and alerts went out on an earlier run, and go out only once.)\n"
        )
        return
    channels = (f"D{tour_user}", DEMO_RENEWALS_CHANNEL, DEMO_RISKS_CHANNEL)
    shown = [c for c in posted if c.body["channel"] in channels]
    reminder_dms = [c for c in posted if str(c.body["channel"]).startswith("D") and "renewal:" in str(c.body)]
    if reminder_dms and reminder_dms[0] not in shown:
        shown.insert(0, reminder_dms[0])  # someone's renewal reminder, to show its buttons in use
    print(calls_as_text(shown, names))
    print(f"\n   ({len(posted) - len(shown)} more DMs went to the rest of the team)\n")
    if reminder_dms:
        owner = str(reminder_dms[0].body["channel"]).removeprefix("D")
        renew = next(b for b in buttons(reminder_dms[:1]) if b.action_id == slack_ids.RENEWAL_MARK_RENEWED)
        print(f"━━ {names.get(owner, owner)} presses [{renew.label}] on the first reminder\n")
        print(calls_as_text(workspace.click(renew.action_id, renew.value, user_id=owner).calls, names))
        print()


def show_digest(
    workspace: LocalWorkspace, config: WorkspaceConfig, today: date, *, names: dict[str, str]
) -> None:
    """Last month's success digest, as the scheduler posts it on the month's first business day."""
    month = Month.containing(today).previous()
    print(f"━━ The monthly success-sharing digest for {month}, with its chart and the team's wins\n")
    assert workspace.app is not None
    demo_config = config.model_copy(deep=True)
    demo_config.digest.channel = DEMO_DIGEST_CHANNEL
    queued = queue_digest(
        workspace.engine,
        month=month,
        channel=DEMO_DIGEST_CHANNEL,
        language=demo_config.digest_language,
        now=workspace.clock(),
    )
    if not queued:
        print("(Already posted on an earlier run: the digest goes out once per month and channel.)\n")
        return
    before = len(workspace.slack.calls)
    Sender(
        workspace.engine, workspace.app.client, demo_config, clock=workspace.clock, sleep=lambda _s: None
    ).deliver_due()
    print(calls_as_text(workspace.slack.calls[before:], names))
    print(
        f"\n   (csbot digest --month {month} --chart digest.png saves the chart; --json prints the figures)\n"
    )
