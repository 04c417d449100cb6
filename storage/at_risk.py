"""The reads behind `/cs risks`: accounts in the worst band, with an alert nobody acknowledged, or flagged."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from storage.owners import OWNER_COLUMNS, OwnerRow, in_scope, total_rows
from storage.tables import ACCOUNTS, ALERTS, SNAPSHOTS

NO_DATA = "no_data"  # the band of an account scored without data, and of one never scored


@dataclass(frozen=True)
class RiskRow:
    account: OwnerRow
    score: float | None  # of the newest snapshot; None when never scored or scored without data
    band: str | None
    latest_open_alert: date | None  # the newest alert in the window nobody acknowledged
    flagged_at_risk_on: date | None


def _newest_day(today: date) -> Any:
    """Each account's newest snapshot day up to `today`, as a correlated subquery: one seek per account
    in the (account_id, day) unique index, where a grouped subquery joined back to the accounts made
    SQLite scan it once per account."""
    return (
        select(func.max(SNAPSHOTS.c.day))
        .where(SNAPSHOTS.c.account_id == ACCOUNTS.c.id, SNAPSHOTS.c.day <= today)
        .correlate(ACCOUNTS)
        .scalar_subquery()
    )


def at_risk_accounts(
    engine: Engine,
    *,
    today: date,
    worst_band: str,
    alerts_since: date,
    emails: Collection[str] | None,
    limit: int,
    offset: int = 0,
    only_at_risk: bool = True,
    band: str | None = None,
    by_csm: bool = False,
) -> tuple[list[RiskRow], int]:
    """Live accounts whose newest snapshot is in `worst_band`, or with an alert since `alerts_since`
    nobody acknowledged, or flagged at risk by hand (every live account when not `only_at_risk`: a
    portfolio): lowest score first (unscored last), at most `limit` of them, and how many there are.
    `band` keeps the accounts whose newest snapshot is in it ("no_data" also keeps the never scored);
    `by_csm` orders by CSM first, so a manager's pages keep each CSM's accounts together."""
    newest_day = _newest_day(today)
    latest = SNAPSHOTS.alias("latest")
    open_alerts = (
        select(ALERTS.c.account_id, func.max(ALERTS.c.day).label("day"))
        .where(ALERTS.c.day.between(alerts_since, today), ALERTS.c.acknowledged_on.is_(None))
        .group_by(ALERTS.c.account_id)
        .subquery()
    )
    statement = (
        select(
            *OWNER_COLUMNS,
            latest.c.score,
            latest.c.band,
            open_alerts.c.day.label("alert_day"),
            ACCOUNTS.c.flagged_at_risk_on,
        )
        .select_from(ACCOUNTS)
        .outerjoin(latest, and_(latest.c.account_id == ACCOUNTS.c.id, latest.c.day == newest_day))
        .outerjoin(open_alerts, open_alerts.c.account_id == ACCOUNTS.c.id)
        .where(ACCOUNTS.c.status != "churned", in_scope(emails))
    )
    if only_at_risk:
        statement = statement.where(
            or_(
                latest.c.band == worst_band,
                open_alerts.c.day.is_not(None),
                ACCOUNTS.c.flagged_at_risk_on.is_not(None),
            )
        )
    if band == NO_DATA:
        statement = statement.where(or_(latest.c.band.is_(None), latest.c.band == NO_DATA))
    elif band is not None:
        statement = statement.where(latest.c.band == band)
    owner_first = (ACCOUNTS.c.csm_email.is_(None), ACCOUNTS.c.csm_email) if by_csm else ()
    ordered = (
        statement.order_by(
            *owner_first, latest.c.score.is_(None), latest.c.score, ACCOUNTS.c.name, ACCOUNTS.c.id
        )
        .offset(offset)
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(ordered).all()
    found = [
        RiskRow(
            account=OwnerRow(*row[: len(OWNER_COLUMNS)]),
            score=row.score,
            band=row.band,
            latest_open_alert=row.alert_day,
            flagged_at_risk_on=row.flagged_at_risk_on,
        )
        for row in rows
    ]
    return found, total_rows(engine, statement, found, limit=limit, offset=offset)


def bands_by_csm(engine: Engine, *, today: date, emails: Collection[str]) -> dict[str | None, dict[str, int]]:
    """How many live accounts each CSM among `emails` has in each band of its newest snapshot (by
    CSM email; "no_data" for accounts never scored)."""
    newest_day = _newest_day(today)
    band = func.coalesce(SNAPSHOTS.c.band, NO_DATA)
    statement = (
        select(ACCOUNTS.c.csm_email, band, func.count())
        .select_from(ACCOUNTS)
        .outerjoin(SNAPSHOTS, and_(SNAPSHOTS.c.account_id == ACCOUNTS.c.id, SNAPSHOTS.c.day == newest_day))
        .where(ACCOUNTS.c.status != "churned", ACCOUNTS.c.csm_email.in_(sorted(emails)))
        .group_by(ACCOUNTS.c.csm_email, band)
    )
    counts: dict[str | None, dict[str, int]] = {}
    with engine.connect() as connection:
        for email, name, count in connection.execute(statement):
            counts.setdefault(email, {})[name] = int(count)
    return counts
