"""A lease in the database decides which replica runs the scheduled jobs.

The holder renews it well within its lifetime; if the holder dies, the lease runs out and the next
replica to ask takes it. One atomic INSERT … ON CONFLICT DO UPDATE … WHERE is the whole protocol, so it
works the same on SQLite and PostgreSQL.
"""

from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from storage.tables import LEASES
from storage.upsert import conflict_insert


def hold(engine: Engine, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; True if `holder` has it until `now + ttl`."""
    with engine.begin() as connection:
        statement = conflict_insert(connection, LEASES).values(name=name, holder=holder, expires_at=now + ttl)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "expires_at": now + ttl},
            where=(LEASES.c.holder == holder) | (LEASES.c.expires_at < now),
        )
        connection.execute(statement)
        current = connection.scalar(select(LEASES.c.holder).where(LEASES.c.name == name))
    return current == holder


def release(engine: Engine, name: str, holder: str) -> None:
    with engine.begin() as connection:
        connection.execute(LEASES.delete().where(LEASES.c.name == name, LEASES.c.holder == holder))
