"""A month's Customer Success KPIs, computed from the database: the numbers behind the success digest.

The definitions (the README states the same):
- An account's ARR at the start of a day is its current ARR minus the deltas of its movements on or after
  that day. A customer at the start of the month is an account with ARR then.
- The month's movements are those dated from its first to its last day, whoever they belong to.
- NRR = (starting + expansion − contraction − churned) / starting; GRR = (starting − contraction −
  churned) / starting; logo churn = customers at the start with a churn movement in the month / customers
  at the start. A ratio whose denominator is zero is None, and `absent` says why.
- The twelve-month NRR and GRR follow the customers paying twelve months before the month's end instead:
  what they pay at its end over what they paid then (GRR capping each at what it paid then).
- Time to first value counts the accounts whose earliest value point was reached in the month, within
  their first year.
"""

import heapq
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from domain import kpis
from domain.digest.month import Month
from storage import digest as reads
from storage.models import MovementKind
from storage.team import Person, people_by_email

# A contract signed from a month before to six weeks after the old one ends continues it.
RENEWAL_EARLIEST = timedelta(days=30)
RENEWAL_LATEST = timedelta(days=45)
LOST_STATUSES = frozenset({"churned", "cancelled"})
MOVERS = 3

# Reason codes in `MonthFigures.absent`: the renderer translates them, so they never change.
NO_STARTING_ARR = "no_starting_arr"
NO_CUSTOMERS_AT_START = "no_customers_at_start"
NO_VALUE_POINTS_DUE = "no_value_points_due"
NO_FIRST_VALUE = "no_first_value"
NO_HEALTH_DATA = "no_health_data"

# Only customers reaching their first value point within this many days of starting are counted.
FIRST_VALUE_WITHIN_DAYS = 365


@dataclass(frozen=True)
class RenewalCounts:
    due: int
    renewed: int
    lost: int
    open: int


@dataclass(frozen=True)
class ValuePoints:
    due: int
    on_time: int
    rate: float | None


@dataclass(frozen=True)
class FirstValue:
    accounts: int
    median_days: float | None


@dataclass(frozen=True)
class ScoreMove:
    account_id: int
    external_id: str
    name: str
    before: float
    after: float
    change: float


@dataclass(frozen=True)
class HealthShift:
    day: date | None
    before_day: date | None
    now: dict[str, int]  # band -> number of accounts
    before: dict[str, int]
    risers: list[ScoreMove]  # at most MOVERS, largest rise first
    fallers: list[ScoreMove]  # at most MOVERS, largest fall first


@dataclass(frozen=True)
class CsmArr:
    email: str | None  # None: the accounts without a CSM
    name: str | None
    slack_user_id: str | None
    accounts: int
    arr: float


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    through: date  # the last day counted: the month's last day, or today in the month in progress
    starting_arr: float
    new_arr: float
    upsell_arr: float
    extension_arr: float
    cross_sell_arr: float
    expansion_arr: float
    contraction_arr: float  # positive: what downsells took away
    churned_arr: float  # positive: what churn took away
    ending_arr: float
    customers_at_start: int
    customers_lost: int
    customers_at_end: int
    nrr: float | None
    grr: float | None
    logo_churn_rate: float | None
    renewals: RenewalCounts
    value_points: ValuePoints
    first_value: FirstValue
    health: HealthShift
    arr_by_csm: list[CsmArr]
    absent: dict[str, str]  # figure -> reason code, for every figure that is None

    @property
    def partial(self) -> bool:
        """The month is still going on: its figures cover only its first days."""
        return self.through < self.month.last


@dataclass(frozen=True)
class Retention:
    month: Month
    starting_arr: float
    nrr: float | None
    grr: float | None


@dataclass(frozen=True)
class _Movements:
    """The month's movements summed per kind, with contraction and churn as positive amounts."""

    new: float
    upsell: float
    extension: float
    cross_sell: float
    contraction: float
    churned: float

    @classmethod
    def from_totals(cls, totals: dict[str, float]) -> "_Movements":
        def total(kind: MovementKind) -> float:
            return totals.get(kind.value, 0.0)

        return cls(
            new=total(MovementKind.NEW),
            upsell=total(MovementKind.UPSELL),
            extension=total(MovementKind.EXTENSION),
            cross_sell=total(MovementKind.CROSS_SELL),
            contraction=_positive(total(MovementKind.DOWNSELL)),
            churned=_positive(total(MovementKind.CHURN)),
        )

    @property
    def expansion(self) -> float:
        return self.upsell + self.extension + self.cross_sell


