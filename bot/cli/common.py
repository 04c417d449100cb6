"""What several subcommands share: the database and workspace configuration they run against."""

import argparse
import sys

from sqlalchemy import Engine

from bot.config import ConfigError, WorkspaceConfig, load_config
from bot.settings import Settings
from storage.db import make_engine, migrate


def open_database(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def workspace_config(settings: Settings) -> WorkspaceConfig:
    try:
        return load_config(settings.config_path)
    except ConfigError as error:
        print(f"csbot: {error}", file=sys.stderr)
        raise SystemExit(2) from error


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a count of days, accounts, rows)."""
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from error
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value
