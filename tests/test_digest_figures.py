"""The monthly KPI figures behind the success digest, checked by hand on a small book for October 2026.

Current ARR and revenue movements (ARR on Oct 1 = current − movements dated Oct 1 or later; ARR at the
end = current − movements dated Nov 1 or later):

| account (CSM)        | now     | movements (MM-DD, 2026)                          | Oct 1   | end     |
|----------------------|---------|--------------------------------------------------|---------|---------|
| A-1 Alpha (Emily)    | 110,000 | upsell +20,000 10-01, downsell −10,000 10-31     | 100,000 | 110,000 |
| A-2 Bravo (Emily)    |  65,000 | cross-sell +5,000 10-15, extension +10,000 11-01 |  50,000 |  55,000 |
| A-3 Charlie (Misaki) |       0 | churn −30,000 10-20 (status churned)             |  30,000 |       0 |
| A-4 Delta (no CSM)   |  25,000 | churn −40,000 07-10; back: new +25,000 10-05     |       0 |  25,000 |
| A-5 Echo (Misaki)    |  15,000 | churn −20,000 10-08; back: new +15,000 10-25     |  20,000 |  15,000 |
| A-6 Foxtrot (Misaki) |  37,000 | downsell −2,000 09-30, extension +7,000 10-12    |  30,000 |  37,000 |
| A-7 Golf (nobody@)   |  10,000 | new +10,000 03-01                                |  10,000 |  10,000 |
| A-8 Hotel (no CSM)   |  12,000 | new +12,000 11-03                                |       0 |       0 |
| A-9 Prospect         |       0 | none                                             |       0 |       0 |

Starting ARR 240,000 over 6 customers (not Delta: it had churned and came back in October; not Hotel).
New 40,000 (Delta 25,000 + Echo 15,000). Expansion 32,000 (upsell 20,000, extension 7,000, cross-sell
5,000; Bravo's extension on Nov 1 is November's). Contraction 10,000. Churned 50,000 (Charlie, Echo).
Ending 252,000 over 6 customers = 240,000 + 40,000 + 32,000 − 10,000 − 50,000.
NRR = (240,000 + 32,000 − 10,000 − 50,000) / 240,000 = 212,000 / 240,000 = 0.88333 → 0.8833.
GRR = 180,000 / 240,000 = 0.75. Logo churn: Charlie and Echo of 6 = 0.3333.
ARR per CSM at the end: Emily 165,000 (2), Misaki 52,000 (2), no CSM 25,000 (1), nobody@ 10,000 (1).

Renewals due in October (8): renewed 5 = Alpha (status renewed), Bravo (successor starts 36 days after),
Foxtrot (auto-renew, active), Echo (cancelled, but a successor starts 17 days after: renewed wins),
Delta (successor starts exactly 30 days before); lost 1 = Charlie (churned, auto-renew does not save it);
open 2 = Golf (successor 46 days after: too late), Hotel (successor 31 days before: too early).

Value points due in October (4): Alpha kickoff achieved on its due day (on time), Alpha adoption achieved
two days late, Bravo kickoff never achieved, Foxtrot report achieved early (on time) → 2 of 4 = 0.5.

First value in October (earliest achieved milestone, with a start date): Golf 5 days (10-01 → 10-06),
Alpha 39 (09-01 → 10-10), Delta 91 (08-01 → 10-31), Hotel 136 (06-15 → 10-29); median of four =
(39 + 91) / 2 = 65. Not counted: Foxtrot (first value 09-15), Echo (no start date).

Health, latest snapshot in October 10-31 against 09-30 (10-15, 09-25 and 11-05 also hold snapshots):
Alpha 60 → 85 (+25), Hotel 55 → 75 (+20), Delta 30 → 45 (+15), Echo 50 → 60 (+10), Bravo 70 → 50 (−20),
Foxtrot 80 → 60 (−20), Charlie 40 → 10 (churned: not a mover), Golf unscored → 70 (not a mover).
Risers: Alpha, Hotel, Delta (Echo is fourth). Fallers: Bravo then Foxtrot (a tie, by name).
Bands on 10-31: green 3, yellow 3, red 2; on 09-30: yellow 3, green 2, red 2, grey 1.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from domain.digest import (
    CsmArr,
    FirstValue,
    Month,
    RenewalCounts,
    ValuePoints,
    figures_json,
    month_figures,
    retention_trend,
    year_json,
    year_retention,
)
from storage.models import Contract, HealthSnapshot, Milestone, RevenueMovement, TeamMember
from tests.factories import add_account

OCTOBER = Month(2026, 10)
EMILY = "emily@example.com"
MISAKI = "misaki@example.com"
NOBODY = "nobody@example.com"


def build_october(engine: Engine) -> dict[str, int]:
    """The book described in the module docstring; returns account ids by short name."""
    with Session(engine) as session:
        session.add(TeamMember(email=EMILY, name="Emily Stone", role="csm", slack_user_id="U0EMILY"))
        session.add(TeamMember(email=MISAKI, name="佐藤 美咲", role="csm", slack_user_id="U0MISAKI"))
        accounts = {
            "alpha": add_account(
                session, "A-1", "Alpha", arr=110_000, csm_email=EMILY, start_date=date(2026, 9, 1)
            ),
            "bravo": add_account(session, "A-2", "Bravo", arr=65_000, csm_email=EMILY),
            "charlie": add_account(session, "A-3", "Charlie", arr=0, csm_email=MISAKI, status="churned"),
            "delta": add_account(session, "A-4", "Delta", arr=25_000, start_date=date(2026, 8, 1)),
            "echo": add_account(session, "A-5", "Echo", arr=15_000, csm_email=MISAKI),
            "foxtrot": add_account(
                session, "A-6", "Foxtrot", arr=37_000, csm_email=MISAKI, start_date=date(2026, 6, 1)
            ),
            "golf": add_account(
                session, "A-7", "Golf", arr=10_000, csm_email=NOBODY, start_date=date(2026, 10, 1)
            ),
            "hotel": add_account(session, "A-8", "Hotel", arr=12_000, start_date=date(2026, 6, 15)),
            "prospect": add_account(session, "A-9", "Prospect", arr=0),
        }
        ids: dict[str, int] = {name: account.id for name, account in accounts.items()}  # type: ignore[misc]

        for name, day, kind, delta in (
            ("alpha", date(2026, 10, 1), "upsell", 20_000),
            ("alpha", date(2026, 10, 31), "downsell", -10_000),
            ("bravo", date(2026, 10, 15), "cross_sell", 5_000),
            ("bravo", date(2026, 11, 1), "extension", 10_000),
            ("charlie", date(2026, 10, 20), "churn", -30_000),
            ("delta", date(2026, 7, 10), "churn", -40_000),
            ("delta", date(2026, 10, 5), "new", 25_000),
            ("echo", date(2026, 10, 8), "churn", -20_000),
            ("echo", date(2026, 10, 25), "new", 15_000),
            ("foxtrot", date(2026, 9, 30), "downsell", -2_000),
            ("foxtrot", date(2026, 10, 12), "extension", 7_000),
            ("golf", date(2026, 3, 1), "new", 10_000),
            ("hotel", date(2026, 11, 3), "new", 12_000),
        ):
            session.add(RevenueMovement(account_id=ids[name], moved_on=day, kind=kind, arr_delta=delta))

        for external_id, name, start, end, fields in (
            ("C-A1", "alpha", date(2025, 11, 1), date(2026, 10, 31), {"status": "renewed"}),
            ("C-B1", "bravo", date(2025, 10, 16), date(2026, 10, 15), {}),
            ("C-B2", "bravo", date(2026, 11, 20), date(2027, 11, 19), {}),
            (
                "C-C1",
                "charlie",
                date(2025, 10, 21),
                date(2026, 10, 20),
                {"status": "churned", "auto_renew": True},
            ),
            ("C-D1", "delta", date(2025, 10, 2), date(2026, 10, 1), {}),
            ("C-D2", "delta", date(2026, 9, 1), date(2027, 8, 31), {}),
            ("C-E1", "echo", date(2025, 10, 9), date(2026, 10, 8), {"status": "cancelled"}),
            ("C-E2", "echo", date(2026, 10, 25), date(2027, 10, 24), {}),
            ("C-F1", "foxtrot", date(2025, 10, 11), date(2026, 10, 10), {"auto_renew": True}),
            ("C-F0", "foxtrot", date(2024, 11, 1), date(2026, 11, 1), {}),  # ends the day after: not due
            ("C-G1", "golf", date(2025, 11, 1), date(2026, 10, 31), {}),
            ("C-G2", "golf", date(2026, 12, 16), date(2027, 12, 15), {}),
            ("C-H1", "hotel", date(2025, 10, 6), date(2026, 10, 5), {}),
            ("C-H2", "hotel", date(2026, 9, 4), date(2027, 9, 3), {}),
            ("C-H0", "hotel", date(2024, 10, 1), date(2026, 9, 30), {}),  # ends the day before: not due
        ):
            session.add(
                Contract(
                    external_id=external_id,
                    account_id=ids[name],
                    start_date=start,
                    end_date=end,
                    **fields,  # type: ignore[arg-type]
                )
            )

        for name, milestone, due, achieved in (
            ("alpha", "Kickoff", date(2026, 10, 10), date(2026, 10, 10)),
            ("alpha", "Adoption", date(2026, 10, 31), date(2026, 11, 2)),
            ("bravo", "Kickoff", date(2026, 10, 1), None),
            ("foxtrot", "Report", date(2026, 10, 20), date(2026, 9, 15)),
            ("foxtrot", "Other", date(2026, 11, 1), date(2026, 10, 5)),
            ("echo", "Kickoff", date(2026, 9, 30), date(2026, 10, 3)),
            ("delta", "Go live", date(2026, 12, 1), date(2026, 10, 31)),
            ("golf", "Kickoff", date(2026, 12, 31), date(2026, 10, 6)),
            ("hotel", "Kickoff", date(2026, 11, 15), date(2026, 10, 29)),
        ):
            session.add(Milestone(account_id=ids[name], name=milestone, due_date=due, achieved_date=achieved))

        for name, before, after in (
            ("alpha", (60.0, "yellow"), (85.0, "green")),
            ("bravo", (70.0, "green"), (50.0, "yellow")),
            ("charlie", (40.0, "red"), (10.0, "red")),
            ("delta", (30.0, "red"), (45.0, "red")),
            ("echo", (50.0, "yellow"), (60.0, "yellow")),
            ("foxtrot", (80.0, "green"), (60.0, "yellow")),
            ("golf", (None, "grey"), (70.0, "green")),
            ("hotel", (55.0, "yellow"), (75.0, "green")),
        ):
            for day, (score, band) in ((date(2026, 9, 30), before), (date(2026, 10, 31), after)):
                session.add(
                    HealthSnapshot(account_id=ids[name], day=day, score=score, band=band, scorecard="default")
                )
        # Other days that must not be picked: earlier in each month, and after October.
        for day, score in ((date(2026, 9, 25), 0.0), (date(2026, 10, 15), 100.0), (date(2026, 11, 5), 100.0)):
            session.add(
                HealthSnapshot(account_id=ids["alpha"], day=day, score=score, band="x", scorecard="default")
            )
        session.commit()
    return ids


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return build_october(engine)


def test_arr_bridge_counts_both_ends_of_the_month_and_rolls_back_later_movements(
    engine: Engine, ids: dict[str, int]
) -> None:
    f = month_figures(engine, OCTOBER)
    assert f.month == OCTOBER
    assert f.starting_arr == 240_000 and f.customers_at_start == 6
    assert f.new_arr == 40_000
    assert (f.upsell_arr, f.extension_arr, f.cross_sell_arr) == (20_000, 7_000, 5_000)
    assert f.expansion_arr == 32_000
    assert f.contraction_arr == 10_000 and f.churned_arr == 50_000
    assert f.ending_arr == 252_000 and f.customers_at_end == 6
    assert f.ending_arr == f.starting_arr + f.new_arr + f.expansion_arr - f.contraction_arr - f.churned_arr


def test_retention_ratios_and_logo_churn(engine: Engine, ids: dict[str, int]) -> None:
    f = month_figures(engine, OCTOBER)
    assert f.nrr == pytest.approx(212_000 / 240_000)
    assert f.grr == pytest.approx(0.75)
    assert f.customers_lost == 2
    assert f.logo_churn_rate == pytest.approx(2 / 6)
    assert f.absent == {}


def test_renewals_by_status_successor_and_auto_renew(engine: Engine, ids: dict[str, int]) -> None:
    assert month_figures(engine, OCTOBER).renewals == RenewalCounts(due=8, renewed=5, lost=1, open=2)


def test_value_points_and_time_to_first_value(engine: Engine, ids: dict[str, int]) -> None:
    f = month_figures(engine, OCTOBER)
    assert f.value_points == ValuePoints(due=4, on_time=2, rate=0.5)
    assert f.first_value == FirstValue(accounts=4, median_days=65.0)


def test_health_distribution_and_biggest_movers(engine: Engine, ids: dict[str, int]) -> None:
    health = month_figures(engine, OCTOBER).health
    assert (health.day, health.before_day) == (date(2026, 10, 31), date(2026, 9, 30))
    assert health.now == {"green": 3, "red": 2, "yellow": 3}
    assert health.before == {"green": 2, "grey": 1, "red": 2, "yellow": 3}
    assert [(m.name, m.before, m.after, m.change) for m in health.risers] == [
        ("Alpha", 60, 85, 25),
        ("Hotel", 55, 75, 20),
        ("Delta", 30, 45, 15),
    ]
    assert [(m.name, m.change) for m in health.fallers] == [("Bravo", -20), ("Foxtrot", -20)]
    assert health.risers[0].account_id == ids["alpha"] and health.risers[0].external_id == "A-1"


def test_arr_per_csm_at_the_end_of_the_month(engine: Engine, ids: dict[str, int]) -> None:
    assert month_figures(engine, OCTOBER).arr_by_csm == [
        CsmArr(email=EMILY, name="Emily Stone", slack_user_id="U0EMILY", accounts=2, arr=165_000),
        CsmArr(email=MISAKI, name="佐藤 美咲", slack_user_id="U0MISAKI", accounts=2, arr=52_000),
        CsmArr(email=None, name=None, slack_user_id=None, accounts=1, arr=25_000),
        CsmArr(email=NOBODY, name=None, slack_user_id=None, accounts=1, arr=10_000),
    ]


def test_november_takes_the_day_after_and_compares_health_with_october(
    engine: Engine, ids: dict[str, int]
) -> None:
    """November: Bravo's extension (11-01) and Hotel's new ARR (11-03) are November's; the snapshot of 11-05
    is the latest in the month, against October's last one (10-31)."""
    f = month_figures(engine, OCTOBER.next())
    assert f.starting_arr == 252_000 and f.extension_arr == 10_000 and f.new_arr == 12_000
    assert f.ending_arr == 274_000 and f.customers_at_end == 7
    assert (f.health.day, f.health.before_day) == (date(2026, 11, 5), date(2026, 10, 31))
    assert f.health.now == {"x": 1}
    # Alpha alone has a score on both days: 85 → 100.
    assert [(m.name, m.change) for m in f.health.risers] == [("Alpha", 15)] and f.health.fallers == []


