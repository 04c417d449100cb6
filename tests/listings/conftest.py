"""The book every listing test reads: see `tests.factories.build_book`."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.config import WorkspaceConfig, load_config
from bot.local import LocalWorkspace
from domain.clock import fixed_clock
from tests.factories import NOW, build_book


@pytest.fixture
def config() -> WorkspaceConfig:
    return load_config()


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return build_book(engine)


@pytest.fixture
def workspace(engine: Engine, config: WorkspaceConfig, ids: dict[str, int]) -> Iterator[LocalWorkspace]:
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        yield workspace
