"""Scoring rules, with figures worked out by hand: thresholds and weighting are pure; the windows and
aggregates are computed by the real refresh (grouped SQL) on an account written for each case."""

from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.config import load_config
from domain.health.card import drags, sample_days, strongest
from domain.health.refresh import refresh_snapshots
from domain.health.scorecard import HealthConfig, Measure, Threshold
from domain.health.scoring import MeasureResult
from storage.models import HealthSnapshot, MetricObservation, Milestone
from tests.factories import add_account

DAY = date(2026, 11, 23)
_NUMBERS = count(1)


def measure(**fields: object) -> Measure:
    base: dict[str, object] = {
        "id": "m",
        "group": "adoption",
        "metric": "x",
        "weight": 1,
        "thresholds": [{"at_least": 10, "score": 100}, {"at_least": 5, "score": 50}, {"score": 0}],
    }
    return Measure.model_validate(base | fields)


def config_of(*measures: Measure, min_measures: int = 1) -> HealthConfig:
    return HealthConfig.model_validate(
        {
            "scorecards": {
                "default": {"min_measures": min_measures, "measures": [m.model_dump() for m in measures]}
            }
        }
    )


def days_ago(n: int) -> date:
    return DAY - timedelta(days=n)


def scored(
    engine: Engine,
    config: HealthConfig,
    series: dict[str, list[tuple[date, float]]] | None = None,
    *,
    seats: int | None = 10,
    segment: str | None = None,
    milestones: list[tuple[date, date | None]] = (),  # type: ignore[assignment]
    day: date = DAY,
) -> HealthSnapshot:
    """One account with these observations and value points, refreshed for `day`: its stored snapshot."""
    with Session(engine) as session:
        account = add_account(session, f"S-{next(_NUMBERS)}", "Scored Co", seats=seats, segment=segment)
        for metric, rows in (series or {}).items():
            for observed_on, value in rows:
                session.add(
                    MetricObservation(
                        account_id=account.id, metric=metric, observed_on=observed_on, value=value
                    )
                )
        for number, (due, achieved) in enumerate(milestones):
            session.add(
                Milestone(account_id=account.id, name=f"point {number}", due_date=due, achieved_date=achieved)
            )
        session.commit()
        account_id = account.id
    refresh_snapshots(engine, config, [day], account_ids=[account_id])  # type: ignore[list-item]
    with Session(engine) as session:
        snapshot = session.exec(
            select(HealthSnapshot).where(HealthSnapshot.account_id == account_id, HealthSnapshot.day == day)
        ).scalar_one()
        session.expunge(snapshot)
    return snapshot


def value_of(snapshot: HealthSnapshot) -> float | None:
    return snapshot.measures[0]["value"]


@pytest.mark.parametrize(("value", "score"), [(12, 100), (10, 100), (9.99, 50), (5, 50), (4, 0)])
def test_first_matching_threshold_wins(value: float, score: float) -> None:
    assert measure().score_for(value) == score


def test_at_most_thresholds_score_lower_is_better() -> None:
    lower = measure(thresholds=[{"at_most": 1, "score": 100}, {"at_most": 5, "score": 40}, {"score": 0}])
    assert [lower.score_for(v) for v in (0, 1, 2, 5, 6)] == [100, 100, 40, 40, 0]


def test_window_ignores_observations_outside_it(engine: Engine) -> None:
    series = {"x": [(days_ago(31), 100.0), (days_ago(30), 100.0), (days_ago(29), 6.0), (days_ago(1), 8.0)]}
    # A 30-day window ending today starts 29 days ago: 100 (31 and 30 days ago) is outside it.
    snapshot = scored(engine, config_of(measure(aggregate="average", window_days=30)), series)
    assert value_of(snapshot) == 7.0 and snapshot.measures[0]["score"] == 50


def test_observations_after_the_scored_day_are_not_seen(engine: Engine) -> None:
    series = {"x": [(days_ago(3), 12.0), (DAY + timedelta(days=1), 0.0)]}
    assert value_of(scored(engine, config_of(measure()), series)) == 12.0


@pytest.mark.parametrize(
    ("aggregate", "expected"), [("latest", 3.0), ("sum", 12.0), ("max", 6.0), ("average", 4.0)]
)
def test_aggregates(engine: Engine, aggregate: str, expected: float) -> None:
    series = {"x": [(days_ago(5), 3.0), (days_ago(4), 6.0), (days_ago(2), 3.0)]}
    assert value_of(scored(engine, config_of(measure(aggregate=aggregate)), series)) == expected


def test_two_windows_of_one_metric_are_each_their_own(engine: Engine) -> None:
    week = measure(id="week", aggregate="sum", window_days=7)
    quarter = measure(id="quarter", aggregate="sum", window_days=90)
    last = measure(id="last", aggregate="latest", window_days=7)
    series = {"x": [(days_ago(60), 100.0), (days_ago(10), 20.0), (days_ago(6), 2.0), (days_ago(1), 1.0)]}
    snapshot = scored(engine, config_of(week, quarter, last), series)
    assert [m["value"] for m in snapshot.measures] == [3.0, 123.0, 1.0]


def test_latest_keeps_the_exact_value(engine: Engine) -> None:
    series = {"x": [(days_ago(2), 0.1 + 0.2), (days_ago(9), 5.0)]}
    assert value_of(scored(engine, config_of(measure(aggregate="latest")), series)) == 0.1 + 0.2


