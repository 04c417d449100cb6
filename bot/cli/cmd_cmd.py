"""`csbot cmd "/cs health acme"`: one slash command through the real HTTP path, offline."""

import argparse
import sys

from bot.cli.common import load_settings, open_database, workspace_config
from bot.cli.printing import calls_as_json, calls_as_text
from bot.local import LocalWorkspace
from storage.team import people_on_slack


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cmd", help="send one slash command to the bot through the local Slack server and print the reply"
    )
    parser.add_argument("command", help='the slash command as typed in Slack, e.g. "/cs health acme"')
    parser.add_argument("--user", help="Slack user id or team member email (default: the first CSM)")
    parser.add_argument("--json", action="store_true", help="print the recorded calls as JSON (method, body)")
    parser.set_defaults(func=run)


def split_command(typed: str) -> tuple[str, str]:
    """`/cs health acme` → (`/cs`, `health acme`)."""
    typed = typed.strip()
    if not typed.startswith("/"):
        raise ValueError(f"a slash command starts with '/': {typed!r}")
    command, _, text = typed.partition(" ")
    return command, text.strip()


def default_user(workspace: LocalWorkspace) -> str:
    """Whom a command is typed by when --user is not given: a CSM if there is one, else any member."""
    members = people_on_slack(workspace.engine)
    chosen = next((m for m in members if m.role == "csm"), members[0] if members else None)
    # An empty workspace still answers (with a refusal), which is better than no answer at all.
    return chosen.slack_user_id if chosen and chosen.slack_user_id else "U0NOBODY"


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        command, text = split_command(args.command)
    except ValueError as error:
        print(f"csbot: {error}", file=sys.stderr)
        return 2
    engine = open_database(settings)
    with LocalWorkspace(engine=engine, config=workspace_config(settings)) as workspace:
        try:
            user = workspace.resolve_user(args.user) if args.user else default_user(workspace)
        except LookupError as error:
            print(f"csbot: {error}", file=sys.stderr)
            return 2
        exchange = workspace.command(text, user_id=user, command=command)
    if exchange.status != 200:
        print(f"csbot: the app answered HTTP {exchange.status}: {exchange.response_body}", file=sys.stderr)
        return 1
    print(calls_as_json(exchange.calls) if args.json else calls_as_text(exchange.calls))
    return 0
