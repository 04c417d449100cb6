"""The `csbot` command line: one module per subcommand, each with `add_parser(subparsers)`."""

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import import_cmd, migrate_cmd


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csbot", description="A Slack assistant for Customer Success teams."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in (migrate_cmd, import_cmd):
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