def _positive(negative_total: float) -> float:
    # A month without such movements negates 0.0 into -0.0; adding 0.0 keeps "-0.0" out of JSON and text.
    return -negative_total + 0.0


def _retention(starting: float, moves: _Movements) -> tuple[float | None, float | None]:
    return (
        kpis.nrr(starting, moves.expansion, moves.contraction, moves.churned),
        kpis.grr(starting, moves.contraction, moves.churned),
    )


@dataclass(frozen=True)
class YearRetention:
    """Retention of the customers paying twelve months before the month's end: the yearly NRR and GRR
    leaders report, where the monthly figures are the month's flow."""

    first_month: Month
    customers: int
    starting_arr: float
    ending_arr: float
    nrr: float | None  # what those customers pay now / what they paid then
    grr: float | None  # the same with each customer capped at what it paid then


def year_retention(
    engine: Engine, month: Month, months: int = 12, *, through: date | None = None, since: date | None = None
) -> YearRetention:
    """`since`: the first day the workspace has data for; a cohort from before it would be invented."""
    first = month
    for _ in range(months - 1):
        first = first.previous()
    last = _last_counted(month, through)
    with engine.connect() as connection:
        cohort = reads.cohort(connection, first.first, last + timedelta(days=1))
    paying = cohort.starting_arr > 0 and (since is None or since <= first.last)
    return YearRetention(
        first_month=first,
        customers=cohort.customers,
        starting_arr=cohort.starting_arr,
        ending_arr=cohort.ending_arr,
        nrr=cohort.ending_arr / cohort.starting_arr if paying else None,
        grr=cohort.kept_arr / cohort.starting_arr if paying else None,
    )


def month_figures(engine: Engine, month: Month, *, through: date | None = None) -> MonthFigures:
    """The month's figures; for the month in progress, `through` (today) is the last day counted, so
    nothing due later in the month counts as missed yet."""
    last = _last_counted(month, through)
    with engine.connect() as connection:
        books = reads.books_by_csm(connection, month.first, last + timedelta(days=1))
        moves = _Movements.from_totals(reads.movement_totals(connection, month.first, last))
        renewals = _renewals(connection, month, last)
        due, on_time = reads.value_points_due(connection, month.first, last)
        first_value = _first_value(reads.first_values(connection, month.first, last))
        health = _health(connection, month, last)
        csm_emails = sorted(b.csm_email for b in books if b.csm_email is not None and b.customers_at_end)
        members = people_by_email(connection, csm_emails)

    starting_arr = sum(b.starting_arr for b in books)
    customers_at_start = sum(b.customers_at_start for b in books)
    customers_lost = sum(b.customers_lost for b in books)
    nrr, grr = _retention(starting_arr, moves)
    logo_churn_rate = kpis.logo_churn_rate(customers_lost, customers_at_start)
    value_points = ValuePoints(due=due, on_time=on_time, rate=on_time / due if due else None)

    absent: dict[str, str] = {}
    if nrr is None:
        absent["nrr"] = absent["grr"] = NO_STARTING_ARR
    if logo_churn_rate is None:
        absent["logo_churn_rate"] = NO_CUSTOMERS_AT_START
    if value_points.rate is None:
        absent["value_points_on_time_rate"] = NO_VALUE_POINTS_DUE
    if first_value.median_days is None:
        absent["median_days_to_first_value"] = NO_FIRST_VALUE
    if health.day is None:
        absent["health"] = NO_HEALTH_DATA

    return MonthFigures(
        month=month,
        through=last,
        starting_arr=starting_arr,
        new_arr=moves.new,
        upsell_arr=moves.upsell,
        extension_arr=moves.extension,
        cross_sell_arr=moves.cross_sell,
        expansion_arr=moves.expansion,
        contraction_arr=moves.contraction,
        churned_arr=moves.churned,
        ending_arr=sum(b.ending_arr for b in books),
        customers_at_start=customers_at_start,
        customers_lost=customers_lost,
        customers_at_end=sum(b.customers_at_end for b in books),
        nrr=nrr,
        grr=grr,
        logo_churn_rate=logo_churn_rate,
        renewals=renewals,
        value_points=value_points,
        first_value=first_value,
        health=health,
        arr_by_csm=_arr_by_csm(books, members),
        absent=absent,
    )


def _last_counted(month: Month, through: date | None) -> date:
    if through is None or through >= month.last:
        return month.last
    if through < month.first:
        raise ValueError(f"{month} has not begun on {through}")
    return through