def test_a_month_with_no_paying_customer_at_the_start_has_no_ratios_and_says_why(engine: Engine) -> None:
    """The first customer signs on the first of the month: 0 at the start, 10,000 new, 10,000 at the end."""
    with Session(engine) as session:
        first = add_account(session, "A-1", "First Customer", arr=10_000)
        session.add(
            RevenueMovement(account_id=first.id, moved_on=date(2026, 10, 1), kind="new", arr_delta=10_000)
        )
        session.commit()
    f = month_figures(engine, OCTOBER)
    assert (f.starting_arr, f.customers_at_start, f.new_arr, f.ending_arr) == (0, 0, 10_000, 10_000)
    assert f.nrr is None and f.grr is None and f.logo_churn_rate is None
    assert f.value_points == ValuePoints(due=0, on_time=0, rate=None)
    assert f.first_value == FirstValue(accounts=0, median_days=None)
    assert f.health.day is None and f.health.now == {} and f.health.risers == []
    assert f.absent == {
        "nrr": "no_starting_arr",
        "grr": "no_starting_arr",
        "logo_churn_rate": "no_customers_at_start",
        "value_points_on_time_rate": "no_value_points_due",
        "median_days_to_first_value": "no_first_value",
        "health": "no_health_data",
    }
    data = figures_json(f)
    assert data["nrr"] is None and data["grr"] is None and data["logo_churn_rate"] is None
    assert data["contraction_arr"] == 0 and json.dumps(data).count("-0.0") == 0
    assert data["absent"]["nrr"] == "no_starting_arr"
    assert retention_trend(engine, OCTOBER, 2)[-1].nrr is None


