"""`csbot shell`: type slash commands and press buttons, offline, as if in Slack."""

import argparse

from bot.cli.cmd_cmd import default_user, split_command
from bot.cli.common import load_settings, open_database, workspace_config
from bot.cli.printing import Button, buttons, calls_as_text
from bot.local import Exchange, LocalWorkspace

HELP = """Type a slash command (/cs help, /cs health acme) or just its text (health acme).
A number presses that button of the last reply. :user U123 (or an email) changes who you are. :quit leaves."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "shell", help="talk to the bot interactively through the local Slack server"
    )
    parser.add_argument("--user", help="Slack user id or team member email (default: the first CSM)")
    parser.set_defaults(func=run)


def _show(exchange: Exchange) -> list[Button]:
    print(calls_as_text(exchange.calls))
    offered = buttons(exchange.calls)
    for number, button in enumerate(offered, start=1):
        print(f"  {number}) {button.label}")
    return offered


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = open_database(settings)
    with LocalWorkspace(engine=engine, config=workspace_config(settings)) as workspace:
        user = workspace.resolve_user(args.user) if args.user else default_user(workspace)
        print(HELP)
        offered: list[Button] = []
        while True:
            try:
                line = input(f"{user}> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if not line:
                continue
            if line in (":quit", ":q", "exit"):
                return 0
            if line.startswith(":user"):
                try:
                    user = workspace.resolve_user(line.removeprefix(":user").strip())
                except LookupError as error:
                    print(error)
                continue
            if line.isdigit():
                if not 1 <= int(line) <= len(offered):
                    print("No such button.")
                    continue
                button = offered[int(line) - 1]
                offered = _show(workspace.click(button.action_id, button.value, user_id=user))
                continue
            command, text = split_command(line if line.startswith("/") else f"/cs {line}")
            offered = _show(workspace.command(text, user_id=user, command=command))
