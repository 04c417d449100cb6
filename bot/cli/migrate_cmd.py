"""`csbot migrate`: bring the database schema up to date."""

import argparse

from bot.cli.common import load_settings, open_database


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help="create or upgrade the database schema")
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    engine = open_database(load_settings())
    print(f"Database is up to date ({engine.url.render_as_string(hide_password=True)}).")
    return 0
