from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from storage.db import migrate


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    migrate(engine)  # a second upgrade on start-up must be a no-op
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
