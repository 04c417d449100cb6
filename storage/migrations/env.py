"""Alembic environment: the engine is handed in by `storage.db.migrate`, or built from CSBOT_DATABASE_URL."""

from alembic import context
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
MIGRATION_LOCK = 0x63736274  # "csbt": the advisory lock only csbot's migrations take


def run_migrations() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        from bot.settings import Settings
        from storage.db import make_engine

        engine = make_engine(Settings().database_url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together: one upgrades, the others wait here until it commits and then
            # find the schema at head. The lock ends with the transaction.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations()
