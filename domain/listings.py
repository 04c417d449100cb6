"""The `/cs owner`, `/cs renewals` and `/cs risks` use cases: plain data for the renderer, no Slack.

Who sees what: a CSM, AE or AM sees the accounts they are on; a manager also sees those of the people
who report to them; CS Ops sees every account. Each use case writes its audit entry.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Engine

from domain.accounts import Lookup, find_account
from domain.health.card import Drag, drags
from domain.health.scorecard import HealthConfig
from domain.health.scoring import MeasureResult
from domain.ownership import (
    MODELS,
    AccountOwners,
    Decision,
    OwnershipConfig,
    expansion_owner,
    renewal_owner,
)
from domain.policy import RisksConfig
from storage import audit
from storage.listings import (
    OwnerRow,
    at_risk_accounts,
    latest_snapshots,
    owner_row,
    scores_on_or_before,
    upcoming_renewals,
)
from storage.team import Person, direct_reports, people_by_email

DEFAULT_DAYS = 90
MAX_DAYS = 365
# Twenty lines read at a glance in Slack; beyond that the list says how many more there are.
MAX_LINES = 20
# As on the health card: a missed nightly run should not leave the trend without a starting point.
_BASELINE_SLACK_DAYS = 7

ScopeKind = Literal["own", "team", "all", "none"]


@dataclass(frozen=True)
class Scope:
    """Whose accounts a listing covers. `none`: the asker is allowed in (a user group) but is not on
    the team list, so no account names them."""

    kind: ScopeKind
    emails: frozenset[str] = frozenset()

    @property
    def filter(self) -> frozenset[str] | None:
        return None if self.kind == "all" else self.emails


def scope_for(engine: Engine, member: Person | None) -> Scope:
    if member is None:
        return Scope("none")
    if member.role == "cs_ops":
        return Scope("all")
    if member.role == "manager":
        return Scope("team", frozenset({member.email, *direct_reports(engine, member.email)}))
    return Scope("own", frozenset({member.email}))


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
class Assignee:
    """Who the rules picked, and the role to show next to their name."""

    decision: Decision
    person: Person | None  # None: nobody on the account can take it
    role: str | None  # the decision's role, or the team role of someone who took the renewal over


def _assignee(decision: Decision, people: dict[str, Person]) -> Assignee:
    if decision.email is None:
        return Assignee(decision, None, decision.role)
    # An owner missing from the team table is shown by email rather than dropped.
    person = people.get(decision.email) or Person.by_email_only(decision.email)
    return Assignee(decision, person, decision.role or person.role)


def _people_for(rows: list[OwnerRow]) -> set[str]:
    emails: set[str] = set()
    for row in rows:
        emails.update(e for e in (row.csm_email, row.ae_email, row.am_email, row.renewal_owner_email) if e)
    return emails


# --- /cs owner ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnershipView:
    account_id: int
    external_id: str
    name: str
    arr: float
    expansion_potential: bool | None
    status: str  # a churned account has nothing left to renew or expand
    config: OwnershipConfig
    renewal: Assignee
    expansion: Assignee
    # Set under the models where CSMs take expansions up to `config.small_expansion_arr`.
    small_expansion: Assignee | None


@dataclass(frozen=True)
class OwnerAnswer:
    lookup: Lookup
    view: OwnershipView | None


def ownership_view(engine: Engine, config: OwnershipConfig, account_id: int) -> OwnershipView | None:
    row = owner_row(engine, account_id)
    if row is None:
        return None
    owners = AccountOwners.of(row)
    people = people_by_email(engine, _people_for([row]))
    small = None
    if MODELS[config.model].csm_takes_small_expansions:
        small = _assignee(expansion_owner(config, owners, amount=config.small_expansion_arr), people)
    return OwnershipView(
        account_id=row.id,
        external_id=row.external_id,
        name=row.name,
        arr=row.arr,
        expansion_potential=row.expansion_potential,
        status=row.status,
        config=config,
        renewal=_assignee(renewal_owner(config, owners), people),
        expansion=_assignee(expansion_owner(config, owners), people),
        small_expansion=small,
    )


def _lookup_outcome(lookup: Lookup) -> str:
    if lookup.match:
        return "shown"
    return "ambiguous" if lookup.choices else "not_found"


def owner_by_name(
    engine: Engine, config: OwnershipConfig, *, query: str, slack_user_id: str, at: datetime
) -> OwnerAnswer:
    lookup = find_account(engine, query)
    view = ownership_view(engine, config, lookup.match.id) if lookup.match else None
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action="owner",
        query=query,
        account_id=lookup.match.id if lookup.match else None,
        outcome=_lookup_outcome(lookup),
    )
    return OwnerAnswer(lookup=lookup, view=view)


# --- /cs renewals ---------------------------------------------------------------------------------


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
        people = people_by_email(engine, _people_for(accounts))
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
                    owner=_assignee(renewal_owner(config, AccountOwners.of(row.account)), people),
                )
            )
        answer = RenewalsAnswer(
            scope=scope, days=days, lines=lines, total=total, offset=offset, overdue=overdue
        )
    audit.record(
        engine, at=at, slack_user_id=slack_user_id, action="renewals", query=str(days), outcome="listed"
    )
    return answer


# --- /cs risks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskLine:
    account_id: int
    external_id: str
    name: str
    score: float | None
    band: str  # "no_data" when the account was never scored
    baseline_score: float | None  # the score `trend_days` earlier
    top_drag: Drag | None
    in_worst_band: bool
    open_alert_on: date | None  # the newest alert nobody acknowledged, within the window
    flagged_on: date | None


@dataclass(frozen=True)
class RisksAnswer:
    scope: Scope
    trend_days: int
    worst_band: str
    alert_days: int  # unacknowledged alerts this recent count
    lines: list[RiskLine] = field(default_factory=list)
    total: int = 0
    offset: int = 0  # how many lines come before these ones

    @property
    def more(self) -> int:
        """Lines after these ones."""
        return max(0, self.total - self.offset - len(self.lines))


def alert_window_days(risks: RisksConfig) -> int:
    """Alerts count for two cool-downs, today included: long enough that an alert nobody answered
    is still listed when the next one could be raised, short enough that old noise drops off."""
    return 2 * risks.cooldown_days


def list_risks(
    engine: Engine,
    health: HealthConfig,
    risks: RisksConfig,
    *,
    member: Person | None,
    today: date,
    slack_user_id: str,
    at: datetime,
    limit: int = MAX_LINES,
    offset: int = 0,
) -> RisksAnswer:
    scope = scope_for(engine, member)
    # Bands run from worst to best, so the first one is "red" whatever a workspace calls it.
    worst = health.bands[0].name
    alert_days = alert_window_days(risks)
    answer = RisksAnswer(scope=scope, trend_days=health.trend_days, worst_band=worst, alert_days=alert_days)
    if scope.kind != "none":
        rows, total = at_risk_accounts(
            engine,
            today=today,
            worst_band=worst,
            alerts_since=today - timedelta(days=alert_days - 1),
            emails=scope.filter,
            limit=limit,
            offset=offset,
        )
        ids = [r.account.id for r in rows]
        snapshots = latest_snapshots(engine, ids, today)
        baseline_day = today - timedelta(days=health.trend_days)
        baselines = scores_on_or_before(
            engine, ids, day=baseline_day, not_before=baseline_day - timedelta(days=_BASELINE_SLACK_DAYS)
        )
        lines = []
        for row in rows:
            snapshot = snapshots.get(row.account.id)
            measures = [MeasureResult.from_dict(m) for m in snapshot.measures] if snapshot else []
            top = drags(measures, limit=1)
            lines.append(
                RiskLine(
                    account_id=row.account.id,
                    external_id=row.account.external_id,
                    name=row.account.name,
                    score=row.score,
                    band=row.band or "no_data",
                    baseline_score=baselines.get(row.account.id),
                    top_drag=top[0] if top else None,
                    in_worst_band=row.band == worst,
                    open_alert_on=row.latest_open_alert,
                    flagged_on=row.flagged_at_risk_on,
                )
            )
        answer = RisksAnswer(
            scope=scope,
            trend_days=health.trend_days,
            worst_band=worst,
            alert_days=alert_days,
            lines=lines,
            total=total,
            offset=offset,
        )
    audit.record(engine, at=at, slack_user_id=slack_user_id, action="risks", outcome="listed")
    return answer
