"""What several subcommands share: settings, the database and the workspace configuration they run
against, each failing with one clear line (`CliError`) rather than a traceback."""

import argparse

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.config import ConfigError, WorkspaceConfig, load_config
from bot.settings import Settings
from storage.db import make_engine, migrate


class CliError(Exception):
    """A problem the person running csbot can fix: printed as one line, exit status `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        raise CliError(f"invalid environment: {problems}", code=2) from error


def open_database(settings: Settings) -> Engine:
    shown = settings.database_url
    try:
        engine = make_engine(settings.database_url)
        shown = engine.url.render_as_string(hide_password=True)
        migrate(engine)
    except (ArgumentError, NoSuchModuleError) as error:
        raise CliError(
            f"CSBOT_DATABASE_URL is not a database URL csbot can use ({shown}): {error}", 2
        ) from error
    except DBAPIError as error:
        # The driver's first line says what went wrong (refused, unknown host, unable to open file…).
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise CliError(f"cannot use the database {shown}: {reason}") from error
    return engine


def workspace_config(settings: Settings) -> WorkspaceConfig:
    try:
        return load_config(settings.config_path)
    except ConfigError as error:
        raise CliError(str(error), code=2) from error


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a count of days, accounts, rows)."""
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from error
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value
