"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a clean Slack environment."""

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from storage.db import make_engine, migrate

POSTGRES_ADMIN_URL = os.environ.get(
    "CSBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def _no_developer_slack_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own Slack tokens or database must never leak into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CSBOT_")) and name != "CSBOT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)


def _postgres_database() -> Iterator[str]:
    """Create a throw-away PostgreSQL database for this test session; skip (never under CI) if none runs."""
    admin = make_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # the reason is shown in the skip line
        admin.dispose()
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"PostgreSQL is required under CI but unreachable: {error}") from error
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error.__class__.__name__}")
    name = f"csbot_test_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'csbot.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated database, emptied before each test."""
    with migrated_engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    yield migrated_engine


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long simulations run in CI (`.ci/run` sets CSBOT_RUN_SLOW) and on request; a local `make test`
    stays a few minutes shorter without them."""
    if os.environ.get("CSBOT_RUN_SLOW") == "1" or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="slow simulation: set CSBOT_RUN_SLOW=1 to run it (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
