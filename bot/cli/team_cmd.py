"""`csbot team check [--json]`: the team list against Slack and the accounts (exit 1 when they disagree)."""

import argparse
import json

from bot.app import make_client
from bot.cli.common import load_settings, open_database
from bot.team_check import check_team


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("team", help="check the team list against Slack and the accounts")
    actions = parser.add_subparsers(dest="team_action", required=True)
    check = actions.add_parser(
        "check", help="members Slack does not know, stale Slack ids, owners not on the team"
    )
    check.add_argument("--json", action="store_true", help="the findings as one JSON object")
    check.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = open_database(settings)
    report = check_team(engine, make_client(settings))
    if args.json:
        print(
            json.dumps(
                {
                    "linked": [{"email": e, "slack_user_id": s} for e, s in report.linked],
                    "not_on_slack": report.not_on_slack,
                    "stale_slack_ids": [{"email": e, "slack_user_id": s} for e, s in report.stale_ids],
                    "owners_not_in_team": report.owners_missing,
                },
                ensure_ascii=False,
            )
        )
        return 0 if report.ok else 1
    for email, slack_id in report.linked:
        print(f"linked {email} to Slack user {slack_id} (found by email)")
    for email in report.not_on_slack:
        print(f"no Slack account for {email}: their reminders and alerts cannot be sent")
    for email, slack_id in report.stale_ids:
        print(f"{email}: Slack user {slack_id} no longer exists or is deactivated")
    for email, count in report.owners_missing.items():
        print(f"{email} owns {count} account{'' if count == 1 else 's'} but is not in the team list")
    if report.ok:
        print("The team list, Slack and the account owners agree.")
    return 0 if report.ok else 1