def test_days_since_counts_from_the_last_observation(engine: Engine) -> None:
    series = {"x": [(days_ago(40), 1.0), (days_ago(12), 1.0)]}
    snapshot = scored(engine, config_of(measure(aggregate="days_since", window_days=90)), series)
    assert value_of(snapshot) == 12.0


def test_per_seat_divides_by_seats_and_without_seats_there_is_no_data(engine: Engine) -> None:
    series = {"x": [(DAY, 30.0)]}
    assert value_of(scored(engine, config_of(measure(per_seat=True)), series, seats=60)) == 0.5
    no_seats = scored(engine, config_of(measure(per_seat=True)), series, seats=None).measures[0]
    assert no_seats["value"] is None and no_seats["score"] is None


def test_value_points_count_only_those_due_in_the_window(engine: Engine) -> None:
    milestones = [
        (days_ago(100), days_ago(101)),  # on time
        (days_ago(50), days_ago(40)),  # late
        (days_ago(10), None),  # missed
        (DAY + timedelta(days=10), None),  # not due yet: ignored
        (days_ago(400), days_ago(400)),  # outside the window: ignored
    ]
    on_time = measure(source="milestones", metric=None, window_days=365)
    assert value_of(scored(engine, config_of(on_time), milestones=milestones)) == pytest.approx(1 / 3)


def test_a_measure_without_data_is_left_out_of_the_weighting_never_zero(engine: Engine) -> None:
    config = config_of(
        measure(id="a", metric="a", weight=3),
        measure(id="b", metric="b", weight=1),
        measure(id="c", metric="c", weight=6),
    )
    series = {"a": [(DAY, 12.0)], "b": [(DAY, 6.0)]}  # a → 100, b → 50, c has no data
    snapshot = scored(engine, config, series)
    assert snapshot.score == pytest.approx((3 * 100 + 1 * 50) / 4)  # 87.5, not (350 + 0) / 10
    assert [m["score"] for m in snapshot.measures] == [100, 50, None]
    assert snapshot.band == "green"


def test_no_data_at_all_gives_no_score_and_the_no_data_band(engine: Engine) -> None:
    snapshot = scored(engine, load_config().health)
    assert snapshot.score is None and snapshot.band == "no_data"
    assert all(m["score"] is None for m in snapshot.measures)


@pytest.mark.parametrize(
    ("score", "band"), [(0, "red"), (49.9, "red"), (50, "yellow"), (74.9, "yellow"), (75, "green")]
)
def test_default_bands(score: float, band: str) -> None:
    assert load_config().health.band_for(score) == band


def test_segments_get_their_own_scorecard() -> None:
    health = load_config().health
    enterprise = health.scorecard_for("Enterprise")
    assert enterprise.name == "enterprise"
    weights = {m.id: m.weight for m in enterprise.measures}
    assert weights["value_points_on_time"] == 25 and weights["nps"] == 15  # overridden, inherited
    assert health.scorecard_for("smb").name == "default"
    assert health.scorecard_for(None).name == "default"


def test_drags_rank_by_points_lost_and_strongest_is_the_best_scored() -> None:
    results = [
        MeasureResult("a", "adoption", 50, 0.1, 20),  # loses 50/100 · 80 = 40
        MeasureResult("b", "support", 30, 9, 50),  # loses 30/100 · 50 = 15
        MeasureResult("c", "advocacy", 20, 60, 100),  # loses nothing
        MeasureResult("d", "outcomes", 10, None, None),  # no data: not a drag
    ]
    assert [(d.measure.id, d.points_lost) for d in drags(results)] == [("a", 40.0), ("b", 15.0)]
    assert strongest(results).id == "c"  # type: ignore[union-attr]


def test_sparkline_days_run_from_the_baseline_to_today() -> None:
    assert sample_days(DAY, 30) == [days_ago(n) for n in (30, 25, 20, 15, 10, 5, 0)]


def test_threshold_without_bounds_matches_everything() -> None:
    assert Threshold(score=10).matches(-1e9)


def test_one_measure_of_seven_is_not_a_score_under_the_shipped_minimum(engine: Engine) -> None:
    health = load_config().health
    assert health.scorecard_for(None).min_measures == 3
    assert health.scorecard_for("enterprise").min_measures == 3  # inherited through `extends`
    one = scored(engine, health, {"nps": [(DAY, 60.0)]})
    assert one.score is None and one.band == "no_data"
    assert [m["id"] for m in one.measures if m["score"] is not None] == ["nps"]  # the figure is kept
    three = scored(
        engine, health, {"nps": [(DAY, 60.0)], "open_tickets": [(DAY, 1.0)], "touch": [(days_ago(3), 1.0)]}
    )
    assert three.score == 100 and three.band == "green"


def test_a_minimum_above_the_number_of_measures_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="needs 3 measures with data but has only 2"):
        HealthConfig.model_validate(
            {
                "scorecards": {
                    "default": {
                        "min_measures": 3,
                        "measures": [measure(id="a").model_dump(), measure(id="b").model_dump()],
                    }
                }
            }
        )


def test_the_strongest_measure_never_repeats_a_drag() -> None:
    only = [MeasureResult("a", "adoption", 50, 0.1, 20), MeasureResult("b", "support", 30, None, None)]
    assert strongest(only) is None  # the single measure with data is the drag
    both_lose = [MeasureResult("a", "adoption", 50, 0.1, 20), MeasureResult("b", "support", 30, 9, 50)]
    assert strongest(both_lose) is None
    one_full = [*both_lose, MeasureResult("c", "advocacy", 20, 60, 100)]
    assert strongest(one_full).id == "c"  # type: ignore[union-attr]
