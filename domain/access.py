"""Account data is for the CS team: the trace left when someone outside it asks."""

from datetime import datetime

from sqlalchemy import Engine

from storage import audit


def record_refusal(
    engine: Engine,
    *,
    slack_user_id: str,
    action: str,
    at: datetime,
    query: str | None = None,
    account_id: int | None = None,
) -> None:
    """Someone outside the CS team asked: keep a trace, show nothing."""
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action=action,
        query=query,
        account_id=account_id,
        outcome="refused",
    )
