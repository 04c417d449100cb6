import warnings

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from storage.db import alembic_config, migrate


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    migrate(engine)  # a second upgrade on start-up must be a no-op
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_the_migrations_build_exactly_the_schema_the_models_describe(engine: Engine) -> None:
    with warnings.catch_warnings():
        # Expression indexes (lower(external_id)) cannot be reflected on every dialect: skipped, not drift.
        warnings.simplefilter("ignore")
        with engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert drift == []


def test_upgrading_folds_the_kana_of_stored_search_names(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0005")
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO account (id, external_id, name, search_name, arr, status) "
                    "VALUES (1, 'A-1', 'サクラデザイン株式会社', 'サクラデザイン', 0, 'active')"
                )
            )
            for alias_id, alias in ((1, "さくら"), (2, "サクラ"), (3, "Sakura")):
                connection.execute(
                    text(
                        "INSERT INTO account_alias (id, account_id, alias, search_alias) "
                        "VALUES (:id, 1, :alias, :search)"
                    ),
                    {"id": alias_id, "alias": alias, "search": alias.casefold()},
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            name = connection.execute(text("SELECT search_name FROM account")).scalar_one()
            aliases = connection.execute(
                text("SELECT alias, search_alias FROM account_alias ORDER BY id")
            ).all()
        assert name == "さくらでざいん"
        # "さくら" and "サクラ" are now one alias: the first is kept.
        assert [tuple(row) for row in aliases] == [("さくら", "さくら"), ("Sakura", "sakura")]
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM account_alias"))
            connection.execute(text("DELETE FROM account"))
        migrate(engine)


def test_replicas_migrating_a_new_postgresql_database_at_once_all_succeed() -> None:
    """Several `csbot migrate` at the same moment on an empty database: one builds the schema, the
    others wait on the advisory lock and find it built (without the lock, they race on CREATE TABLE)."""
    import subprocess
    import sys

    from storage.db import make_engine
    from tests.conftest import _postgres_database

    databases = _postgres_database()
    url = next(databases)
    script = f"from storage.db import make_engine, migrate; migrate(make_engine({url!r}))"
    engine = make_engine(url)
    try:  # processes, as replicas are (Alembic's context is one per process)
        started = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(4)]
        outcomes = [(p.wait(timeout=120), p.stderr.read().decode()[-500:]) for p in started]  # type: ignore[union-attr]
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
        next(databases, None)  # drops the database
    assert [code for code, _ in outcomes] == [0] * 4, outcomes
    assert version == ScriptDirectory.from_config(alembic_config(make_engine(url))).get_current_head()
    assert {t.name for t in SQLModel.metadata.sorted_tables} <= tables