def _renewals(connection: Connection, month: Month, last: date) -> RenewalCounts:
    due = reads.contracts_ending(connection, month.first, last)
    starts: dict[int, list[reads.ContractStart]] = defaultdict(list)
    for start in reads.contracts_starting(
        connection,
        accounts_ending=(month.first, last),
        starting=(month.first - RENEWAL_EARLIEST, last + RENEWAL_LATEST),
    ):
        starts[start.account_id].append(start)
    renewed = lost = 0
    for contract in due:
        if _is_renewed(contract, starts[contract.account_id]):
            renewed += 1
        elif contract.status in LOST_STATUSES:
            lost += 1
    return RenewalCounts(due=len(due), renewed=renewed, lost=lost, open=len(due) - renewed - lost)


def _is_renewed(contract: reads.DueContract, starts: Iterable[reads.ContractStart]) -> bool:
    if contract.status == "renewed" or (contract.auto_renew and contract.status == "active"):
        return True
    earliest, latest = contract.end_date - RENEWAL_EARLIEST, contract.end_date + RENEWAL_LATEST
    return any(s.id != contract.id and earliest <= s.start_date <= latest for s in starts)


def _first_value(pairs: list[tuple[date, date]]) -> FirstValue:
    # Time to first value is an onboarding measure: a long-standing customer whose recorded value points
    # only begin with its current contract would otherwise count as years of waiting.
    days = [
        (first_value - start_date).days
        for start_date, first_value in pairs
        if (first_value - start_date).days <= FIRST_VALUE_WITHIN_DAYS
    ]
    return FirstValue(accounts=len(days), median_days=float(statistics.median(days)) if days else None)


def _health(connection: Connection, month: Month, last: date) -> HealthShift:
    day, before_day = reads.latest_snapshot_days(
        connection, within=(month.first, last), up_to=month.previous().last
    )
    days = [d for d in (day, before_day) if d is not None]
    counts = reads.band_counts(connection, days) if days else {}
    moves: list[ScoreMove] = []
    if day is not None and before_day is not None:
        moves = [
            ScoreMove(p.account_id, p.external_id, p.name, p.before, p.after, p.after - p.before)
            for p in reads.biggest_score_changes(connection, before_day, day, MOVERS)
        ]
    return HealthShift(
        day=day,
        before_day=before_day,
        now=_sorted_bands(counts.get(day, {}) if day else {}),
        before=_sorted_bands(counts.get(before_day, {}) if before_day else {}),
        risers=heapq.nsmallest(
            MOVERS, (m for m in moves if m.change > 0), key=lambda m: (-m.change, m.name, m.account_id)
        ),
        fallers=heapq.nsmallest(
            MOVERS, (m for m in moves if m.change < 0), key=lambda m: (m.change, m.name, m.account_id)
        ),
    )


