"""`csbot calibrate`: fit a scorecard to the workspace's outcomes, backtest it beside the current one.

The outcomes (domain/calibration/outcomes.py) are split once: by time when they span time — the
earlier ones to fit on, the latest `holdout_fraction` to test on, as the score would have been used —
and into stratified folds otherwise. Everything chosen (candidates, bins, weights, bands) is chosen on
the fitting part; the hold-out only measures. The scorecard written is the one the report measured
(with folds, the fit on all outcomes, whose method the folds measured).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold
from sqlalchemy import Engine

from domain.calibration.backtest import backtest, probability_mapping, scorecard_scores
from domain.calibration.features import Candidate, History, MetricHistory, ValuePointHistory, candidates
from domain.calibration.fit import Fit, fit_scorecard
from domain.calibration.outcomes import Outcomes, outcomes_from
from domain.health.scorecard import Band, HealthConfig, Measure, ScorecardConfig
from storage import history as stored

DEFAULT_LEAD_DAYS = 90
DEFAULT_HOLDOUT_FRACTION = 0.25
# Fewer churns than this and no scorecard can be both fitted and tested on them.
MIN_CHURNS = 20
MIN_HOLDOUT_CHURNS = 5
# Outcomes over at least this many days are split by time.
MIN_SPAN_DAYS = 180
# A band's churn rate against the overall one: the worst band at least this multiple, the best at most
# its inverse.
BAND_RATE_RATIO = 2.0
BAND_GROUP_SIZE = 25


@dataclass(frozen=True)
class Inputs:
    accounts: stored.AccountColumns
    outcomes: Outcomes  # every outcome, with the lead not yet applied
    history: History
    metrics: list[str]


def read_inputs(engine: Engine, health: HealthConfig, *, today: date, lead_days: int) -> Inputs:
    """The outcomes up to `today`, and the history they are read from (only what the lead days can see)."""
    with engine.connect() as connection:
        accounts = stored.accounts(connection)
        outcomes = outcomes_from(
            accounts, stored.contracts(connection), stored.churn_movements(connection), today
        )
        metrics = stored.metric_names(connection)
        observations: dict[str, MetricHistory] = {}
        if len(outcomes):
            longest = max(
                [180, 365, *(m.window_days for n in health.scorecards for m in health.resolve(n).measures)]
            )
            first = (outcomes.days.min() - np.timedelta64(lead_days + longest, "D")).astype(date)
            last = (outcomes.days.max() - np.timedelta64(lead_days, "D")).astype(date)
            for metric in metrics:
                observations[metric] = MetricHistory(stored.observations(connection, metric, first, last))
        points = ValuePointHistory(stored.value_points(connection))
    history = History(observations, points, accounts.ids, accounts.seats)
    return Inputs(accounts, outcomes, history, metrics)


@dataclass
class Calibration:
    eligible: bool
    message: str | None
    health: HealthConfig | None  # the calibrated health section; None when not eligible
    report: dict[str, Any]


def calibrate(
    inputs: Inputs,
    health: HealthConfig,
    *,
    today: date,
    lead_days: int = DEFAULT_LEAD_DAYS,
    holdout_fraction: float = DEFAULT_HOLDOUT_FRACTION,
) -> Calibration:
    outcomes = inputs.outcomes
    as_of = outcomes.days - np.timedelta64(lead_days, "D")
    report: dict[str, Any] = {
        "as_of": today.isoformat(),
        "lead_days": lead_days,
        "outcomes": _outcome_counts(outcomes),
    }
    churns = int(outcomes.churned.sum())
    if churns < MIN_CHURNS or len(outcomes) - churns < MIN_CHURNS:
        message = (
            f"Calibration needs at least {MIN_CHURNS} churned and {MIN_CHURNS} retained outcomes to fit and "
            f"test a scorecard; the history has {churns} churned and {len(outcomes) - churns} retained. "
            "Nothing was written."
        )
        return Calibration(False, message, None, report | {"eligible": False, "message": message})

    scorecards = [health.resolve(name) for name in health.scorecards]
    offered = candidates(inputs.metrics, scorecards, per_seat=inputs.history.per_seat_metrics())
    figures = inputs.history.matrix(offered, outcomes.account_ids, as_of)
    current = _current_scores(inputs, health, outcomes.account_ids, as_of)

    split = _split(outcomes, holdout_fraction)
    report["split"] = split.describe(outcomes)
    fitted: _Fitted | None = None
    calibrated = np.full(len(outcomes), np.nan)
    probability_new = np.full(len(outcomes), np.nan)
    probability_old = np.full(len(outcomes), np.nan)
    for train, test in split.folds:
        fold = _fit(offered, figures[train], outcomes.churned[train], health)
        if fold is None:
            continue
        calibrated[test] = fold.scores(figures[test])
        probability_new[test] = _probabilities(fold.fitted_scores, outcomes.churned[train], calibrated[test])
        probability_old[test] = _probabilities(current[train], outcomes.churned[train], current[test])
        fitted = fold
    if split.kind == "folds":
        fitted = _fit(offered, figures, outcomes.churned, health)
    if fitted is None:
        message = (
            "No measure in the history tells churned from retained customers apart. Nothing was written."
        )
        return Calibration(False, message, None, report | {"eligible": False, "message": message})

    held = split.held_out
    new = backtest(calibrated[held], outcomes.churned[held], probability_new[held], fitted.bands)
    old = backtest(current[held], outcomes.churned[held], probability_old[held], health.bands)
    calibrated_health = fitted.health_config(health)
    report |= {
        "eligible": True,
        "holdout": new.as_dict(),
        "current": old.as_dict(),
        "bands": new.as_dict()["bands"],
        "measures": _measure_rows(fitted, health),
        "min_measures": fitted.min_measures,
    }
    return Calibration(True, None, calibrated_health, report)


def _outcome_counts(outcomes: Outcomes) -> dict[str, Any]:
    churned = int(outcomes.churned.sum())
    return {
        "total": len(outcomes),
        "churned": churned,
        "retained": len(outcomes) - churned,
        "first_day": str(outcomes.days.min()) if len(outcomes) else None,
        "last_day": str(outcomes.days.max()) if len(outcomes) else None,
    }


def _probabilities(
    train_scores: NDArray[np.float64], train_churned: NDArray[np.bool_], scores: NDArray[np.float64]
) -> NDArray[np.float64]:
    model = probability_mapping(train_scores, train_churned)
    result = np.full(len(scores), np.nan)
    has = ~np.isnan(scores)
    if model is not None and has.any():
        result[has] = model.predict_proba(scores[has].reshape(-1, 1))[:, 1]
    return result


@dataclass(frozen=True)
class _Split:
    kind: str  # time | folds
    folds: list[tuple[NDArray[np.intp], NDArray[np.intp]]]  # (fit on, test on)
    held_out: NDArray[np.intp]  # every outcome a figure of the report is measured on

    def describe(self, outcomes: Outcomes) -> dict[str, Any]:
        train, test = self.folds[0]
        described: dict[str, Any] = {"kind": self.kind}
        if self.kind == "time":
            described |= {
                "train": len(train),
                "train_churned": int(outcomes.churned[train].sum()),
                "holdout": len(test),
                "holdout_churned": int(outcomes.churned[test].sum()),
                "holdout_from": str(outcomes.days[test].min()),
            }
        else:
            described |= {"folds": len(self.folds), "holdout": len(self.held_out)}
        return described


def _split(outcomes: Outcomes, holdout_fraction: float) -> _Split:
    count = len(outcomes)
    order = np.arange(count)  # outcomes come in day order
    cut = round(count * (1 - holdout_fraction))
    # Outcomes on the cut's day all go to the same side: a day is either seen or not.
    while 0 < cut < count and outcomes.days[cut] == outcomes.days[cut - 1]:
        cut += 1
    train, test = order[:cut], order[cut:]
    span = (outcomes.days.max() - outcomes.days.min()).astype(int)
    if (
        span >= MIN_SPAN_DAYS
        and len(test)
        and outcomes.churned[test].sum() >= MIN_HOLDOUT_CHURNS
        and outcomes.churned[train].sum() >= MIN_CHURNS - MIN_HOLDOUT_CHURNS
    ):
        return _Split("time", [(train, test)], test)
    splits = max(2, round(1 / holdout_fraction))
    folder = StratifiedKFold(n_splits=splits, shuffle=True, random_state=0)
    folds = [(a, b) for a, b in folder.split(np.zeros(count), outcomes.churned)]
    return _Split("folds", folds, order)


@dataclass(frozen=True)
class _Fitted:
    fit: Fit
    measures: list[Measure]
    columns: list[int]  # each measure's column in the figures
    min_measures: int
    bands: list[Band]
    fitted_scores: NDArray[np.float64]  # the scores of the outcomes it was fitted on

    def scores(self, figures: NDArray[np.float64]) -> NDArray[np.float64]:
        return scorecard_scores(self.measures, [figures[:, c] for c in self.columns], self.min_measures)

    def health_config(self, health: HealthConfig) -> HealthConfig:
        card = ScorecardConfig(measures=self.measures, min_measures=self.min_measures)
        return HealthConfig(bands=self.bands, trend_days=health.trend_days, scorecards={"default": card})


def _fit(
    offered: list[Candidate], figures: NDArray[np.float64], churned: NDArray[np.bool_], health: HealthConfig
) -> "_Fitted | None":
    fit = fit_scorecard(offered, figures, churned)
    if not fit.measures:
        return None
    index = {c.id: i for i, c in enumerate(offered)}
    measures = [m.measure() for m in fit.measures]
    columns = [index[m.id] for m in measures]
    # As many measures as the current scorecard asks for, but never more than most accounts have data
    # for: a measure only new customers have (value points) must not leave the others unscored.
    usual = sum(bool(np.mean(~np.isnan(figures[:, c])) >= 0.5) for c in columns)
    minimum = max(1, min(health.resolve("default").min_measures, usual))
    scores = scorecard_scores(measures, [figures[:, c] for c in columns], minimum)
    bands = _cut_bands(scores, churned, health.bands)
    return _Fitted(fit, measures, columns, minimum, bands, scores)


def _cut_bands(scores: NDArray[np.float64], churned: NDArray[np.bool_], bands: list[Band]) -> list[Band]:
    """The configured bands (their names and number) with bounds re-cut where the fitting outcomes'
    churn rate changes. The scores are cut into equal groups (`BAND_GROUP_SIZE` outcomes, 20 at most);
    the worst band takes the groups from the bottom while each churns at least `BAND_RATE_RATIO` times
    the overall rate, the best takes those from the top while each churns at most its inverse, and any
    bands between split the scores in between evenly. Without such groups: the 20% and 60% quantiles."""
    has = ~np.isnan(scores)
    s, y = scores[has], churned[has]
    if not len(s):
        return list(bands)
    order = np.argsort(s, kind="stable")
    s, y = s[order], y[order]
    base = y.mean()
    groups = np.array_split(np.arange(len(s)), max(2, min(20, len(s) // BAND_GROUP_SIZE)))
    rates = [y[g].mean() for g in groups]
    low = high = None
    for group, rate in zip(groups, rates, strict=True):
        if rate < BAND_RATE_RATIO * base:
            break
        low = float(s[group[-1]])
    for group, rate in zip(reversed(groups), reversed(rates), strict=True):
        if rate > base / BAND_RATE_RATIO:
            break
        high = float(s[group[0]])
    # A band starts at its bound (`below` is exclusive), half-way between the groups' scores.
    low = round(low + 0.05, 1) if low is not None else float(np.round(np.quantile(s, 0.2), 1))
    if high is None or high <= low:
        high = max(float(np.round(np.quantile(s, 0.6), 1)), low + 0.1)
    names = [band.name for band in bands]
    if len(names) == 1:
        return [Band(name=names[0])]
    if len(names) == 2:
        return [Band(name=names[0], below=low), Band(name=names[1])]
    bounds = [round(float(value), 1) for value in np.linspace(low, high, len(names) - 1)]
    return [Band(name=n, below=b) for n, b in zip(names[:-1], bounds, strict=True)] + [Band(name=names[-1])]


def _current_scores(
    inputs: Inputs, health: HealthConfig, account_ids: NDArray[np.int64], as_of: NDArray[np.datetime64]
) -> NDArray[np.float64]:
    """Each outcome's score under the current scorecards, each account by its segment's."""
    segment = dict(zip(inputs.accounts.ids.tolist(), inputs.accounts.segments, strict=True))
    names = np.array([health.scorecard_for(segment.get(a)).name for a in account_ids.tolist()])
    scores = np.full(len(account_ids), np.nan)
    for name in sorted(set(names.tolist())):
        rows = np.flatnonzero(names == name)
        card = health.resolve(name)
        columns = [
            inputs.history.read(Candidate.of(m), account_ids[rows], as_of[rows]) for m in card.measures
        ]
        scores[rows] = scorecard_scores(card.measures, columns, card.min_measures)
    return scores


def _thresholds(measure: Measure) -> list[dict[str, float]]:
    return [t.model_dump(exclude_none=True) for t in measure.thresholds]


def _measure_rows(fitted: _Fitted, health: HealthConfig) -> list[dict[str, Any]]:
    kept = {m.id: m for m in fitted.measures}
    old = {m.id: m for m in health.resolve("default").measures}
    reasons = {d.id: d.reason for d in fitted.fit.dropped}
    rows = []
    for name, binning in sorted(fitted.fit.binnings.items(), key=lambda item: -item[1].information_value):
        candidate = binning.candidate
        edges = (None, *binning.edges)
        upper = (*binning.edges, None)
        new = kept.get(name)
        scores = next((m.bin_scores for m in fitted.fit.measures if m.binning.candidate.id == name), None)
        rows.append(
            {
                "id": name,
                "metric": candidate.metric,
                "aggregate": candidate.aggregate if candidate.metric else "on_time_share",
                "window_days": candidate.window_days,
                "per_seat": candidate.per_seat,
                "group": candidate.group,
                "information_value": round(binning.information_value, 4),
                "kept": new is not None,
                "reason": None if new is not None else reasons.get(name),
                "bins": [
                    {
                        "from": lo,
                        "to": hi,
                        "accounts": count,
                        "churned": churned,
                        "churn_rate": None if rate is None else round(rate, 4),
                        "score": None if scores is None else scores[i],
                    }
                    for i, (lo, hi, count, churned, rate) in enumerate(
                        zip(edges, upper, binning.counts, binning.churned, binning.churn_rates, strict=True)
                    )
                ],
                "new": None if new is None else {"weight": new.weight, "thresholds": _thresholds(new)},
                "old": None
                if name not in old
                else {"weight": old[name].weight, "thresholds": _thresholds(old[name])},
            }
        )
    listed = {row["id"] for row in rows}
    for name, measure in old.items():
        if name not in listed:
            rows.append(
                {
                    "id": name,
                    "metric": measure.metric,
                    "kept": False,
                    "reason": reasons.get(name, "too_few_figures"),
                    "information_value": None,
                    "bins": [],
                    "new": None,
                    "old": {"weight": measure.weight, "thresholds": _thresholds(measure)},
                }
            )
    return rows
