"""`csbot signals channels [--json]`: which customer channels count for which account, and the shared
channels the bot is in that no account claims yet."""

import argparse
import json
from datetime import UTC, datetime

from bot.app import make_client
from bot.cli.common import load_settings, open_database, workspace_config
from bot.signals import scan_channels


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("signals", help="customer channel signals")
    actions = parser.add_subparsers(dest="signals_action", required=True)
    channels = actions.add_parser(
        "channels", help="channels linked to accounts, linking shared channels by their members' domain"
    )
    channels.add_argument("--json", action="store_true", help="the links and unlinked channels as JSON")
    channels.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = open_database(settings)
    config = workspace_config(settings)
    client = make_client(settings)
    team_id = str(client.auth_test()["team_id"])
    scan = scan_channels(engine, config.signals, client, team_id=team_id, now=datetime.now(UTC))
    if args.json:
        print(
            json.dumps(
                {
                    "links": [
                        {
                            "channel": link.channel_id,
                            "account_id": link.external_id,
                            "account": link.account_name,
                            "linked_by": link.linked_by,
                        }
                        for link in scan.links
                    ],
                    "unlinked_shared_channels": [
                        {"channel": c.channel_id, "name": c.name, "outside_domains": c.outside_domains}
                        for c in scan.unlinked
                    ],
                    "unknown_accounts": scan.unknown_accounts,
                },
                ensure_ascii=False,
            )
        )
        return 0
    fresh = {c.channel_id for c in scan.linked_now}
    for link in scan.links:
        how = "by domain, just now" if link.channel_id in fresh else f"by {link.linked_by}"
        print(f"{link.channel_id} → {link.account_name} ({link.external_id}), linked {how}")
    for channel in scan.unlinked:
        domains = ", ".join(channel.outside_domains) or "no outside members with an email"
        print(f"{channel.channel_id} #{channel.name}: shared, not linked ({domains})")
    for external_id in scan.unknown_accounts:
        print(f"signals.channels names account {external_id}, which does not exist")
    if not scan.links and not scan.unlinked:
        print("No customer channels: name some in signals.channels, or invite the bot to shared channels.")
    return 0
