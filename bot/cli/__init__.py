"""The `csbot` command line: one module per subcommand, each with `add_parser(subparsers)`."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot.cli import (
    ask_cmd,
    calibrate_cmd,
    cmd_cmd,
    demo_cmd,
    digest_cmd,
    import_cmd,
    migrate_cmd,
    run_cmd,
    score_cmd,
    scores_cmd,
    shell_cmd,
    signals_cmd,
    sweep_cmd,
    sync_cmd,
    team_cmd,
)
from bot.cli.common import CliError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csbot", description="A Slack assistant for Customer Success teams."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in (
        run_cmd,
        migrate_cmd,
        import_cmd,
        sync_cmd,
        score_cmd,
        scores_cmd,
        calibrate_cmd,
        sweep_cmd,
        digest_cmd,
        ask_cmd,
        demo_cmd,
        cmd_cmd,
        shell_cmd,
        team_cmd,
        signals_cmd,
    ):
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as error:
        print(f"csbot: {error}", file=sys.stderr)
        return error.code
    except BrokenPipeError:
        # Output piped into `head` or a pager that closed: not an error, and nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
