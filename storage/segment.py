"""Product events from a Segment (or RudderStack) webhook, counted into daily metrics.

Each `track` event is kept by its message id, so one delivered twice counts once; the metric of an
account and day is then the number of its events that day, written as an ordinary observation.
"""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine, and_, func, or_, select

from storage.models import SegmentEvent
from storage.tables import OBSERVATIONS
from storage.upsert import conflict_insert, upsert_rows

EVENTS = SegmentEvent.__table__  # type: ignore[attr-defined]


def count_events(engine: Engine, events: Sequence[tuple[str, int, str, date]]) -> tuple[int, int]:
    """Record (message id, account id, metric, day) events and recount the metrics they touch, in one
    transaction; returns (new events, events seen before)."""
    if not events:
        return 0, 0
    with engine.begin() as connection:
        new = connection.execute(
            conflict_insert(connection, EVENTS)
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(EVENTS.c.account_id, EVENTS.c.metric, EVENTS.c.day),
            [{"message_id": m, "account_id": a, "metric": metric, "day": d} for m, a, metric, d in events],
        ).all()
        touched = sorted({(row[0], row[1], row[2]) for row in new})
        if touched:
            counts = connection.execute(
                select(EVENTS.c.account_id, EVENTS.c.metric, EVENTS.c.day, func.count())
                .where(
                    or_(
                        *(
                            and_(EVENTS.c.account_id == a, EVENTS.c.metric == m, EVENTS.c.day == d)
                            for a, m, d in touched
                        )
                    )
                )
                .group_by(EVENTS.c.account_id, EVENTS.c.metric, EVENTS.c.day)
            ).all()
            upsert_rows(
                connection,
                OBSERVATIONS,
                [
                    {"account_id": a, "metric": m, "observed_on": d, "value": float(n)}
                    for a, m, d, n in counts
                ],
                key=("account_id", "metric", "observed_on"),
            )
    return len(new), len(events) - len(new)