def _sorted_bands(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def _arr_by_csm(books: list[reads.CsmBook], members: dict[str, Person]) -> list[CsmArr]:
    rows = [
        CsmArr(
            email=book.csm_email,
            name=members[book.csm_email].name if book.csm_email in members else None,
            slack_user_id=members[book.csm_email].slack_user_id if book.csm_email in members else None,
            accounts=book.customers_at_end,
            arr=book.ending_arr,
        )
        for book in books
        if book.customers_at_end
    ]
    # The accounts without a CSM come after any CSM with the same ARR.
    return sorted(rows, key=lambda row: (-row.arr, row.email is None, row.email or ""))


def retention_trend(
    engine: Engine, month: Month, months: int = 12, *, through: date | None = None, since: date | None = None
) -> list[Retention]:
    """Starting ARR, NRR and GRR of the `months` months ending with `month`, oldest first. Months that
    end before `since` (the first day of data) have no figures: nothing is known of them.

    Two queries whatever the span: current ARR per account, and the movements since the first month's
    start summed per month, account and kind; the rolling back happens here.
    """
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    span = [month]
    while len(span) < months:
        span.insert(0, span[0].previous())
    # Period i is span[i]; one more period holds everything after `month`, which still rolls ARR back.
    starts = [m.first for m in span] + [_last_counted(month, through) + timedelta(days=1)]
    with engine.connect() as connection:
        current = reads.current_arr(connection)
        sums = reads.movements_by_period(connection, starts)

    totals: list[dict[str, float]] = [defaultdict(float) for _ in starts]
    deltas: dict[int, list[float]] = {}
    for period, account_id, kind, delta in sums:
        totals[period][kind] += delta
        account_deltas = deltas.get(account_id)
        if account_deltas is None:
            account_deltas = deltas[account_id] = [0.0] * len(starts)
        account_deltas[period] += delta
    starting = _starting_arr(current, deltas, months)
    trend: list[Retention] = []
    for period, each in enumerate(span):
        if since is not None and each.last < since:
            trend.append(Retention(month=each, starting_arr=0.0, nrr=None, grr=None))
            continue
        nrr, grr = _retention(starting[period], _Movements.from_totals(totals[period]))
        trend.append(Retention(month=each, starting_arr=starting[period], nrr=nrr, grr=grr))
    return trend


def _starting_arr(current: dict[int, float], deltas: dict[int, list[float]], months: int) -> list[float]:
    """Total ARR at the start of each period, from current ARR and each account's deltas per period."""
    starting = [0.0] * months
    unmoved = 0.0
    for account_id, arr in current.items():
        account_deltas = deltas.get(account_id)
        if account_deltas is None:
            unmoved += arr if reads.has_arr(arr) else 0.0
            continue
        # From the open-ended last period back: after subtracting period i, `arr` is ARR at its start.
        for period in range(len(account_deltas) - 1, -1, -1):
            arr -= account_deltas[period]
            if period < months and arr > reads.MIN_ARR:
                starting[period] += arr
    return [total + unmoved for total in starting]


def figures_json(figures: MonthFigures) -> dict[str, Any]:
    """The figures as one JSON-ready dict: money rounded to cents, ratios as fractions to 4 decimals."""
    f = figures
    return {
        "month": str(f.month),
        "through": f.through.isoformat(),
        "partial": f.partial,
        "starting_arr": _money(f.starting_arr),
        "new_arr": _money(f.new_arr),
        "upsell_arr": _money(f.upsell_arr),
        "extension_arr": _money(f.extension_arr),
        "cross_sell_arr": _money(f.cross_sell_arr),
        "expansion_arr": _money(f.expansion_arr),
        "contraction_arr": _money(f.contraction_arr),
        "churned_arr": _money(f.churned_arr),
        "ending_arr": _money(f.ending_arr),
        "nrr": _ratio(f.nrr),
        "grr": _ratio(f.grr),
        "logo_churn_rate": _ratio(f.logo_churn_rate),
        "customers_at_start": f.customers_at_start,
        "customers_lost": f.customers_lost,
        "customers_at_end": f.customers_at_end,
        "renewals_due": f.renewals.due,
        "renewals_renewed": f.renewals.renewed,
        "renewals_lost": f.renewals.lost,
        "renewals_open": f.renewals.open,
        "value_points_due": f.value_points.due,
        "value_points_on_time": f.value_points.on_time,
        "value_points_on_time_rate": _ratio(f.value_points.rate),
        "first_value_accounts": f.first_value.accounts,
        "median_days_to_first_value": f.first_value.median_days,
        "health_day": _iso(f.health.day),
        "health_before_day": _iso(f.health.before_day),
        "health_now": dict(f.health.now),
        "health_before": dict(f.health.before),
        "risers": [_move_json(m) for m in f.health.risers],
        "fallers": [_move_json(m) for m in f.health.fallers],
        "arr_by_csm": [
            {
                "email": row.email,
                "name": row.name,
                "slack_user_id": row.slack_user_id,
                "accounts": row.accounts,
                "arr": _money(row.arr),
            }
            for row in f.arr_by_csm
        ],
        "absent": dict(f.absent),
    }


def _money(amount: float) -> float:
    # Rounding a tiny negative amount gives -0.0; adding 0.0 makes it 0.0.
    return round(amount, 2) + 0.0


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4) + 0.0


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _move_json(move: ScoreMove) -> dict[str, Any]:
    return {
        "account_id": move.account_id,
        "external_id": move.external_id,
        "name": move.name,
        "before": round(move.before, 2),
        "after": round(move.after, 2),
        "change": round(move.change, 2),
    }


def year_json(year: YearRetention) -> dict[str, Any]:
    """The twelve-month cohort figures, for the same JSON object as `figures_json`."""
    return {
        "nrr_12m": None if year.nrr is None else round(year.nrr, 4),
        "grr_12m": None if year.grr is None else round(year.grr, 4),
        "cohort_12m_from": str(year.first_month),
        "cohort_12m_customers": year.customers,
        "cohort_12m_starting_arr": round(year.starting_arr, 2),
        "cohort_12m_ending_arr": round(year.ending_arr, 2),
    }