def test_an_empty_database_raises_nothing(engine: Engine) -> None:
    f = month_figures(engine, OCTOBER)
    assert f.renewals == RenewalCounts(0, 0, 0, 0) and f.arr_by_csm == []
    assert set(f.absent) == {
        "nrr",
        "grr",
        "logo_churn_rate",
        "value_points_on_time_rate",
        "median_days_to_first_value",
        "health",
    }
    assert [r.starting_arr for r in retention_trend(engine, OCTOBER, 3)] == [0, 0, 0]


def test_arr_rolled_below_zero_is_no_customer_and_a_churn_the_day_after_is_next_months(
    engine: Engine,
) -> None:
    """Juliet's history is partial: 1,000 now after an upsell of 3,000 on 10-10 would make it −2,000 on Oct 1,
    which is no customer. Kilo churns 5,000 on 11-01, the day after October.
    October: 5,000 at the start (Kilo), none lost, NRR = (5,000 + 3,000) / 5,000 = 1.6; 6,000 at the end.
    November: 6,000 at the start, Kilo lost (1 of 2), NRR = GRR = 1,000 / 6,000."""
    with Session(engine) as session:
        juliet = add_account(session, "A-10", "Juliet", arr=1_000)
        kilo = add_account(session, "A-11", "Kilo", arr=0)
        session.add(
            RevenueMovement(account_id=juliet.id, moved_on=date(2026, 10, 10), kind="upsell", arr_delta=3_000)
        )
        session.add(
            RevenueMovement(account_id=kilo.id, moved_on=date(2026, 11, 1), kind="churn", arr_delta=-5_000)
        )
        session.commit()
    october, november = month_figures(engine, OCTOBER), month_figures(engine, OCTOBER.next())
    assert (october.starting_arr, october.customers_at_start, october.customers_lost) == (5_000, 1, 0)
    assert october.nrr == pytest.approx(1.6) and october.logo_churn_rate == 0
    assert (october.ending_arr, october.customers_at_end) == (6_000, 2)
    assert (november.starting_arr, november.customers_lost, november.logo_churn_rate) == (6_000, 1, 0.5)
    assert november.nrr == pytest.approx(1_000 / 6_000) and november.churned_arr == 5_000
    trend = retention_trend(engine, OCTOBER.next(), 3)
    assert [r.starting_arr for r in trend] == [5_000, 5_000, 6_000]
    assert trend[1].nrr == pytest.approx(1.6) and trend[2].grr == pytest.approx(1_000 / 6_000)


