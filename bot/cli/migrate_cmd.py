"""`csbot migrate`: bring the database schema up to date."""

import argparse

from bot.settings import Settings
from storage.db import make_engine, migrate


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("migrate", help="create or upgrade the database schema")
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    engine = make_engine(Settings().database_url)
    migrate(engine)
    print(f"Database is up to date ({engine.url.render_as_string(hide_password=True)}).")
    return 0
