"""`/cs renewals [days]`: renewals coming up, and overdue, on the accounts a person's scope covers."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from domain.account_owner import Assignee, assignee_for, people_on
from domain.ownership import (
    AccountOwners,
    OwnershipConfig,
    renewal_owner,
)
from domain.scope import MAX_LINES, Scope, scope_for
from storage import audit
from storage.snapshots import latest_snapshots
from storage.team import Person, people_by_email
from storage.upcoming_renewals import upcoming_renewals

DEFAULT_DAYS = 90
MAX_DAYS = 365


_DAYS = re.compile(r"^(\d+)\s*(?:d|day|days|日|日間)?$")


def parse_days(text: str) -> int | None:
    """The look-ahead of `/cs renewals`: empty means the default; `30`, `30d`, `30 days`, `30日` and
    full-width digits are read; anything else, or outside 1–365, is None."""
    cleaned = unicodedata.normalize("NFKC", text).strip().casefold()
    if not cleaned:
        return DEFAULT_DAYS
    matched = _DAYS.match(cleaned)
    if not matched:
        return None
    days = int(matched.group(1))
    return days if 1 <= days <= MAX_DAYS else None


@dataclass(frozen=True)
class RenewalLine:
    account_id: int
    external_id: str
    name: str
    end_date: date
    days_left: int
    auto_renew: bool
    notice_deadline: date | None  # last day to give notice, for auto-renewing contracts
    notice_days_left: int | None
    arr: float
    score: float | None
    band: str  # "no_data" when the account was never scored
    owner: Assignee


@dataclass(frozen=True)
class RenewalsAnswer:
    scope: Scope
    days: int
    lines: list[RenewalLine] = field(default_factory=list)
    total: int = 0
    offset: int = 0  # how many lines come before these ones
    overdue: int = 0  # of the total, renewals whose contract ended without being renewed or lost

    @property
    def more(self) -> int:
        """Lines after these ones."""
        return max(0, self.total - self.offset - len(self.lines))


def list_renewals(
    engine: Engine,
    config: OwnershipConfig,
    *,
    member: Person | None,
    days: int,
    today: date,
    slack_user_id: str,
    at: datetime,
    limit: int = MAX_LINES,
    offset: int = 0,
) -> RenewalsAnswer:
    scope = scope_for(engine, member)
    answer = RenewalsAnswer(scope=scope, days=days)
    if scope.kind != "none":
        rows, total, overdue = upcoming_renewals(
            engine,
            today=today,
            until=today + timedelta(days=days),
            emails=scope.filter,
            limit=limit,
            offset=offset,
        )
        accounts = [r.account for r in rows]
        people = people_by_email(engine, people_on(accounts))
        snapshots = latest_snapshots(engine, sorted({a.id for a in accounts}), today)
        lines = []
        for row in rows:
            deadline = None
            if row.auto_renew and row.notice_days:
                deadline = row.end_date - timedelta(days=row.notice_days)
            snapshot = snapshots.get(row.account.id)
            lines.append(
                RenewalLine(
                    account_id=row.account.id,
                    external_id=row.account.external_id,
                    name=row.account.name,
                    end_date=row.end_date,
                    days_left=(row.end_date - today).days,
                    auto_renew=row.auto_renew,
                    notice_deadline=deadline,
                    notice_days_left=(deadline - today).days if deadline else None,
                    # Contracts imported without an ARR column store 0: the account's figure is then
                    # the better guess at what is up for renewal.
                    arr=row.contract_arr or row.account.arr,
                    score=snapshot.score if snapshot else None,
                    band=snapshot.band if snapshot else "no_data",
                    owner=assignee_for(renewal_owner(config, AccountOwners.of(row.account)), people),
                )
            )
        answer = RenewalsAnswer(
            scope=scope, days=days, lines=lines, total=total, offset=offset, overdue=overdue
        )
    audit.record(
        engine, at=at, slack_user_id=slack_user_id, action="renewals", query=str(days), outcome="listed"
    )
    return answer