@contextmanager
def counted_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_retention_trend_agrees_with_month_figures_over_a_year(engine: Engine, ids: dict[str, int]) -> None:
    """July, worked by hand: every account before October's movements and Foxtrot's 09-30 downsell, with
    Delta still paying 40,000 and Golf already back: 100 + 50 + 30 + 40 + 20 + 32 + 10 = 282,000; Delta's
    churn of 40,000 makes NRR = GRR = 242,000 / 282,000. Before March Golf (new on 03-01) was not paying."""
    with counted_queries(engine) as statements:
        trend = retention_trend(engine, OCTOBER)
    assert len(statements) == 2
    assert [str(r.month) for r in trend] == [str(m) for m in _months(Month(2025, 11), 12)]
    for point in trend:
        f = month_figures(engine, point.month)
        assert point.starting_arr == pytest.approx(f.starting_arr), point.month
        assert point.nrr == pytest.approx(f.nrr) and point.grr == pytest.approx(f.grr), point.month
    by_month = {str(r.month): r for r in trend}
    assert by_month["2026-07"].starting_arr == 282_000
    assert by_month["2026-07"].nrr == pytest.approx(242_000 / 282_000) == by_month["2026-07"].grr
    assert by_month["2026-02"].starting_arr == 272_000 and by_month["2026-03"].starting_arr == 272_000
    assert by_month["2026-04"].starting_arr == 282_000
    assert by_month["2026-10"].nrr == pytest.approx(212_000 / 240_000)
    with counted_queries(engine) as statements:
        assert len(retention_trend(engine, OCTOBER, 24)) == 24
    assert len(statements) == 2


