"""Scoring rules, with figures worked out by hand. Pure functions: no database, no Slack."""

from datetime import date, timedelta

import pytest

from bot.config import load_config
from domain.health.card import drags, sample_days, strongest
from domain.health.scorecard import HealthConfig, Measure, Threshold
from domain.health.scoring import AccountFacts, MeasureResult, MilestoneFact, measure_account, score_account

DAY = date(2026, 11, 23)


def measure(**fields: object) -> Measure:
    base: dict[str, object] = {
        "id": "m",
        "group": "adoption",
        "metric": "x",
        "weight": 1,
        "thresholds": [{"at_least": 10, "score": 100}, {"at_least": 5, "score": 50}, {"score": 0}],
    }
    return Measure.model_validate(base | fields)


def facts(series: dict[str, list[tuple[date, float]]] | None = None, **fields: object) -> AccountFacts:
    return AccountFacts(
        account_id=1,
        segment=fields.pop("segment", None),
        seats=fields.pop("seats", 10),  # type: ignore[arg-type]
        series=series or {},
        **fields,
    )  # type: ignore[arg-type]


def days_ago(n: int) -> date:
    return DAY - timedelta(days=n)


@pytest.mark.parametrize(("value", "score"), [(12, 100), (10, 100), (9.99, 50), (5, 50), (4, 0)])
def test_first_matching_threshold_wins(value: float, score: float) -> None:
    assert measure().score_for(value) == score


def test_at_most_thresholds_score_lower_is_better() -> None:
    lower = measure(thresholds=[{"at_most": 1, "score": 100}, {"at_most": 5, "score": 40}, {"score": 0}])
    assert [lower.score_for(v) for v in (0, 1, 2, 5, 6)] == [100, 100, 40, 40, 0]


def test_window_ignores_observations_outside_it() -> None:
    series = {"x": [(days_ago(31), 100.0), (days_ago(29), 6.0), (days_ago(1), 8.0)]}
    result = measure_account(measure(aggregate="average", window_days=30), facts(series), DAY)
    assert result.value == 7.0 and result.score == 50


def test_observations_after_the_scored_day_are_not_seen() -> None:
    series = {"x": [(days_ago(3), 12.0), (DAY + timedelta(days=1), 0.0)]}
    assert measure_account(measure(), facts(series), DAY).value == 12.0


@pytest.mark.parametrize(
    ("aggregate", "expected"), [("latest", 3.0), ("sum", 12.0), ("max", 6.0), ("average", 4.0)]
)
def test_aggregates(aggregate: str, expected: float) -> None:
    series = {"x": [(days_ago(5), 3.0), (days_ago(4), 6.0), (days_ago(2), 3.0)]}
    assert measure_account(measure(aggregate=aggregate), facts(series), DAY).value == expected


def test_days_since_counts_from_the_last_observation() -> None:
    series = {"x": [(days_ago(40), 1.0), (days_ago(12), 1.0)]}
    result = measure_account(measure(aggregate="days_since", window_days=90), facts(series), DAY)
    assert result.value == 12.0


def test_per_seat_divides_by_seats_and_without_seats_there_is_no_data() -> None:
    series = {"x": [(DAY, 30.0)]}
    assert measure_account(measure(per_seat=True), facts(series, seats=60), DAY).value == 0.5
    no_seats = measure_account(measure(per_seat=True), facts(series, seats=None), DAY)
    assert no_seats.value is None and no_seats.score is None


def test_value_points_count_only_those_due_in_the_window() -> None:
    milestones = [
        MilestoneFact(days_ago(100), days_ago(101)),  # on time
        MilestoneFact(days_ago(50), days_ago(40)),  # late
        MilestoneFact(days_ago(10), None),  # missed
        MilestoneFact(DAY + timedelta(days=10), None),  # not due yet: ignored
        MilestoneFact(days_ago(400), days_ago(400)),  # outside the window: ignored
    ]
    on_time = measure(source="milestones", metric=None, window_days=365)
    result = measure_account(on_time, facts(milestones=milestones), DAY)
    assert result.value == pytest.approx(1 / 3)


def test_a_measure_without_data_is_left_out_of_the_weighting_never_zero() -> None:
    config = HealthConfig.model_validate(
        {
            "scorecards": {
                "default": {
                    "measures": [
                        measure(id="a", metric="a", weight=3).model_dump(),
                        measure(id="b", metric="b", weight=1).model_dump(),
                        measure(id="c", metric="c", weight=6).model_dump(),
                    ]
                }
            }
        }
    )
    series = {"a": [(DAY, 12.0)], "b": [(DAY, 6.0)]}  # a → 100, b → 50, c has no data
    result = score_account(config, facts(series), DAY)
    assert result.score == pytest.approx((3 * 100 + 1 * 50) / 4)  # 87.5, not (350 + 0) / 10
    assert [m.score for m in result.measures] == [100, 50, None]
    assert result.band == "green"


def test_no_data_at_all_gives_no_score_and_the_no_data_band() -> None:
    result = score_account(load_config().health, facts(), DAY)
    assert result.score is None and result.band == "no_data"
    assert all(not m.has_data for m in result.measures)


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


def test_one_measure_of_seven_is_not_a_score_under_the_shipped_minimum() -> None:
    health = load_config().health
    assert health.scorecard_for(None).min_measures == 3
    assert health.scorecard_for("enterprise").min_measures == 3  # inherited through `extends`
    one = score_account(health, facts({"nps": [(DAY, 60.0)]}), DAY)
    assert one.score is None and one.band == "no_data"
    assert [m.id for m in one.measures if m.has_data] == ["nps"]  # the figure is kept for the card
    three = score_account(
        health,
        facts({"nps": [(DAY, 60.0)], "open_tickets": [(DAY, 1.0)], "touch": [(days_ago(3), 1.0)]}),
        DAY,
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
