"""Reading rows from a team's own database (a warehouse, a CRM replica) for import.

The URL is any SQLAlchemy URL, with `${VAR}` replaced from the environment when the source runs, so a
password lives in the environment rather than in the configuration file. Whatever goes wrong is said
without the URL's password: the URL is shown as written (or with its password masked), and a driver
message that happens to contain the password has it replaced.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Rows the driver hands over at a time: memory stays bounded however many rows the query returns.
FETCH_ROWS = 5_000


class SourceError(Exception):
    """A source cannot be read; the message is safe to log and to send to a person."""


def expanded(url: str, environ: Mapping[str, str]) -> str:
    missing = [name for name in _VARIABLE.findall(url) if name not in environ]
    if missing:
        raise SourceError(f"the environment variable {', '.join(sorted(set(missing)))} is not set")
    return _VARIABLE.sub(lambda m: environ[m.group(1)], url)


def shown(url: str) -> str:
    """The URL as it may be shown: a password written as ${VAR} stays a name, a literal one is masked."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(not a database URL)"
    masked = parsed.render_as_string(hide_password=True)
    if parsed.password is not None and _VARIABLE.fullmatch(str(parsed.password)):
        return masked.replace(":***@", f":{parsed.password}@", 1)
    return masked


def _secrets(url: str) -> list[str]:
    try:
        password = make_url(url).password
    except ArgumentError:
        return []
    return [str(password)] if password else []


def _scrubbed(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return message


@dataclass(frozen=True)
class SourceTable:
    columns: list[str]
    rows: Iterator[Sequence[Any]]  # tuples in the order of `columns`, streamed


@contextmanager
def source_rows(url: str, query: str, environ: Mapping[str, str]) -> Iterator[SourceTable]:
    """The query's column names and its rows, streamed as tuples; SourceError for what fails, whether on
    connecting, on running the query or while its rows are read."""
    real = expanded(url, environ)
    secrets = _secrets(real)
    try:
        engine = create_engine(real, poolclass=NullPool)
    except (ArgumentError, NoSuchModuleError) as error:
        raise SourceError(
            f"{shown(url)} is not a database URL csbot can use: {_scrubbed(str(error), secrets)}"
        ) from None
    try:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True, max_row_buffer=FETCH_ROWS).execute(
                text(query)
            )
            try:
                yield SourceTable(list(result.keys()), iter(result))
            finally:
                result.close()  # an import that stopped early leaves no half-read result behind
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
        raise SourceError(f"the query on {shown(url)} failed: {_scrubbed(reason, secrets)}") from None
    except SQLAlchemyError as error:
        raise SourceError(f"{shown(url)}: {_scrubbed(str(error).splitlines()[0], secrets)}") from None
    finally:
        engine.dispose()