def _months(first: Month, count: int) -> list[Month]:
    months = [first]
    while len(months) < count:
        months.append(months[-1].next())
    return months


def test_figures_json_is_flat_rounded_and_serialisable(engine: Engine, ids: dict[str, int]) -> None:
    data = figures_json(month_figures(engine, OCTOBER))
    assert json.loads(json.dumps(data)) == data
    assert data["month"] == "2026-10"
    assert data["nrr"] == 0.8833 and data["grr"] == 0.75 and data["logo_churn_rate"] == 0.3333
    assert data["starting_arr"] == 240_000 and data["ending_arr"] == 252_000
    assert (data["contraction_arr"], data["churned_arr"]) == (10_000, 50_000)
    assert (data["renewals_due"], data["renewals_renewed"], data["renewals_lost"], data["renewals_open"]) == (
        8,
        5,
        1,
        2,
    )
    assert (data["value_points_due"], data["value_points_on_time"], data["value_points_on_time_rate"]) == (
        4,
        2,
        0.5,
    )
    assert (data["first_value_accounts"], data["median_days_to_first_value"]) == (4, 65.0)
    assert (data["health_day"], data["health_before_day"]) == ("2026-10-31", "2026-09-30")
    assert data["health_now"] == {"green": 3, "red": 2, "yellow": 3}
    assert [r["name"] for r in data["risers"]] == ["Alpha", "Hotel", "Delta"]
    assert data["fallers"][0] == {
        "account_id": ids["bravo"],
        "external_id": "A-2",
        "name": "Bravo",
        "before": 70.0,
        "after": 50.0,
        "change": -20.0,
    }
    assert data["arr_by_csm"][2] == {
        "email": None,
        "name": None,
        "slack_user_id": None,
        "accounts": 1,
        "arr": 25_000,
    }
    assert data["absent"] == {}
    expected = {
        "month", "starting_arr", "new_arr", "upsell_arr", "extension_arr", "cross_sell_arr", "expansion_arr",
        "contraction_arr", "churned_arr", "ending_arr", "nrr", "grr", "logo_churn_rate", "customers_at_start",
        "customers_lost", "customers_at_end", "renewals_due", "renewals_renewed", "renewals_lost",
        "renewals_open", "value_points_due", "value_points_on_time", "value_points_on_time_rate",
        "first_value_accounts", "median_days_to_first_value", "health_day", "health_before_day", "health_now",
        "health_before", "risers", "fallers", "arr_by_csm", "absent",
    }  # fmt: skip
    assert expected <= set(data)


