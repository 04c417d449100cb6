"""`csbot sync [NAME …] [--dry-run] [--json]`: import every configured source (or those named) now."""

import argparse
import json

from bot.cli.common import CliError, load_settings, open_database, workspace_config
from bot.sync import chosen_sources, rescore_after, run_sources
from domain.clock import system_clock, today_in


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sync", help="import the configured sources (warehouse, CRM) now")
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these sources (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="read and check every row, write nothing")
    parser.add_argument("--json", action="store_true", help="one JSON object per source")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = workspace_config(settings)
    try:
        chosen_sources(config, args.names)
    except ValueError as error:
        raise CliError(str(error), code=2) from error
    if not config.sources:
        raise CliError("no sources are configured: add `sources:` to the workspace configuration", code=2)
    engine = open_database(settings)
    results = run_sources(engine, config, args.names, dry_run=args.dry_run)
    rescored = (
        0 if args.dry_run else rescore_after(engine, config, results, today_in(system_clock, config.zone))
    )
    for result in results:
        if args.json:
            print(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.ok:
            verb = "would insert" if args.dry_run else "inserted"
            print(
                f"{result.name} ({result.kind}): {result.read:,} read; {verb} {result.inserted:,}, "
                f"updated {result.updated:,}, {result.unchanged:,} unchanged in {result.seconds:.2f} s"
            )
            for note in result.notes:
                print(f"  {note}")
        else:
            print(f"{result.name} ({result.kind}): FAILED: {result.error}")
    if rescored and not args.json:
        print(f"Scored {rescored:,} accounts again for today with the new data.")
    return 0 if all(result.ok for result in results) else 1
