"""How well a score tells churners from retained customers: the figures of the backtest report.

Scores are health scores (0–100, healthier higher); risk is their opposite. Every figure is computed
on hold-out outcomes only. Probabilities, for the Brier score and the reliability curve, come from a
one-variable logistic fit of churn on the score over the *training* outcomes: the same mapping for the
current and the calibrated scorecard, so the two are compared on equal terms.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from domain.health.scorecard import Band, Measure
from domain.health.scoring import threshold_scores, thresholds_of

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 7
RELIABILITY_BINS = 5


def scorecard_scores(
    measures: Sequence[Measure], figures: Sequence[NDArray[np.float64]], min_measures: int
) -> NDArray[np.float64]:
    """Each outcome's score under these measures (their figures in the same order): the weighted mean
    over the measures with data, as domain/health/scoring.py computes it; NaN with too few."""
    count = len(figures[0]) if figures else 0
    with_data = np.zeros(count, dtype=np.int64)
    total_weight = np.zeros(count)
    weighted = np.zeros(count)
    for measure, values in zip(measures, figures, strict=True):
        scores = threshold_scores(thresholds_of(measure), values)
        has = ~np.isnan(values)
        with_data += has
        total_weight += np.where(has, measure.weight, 0.0)
        weighted += np.where(has, measure.weight * scores, 0.0)
    enough = (with_data >= max(1, min_measures)) & (total_weight != 0)
    means = weighted / np.where(total_weight == 0, 1.0, total_weight)
    return np.where(enough, np.round(means, 1), np.nan)


def band_names_of(scores: NDArray[np.float64], bands: Sequence[Band]) -> list[str]:
    """As `HealthConfig.band_for`."""
    names = []
    for score in scores.tolist():
        if score != score:
            names.append("no_data")
            continue
        names.append(next(b.name for b in bands if b.below is None or score < b.below))
    return names


def probability_mapping(scores: NDArray[np.float64], churned: NDArray[np.bool_]) -> LogisticRegression | None:
    has = ~np.isnan(scores)
    if len(set(churned[has].tolist())) < 2:
        return None
    model = LogisticRegression()
    model.fit(scores[has].reshape(-1, 1), churned[has])
    return model


@dataclass(frozen=True)
class BandFigures:
    name: str
    below: float | None
    accounts: int
    churned: int

    @property
    def churn_rate(self) -> float | None:
        return self.churned / self.accounts if self.accounts else None

    def as_dict(self) -> dict[str, object]:
        return {
            "below": self.below,
            "accounts": self.accounts,
            "churned": self.churned,
            "churn_rate": None if self.churn_rate is None else round(self.churn_rate, 4),
        }


@dataclass(frozen=True)
class Backtest:
    outcomes: int
    scored: int
    churned: int
    auc: float | None
    auc_interval: tuple[float, float] | None
    top_decile_lift: float | None
    brier: float | None
    reliability: list[tuple[float, float]]  # (mean predicted churn, observed churn) per bin
    bands: list[BandFigures]

    def as_dict(self) -> dict[str, object]:
        return {
            "outcomes": self.outcomes,
            "scored": self.scored,
            "churned": self.churned,
            "auc": _rounded(self.auc),
            "auc_interval": None if self.auc_interval is None else [round(v, 4) for v in self.auc_interval],
            "top_decile_lift": _rounded(self.top_decile_lift),
            "brier": _rounded(self.brier),
            "reliability": [{"predicted": round(p, 4), "observed": round(o, 4)} for p, o in self.reliability],
            "bands": {band.name: band.as_dict() for band in self.bands},
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def backtest(
    scores: NDArray[np.float64],
    churned: NDArray[np.bool_],
    probabilities: NDArray[np.float64] | None,
    bands: Sequence[Band],
) -> Backtest:
    has = ~np.isnan(scores)
    y, risk = churned[has], -scores[has]
    two_classes = len(set(y.tolist())) == 2
    auc = float(roc_auc_score(y, risk)) if two_classes else None
    names = band_names_of(scores, bands)
    band_figures = [
        BandFigures(
            band.name,
            band.below,
            sum(1 for n in names if n == band.name),
            int(sum(1 for n, c in zip(names, churned.tolist(), strict=True) if n == band.name and c)),
        )
        for band in bands
    ]
    reliability: list[tuple[float, float]] = []
    brier = None
    if probabilities is not None and two_classes:
        p = probabilities[has]
        brier = float(brier_score_loss(y, p))
        observed, predicted = calibration_curve(y, p, n_bins=RELIABILITY_BINS, strategy="quantile")
        reliability = [(float(a), float(b)) for a, b in zip(predicted, observed, strict=True)]
    return Backtest(
        outcomes=len(scores),
        scored=int(has.sum()),
        churned=int(churned.sum()),
        auc=auc,
        auc_interval=_bootstrap_auc(y, risk) if two_classes else None,
        top_decile_lift=_top_decile_lift(y, risk),
        brier=brier,
        reliability=reliability,
        bands=band_figures,
    )


def _bootstrap_auc(y: NDArray[np.bool_], risk: NDArray[np.float64]) -> tuple[float, float]:
    """A 95% percentile interval over resamples of the hold-out (fixed seed: the same report twice)."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    values = []
    for _ in range(BOOTSTRAP_SAMPLES):
        pick = rng.integers(0, len(y), len(y))
        if y[pick].all() or not y[pick].any():
            continue
        values.append(rank_auc(y[pick], risk[pick]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def rank_auc(y: NDArray[np.bool_], risk: NDArray[np.float64]) -> float:
    """The AUC as the Mann–Whitney statistic (ties counted half), which is what `roc_auc_score`
    computes, at a fraction of its cost: the bootstrap computes a thousand."""
    ranks = rankdata(risk)
    positives = int(y.sum())
    negatives = len(y) - positives
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def _top_decile_lift(y: NDArray[np.bool_], risk: NDArray[np.float64]) -> float | None:
    """Churn rate among the riskiest tenth, over the churn rate of all. Ties at the cut are shared out
    by their average, so the order of tied outcomes does not matter."""
    if not len(y) or not y.any():
        return None
    take = max(1, int(np.ceil(len(y) / 10)))
    order = np.argsort(-risk, kind="stable")
    cut = risk[order[take - 1]]
    above = risk > cut
    tied = risk == cut
    churned_top = y[above].sum() + (take - above.sum()) * y[tied].mean()
    return float((churned_top / take) / y.mean())