def test_money_in_json_is_rounded_to_cents(engine: Engine) -> None:
    with Session(engine) as session:
        account = add_account(session, "A-1", "Cents", arr=1_000.123)
        session.add(
            RevenueMovement(account_id=account.id, moved_on=date(2026, 10, 2), kind="upsell", arr_delta=0.456)
        )
        session.commit()
    data = figures_json(month_figures(engine, OCTOBER))
    assert (data["starting_arr"], data["upsell_arr"], data["ending_arr"]) == (999.67, 0.46, 1_000.12)
    assert data["nrr"] == round((999.667 + 0.456) / 999.667, 4)


# --- Month ----------------------------------------------------------------------------------------------


def test_month_parses_and_prints_yyyy_mm() -> None:
    assert Month.parse("2026-10") == Month(2026, 10) and str(Month(2026, 10)) == "2026-10"
    assert str(Month(987, 3)) == "0987-03"
    assert Month.parse(" 2027-01 ") == Month(2027, 1)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", "2026-10-01", "", "0000-01"]
)
def test_month_parse_rejects_anything_else_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="expected YYYY-MM, got") as raised:
        Month.parse(text)
    assert repr(text) in str(raised.value)


def test_month_parse_message_names_the_text() -> None:
    with pytest.raises(ValueError) as raised:
        Month.parse("2026-13")
    assert str(raised.value) == "expected YYYY-MM, got '2026-13'"


def test_month_boundaries_years_and_leap_years() -> None:
    december = Month(2026, 12)
    assert december.next() == Month(2027, 1) and Month(2027, 1).previous() == december
    assert (december.first, december.last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert Month(2028, 2).last == date(2028, 2, 29) and Month(2026, 2).last == date(2026, 2, 28)
    assert Month(2000, 2).last == date(2000, 2, 29) and Month(2100, 2).last == date(2100, 2, 28)
    assert Month(2026, 4).last == date(2026, 4, 30)
    assert Month.containing(date(2028, 2, 29)) == Month(2028, 2)
    assert Month(2026, 9) < Month(2026, 10) < Month(2027, 1)
    assert sorted([Month(2027, 1), Month(2026, 12)]) == [Month(2026, 12), Month(2027, 1)]
    assert Month(2026, 10).last + timedelta(days=1) == Month(2026, 11).first


def test_month_refuses_impossible_months() -> None:
    with pytest.raises(ValueError, match="month must be between 1 and 12"):
        Month(2026, 13)
    with pytest.raises(ValueError, match="year"):
        Month(0, 1)


def test_time_to_first_value_counts_only_customers_in_their_first_year(engine: Engine) -> None:
    """A customer of three years whose recorded value points begin with this contract is not onboarding."""
    with Session(engine) as session:
        for external_id, started in (
            ("N-1", date(2026, 7, 1)),
            ("N-2", date(2025, 10, 31)),
            ("O-1", date(2023, 10, 1)),
        ):
            account = add_account(
                session, external_id, f"Account {external_id}", arr=1_000, start_date=started
            )
            session.add(
                Milestone(
                    account_id=account.id,
                    name="first",
                    due_date=date(2026, 10, 31),
                    achieved_date=date(2026, 10, 30),
                )
            )
        session.commit()
    # N-1: 121 days; N-2: 364 days (inside the year); O-1: over three years, left out.
    assert month_figures(engine, Month(2026, 10)).first_value == FirstValue(accounts=2, median_days=242.5)


def test_twelve_month_retention_follows_the_customers_paying_a_year_earlier(engine: Engine) -> None:
    """November 2025 to October 2026. P: 100k → 150k (upsell); Q: 50k → 40k (downsell); R: 30k → 0
    (churn); T: 55k → 55k (its upsell on 2026-11-03 is after the window); S joined in January and grew
    to 30k, so it is not in the cohort. Cohort 235k → 245k: NRR 245/235 = 1.0426; each capped at its
    start: 100 + 40 + 0 + 55 = 195k, GRR 195/235 = 0.8298."""
    moves = {
        "P": (150_000, [(date(2026, 3, 1), "upsell", 50_000)]),
        "Q": (40_000, [(date(2026, 6, 1), "downsell", -10_000)]),
        "R": (0, [(date(2026, 2, 1), "churn", -30_000)]),
        "S": (30_000, [(date(2026, 1, 10), "new", 20_000), (date(2026, 5, 1), "upsell", 10_000)]),
        "T": (60_000, [(date(2026, 11, 3), "upsell", 5_000)]),
    }
    with Session(engine) as session:
        for name, (arr, changes) in moves.items():
            account = add_account(session, name, f"Account {name}", arr=arr)
            for day, kind, delta in changes:
                session.add(RevenueMovement(account_id=account.id, moved_on=day, kind=kind, arr_delta=delta))
        session.commit()
    year = year_retention(engine, Month(2026, 10))
    assert (year.first_month, year.customers) == (Month(2025, 11), 4)
    assert (year.starting_arr, year.ending_arr) == (235_000, 245_000)
    assert json.loads(json.dumps(year_json(year)))["nrr_12m"] == 1.0426
    assert year_json(year)["grr_12m"] == 0.8298


def test_twelve_month_retention_is_absent_without_customers_a_year_earlier(engine: Engine) -> None:
    assert year_retention(engine, Month(2026, 10)).nrr is None
