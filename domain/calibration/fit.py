"""Fitting an explainable points scorecard to outcomes: monotone bins, weight of evidence, a regularised
logistic regression, and the result written as ordinary scorecard measures.

1. **Bins.** Each candidate's figures are cut into at most `MAX_BINS` bins by a classification tree
   constrained to be monotone in the direction the training outcomes show (scikit-learn's
   `monotonic_cst`), each bin holding at least `MIN_BIN_SHARE` of the figures. A bin starts at its
   lower edge: a figure at or above it is in (the scorecard's `at_least`).
2. **Weight of evidence** per bin: ln(share of churners in the bin / share of retained customers in
   it), smoothed by half a count. Positive means riskier. A missing figure has none (0): the scorecard
   leaves a measure without data out, and so does the model.
3. **Choice.** Candidates whose information value is below `MIN_INFORMATION_VALUE`, or whose bins'
   churn rates could differ by chance (chi-square, `MAX_P_VALUE`), add nothing. Of the rest, measures
   are added one at a time (forward selection): each time the one that most lowers the
   cross-validated log loss of a logistic regression on the evidence, one measure per metric, until
   none saves `MIN_GAIN` or there is one per `CHURNS_PER_MEASURE` training churns (the weight of
   evidence and the regularisation make five enough, where a raw regression would want ten). The
   regression, fitted on all the fitting outcomes, then weighs them; a measure it gives no positive
   weight, or under `MIN_WEIGHT_SHARE` of the points, is dropped and the rest refitted.
4. **Points.** A bin's points are the regression's weight times its evidence, turned so that healthier
   is higher and scaled to 0–100 within the measure; the measure's weight is its range of points. So the
   weighted mean the scorecard computes is the model's risk, turned and rescaled, whenever every measure
   has data.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2_contingency, spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.tree import DecisionTreeClassifier

from domain.calibration.features import Candidate
from domain.health.scorecard import Measure

MAX_BINS = 5
MIN_BIN_SHARE = 0.05
MIN_BIN_COUNT = 10
MIN_INFORMATION_VALUE = 0.02
# And its bins' churn rates must differ beyond chance: a chi-square test of bins against outcomes at
# this level. Strict, because the bins were themselves chosen to differ.
MAX_P_VALUE = 0.001
# Forward selection: candidates tried (the most informative first), the cross-validated log loss a
# measure must save to be added, folds, and the sample it is judged on.
POOL = 20
MIN_GAIN = 0.001
SELECTION_FOLDS = 5
SELECTION_SAMPLE = 20_000
CHURNS_PER_MEASURE = 5
MAX_MEASURES = 10
# A candidate needs this many figures, and churners among them, to be binned at all.
MIN_FIGURES = 30
MIN_CHURNS_WITH_FIGURES = 5
# A measure carrying less than this share of the points moves no score: it is left out.
MIN_WEIGHT_SHARE = 0.02
REGULARISATION = 1.0  # inverse L2 strength of the logistic regression on the evidence
_SMOOTHING = 0.5


@dataclass(frozen=True)
class Binning:
    candidate: Candidate
    edges: tuple[float, ...]  # ascending lower edges of bins 1…k (bin 0 has none)
    higher_is_healthier: bool
    woe: tuple[float, ...]  # per bin; positive = riskier
    counts: tuple[int, ...]
    churned: tuple[int, ...]
    information_value: float
    p_value: float  # chi-square test of the bins against the outcomes

    def bins_of(self, values: NDArray[np.float64]) -> NDArray[np.intp]:
        """Each figure's bin; -1 where there is none."""
        bins = np.searchsorted(np.array(self.edges), values, side="right")
        return np.where(np.isnan(values), -1, bins)

    def evidence(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        bins = self.bins_of(values)
        woe = np.append(np.array(self.woe), 0.0)  # index -1: no figure, no evidence
        return woe[bins]

    @property
    def churn_rates(self) -> tuple[float | None, ...]:
        return tuple(c / n if n else None for c, n in zip(self.churned, self.counts, strict=True))


def _round_edge(value: float) -> float:
    """Three significant figures: a threshold people read (0.613, 12.5, 1,250), not a float's tail."""
    return float(f"{value:.3g}")


def bin_candidate(
    candidate: Candidate, values: NDArray[np.float64], churned: NDArray[np.bool_]
) -> Binning | None:
    """The candidate binned on these outcomes; None when it has too few figures to bin."""
    has = ~np.isnan(values)
    x, y = values[has], churned[has]
    if len(x) < MIN_FIGURES or y.sum() < MIN_CHURNS_WITH_FIGURES or (~y).sum() < MIN_CHURNS_WITH_FIGURES:
        return None
    if np.ptp(x) == 0:
        return None
    correlation = spearmanr(x, y).statistic
    higher_is_healthier = not (correlation > 0)  # ties and NaN: the usual direction for usage
    tree = DecisionTreeClassifier(
        max_leaf_nodes=MAX_BINS,
        min_samples_leaf=max(MIN_BIN_COUNT, int(np.ceil(MIN_BIN_SHARE * len(x)))),
        monotonic_cst=[-1 if higher_is_healthier else 1],
        random_state=0,
    )
    tree.fit(x.reshape(-1, 1), y)
    splits = tree.tree_.threshold[tree.tree_.feature >= 0]
    edges = tuple(sorted({_round_edge(float(t)) for t in splits}))
    return _binning(candidate, edges, higher_is_healthier, values, churned)


def _binning(
    candidate: Candidate,
    edges: tuple[float, ...],
    higher_is_healthier: bool,
    values: NDArray[np.float64],
    churned: NDArray[np.bool_],
) -> Binning:
    """The bins' counts and evidence; neighbours whose churn rates break the direction are merged
    (rounding the edges, or the smoothing, can leave a small reversal), so points always move one way."""
    has = ~np.isnan(values)
    y = churned[has]
    kept = list(edges)
    while True:
        bins = np.searchsorted(np.array(kept), values[has], side="right")
        size = len(kept) + 1
        counts = np.bincount(bins, minlength=size)
        bad = np.bincount(bins, weights=y.astype(float), minlength=size)
        rates = bad / np.maximum(counts, 1)
        steps = np.diff(rates)
        wrong = np.flatnonzero(steps > 0 if higher_is_healthier else steps < 0)
        if not len(wrong):
            break
        del kept[int(wrong[0])]  # the edge between the two bins
    good = counts - bad
    bad_share = (bad + _SMOOTHING) / (bad.sum() + _SMOOTHING * size)
    good_share = (good + _SMOOTHING) / (good.sum() + _SMOOTHING * size)
    woe = np.log(bad_share / good_share)
    # Information over every outcome, not only those with a figure: an outcome without one gets no
    # evidence (the scorecard leaves the measure out), so a measure few accounts have tells less.
    all_bad, all_good = max(float(churned.sum()), 1.0), max(float((~churned).sum()), 1.0)
    information_value = float(np.sum((bad / all_bad - good / all_good) * woe))
    table = np.array([bad, good])
    p_value = float(chi2_contingency(table[:, counts > 0])[1]) if (counts > 0).sum() > 1 else 1.0
    return Binning(
        candidate=candidate,
        edges=tuple(kept),
        higher_is_healthier=higher_is_healthier,
        woe=tuple(float(w) for w in woe),
        counts=tuple(int(c) for c in counts),
        churned=tuple(int(b) for b in bad),
        information_value=information_value,
        p_value=p_value,
    )


@dataclass(frozen=True)
class Dropped:
    id: str
    reason: str  # too_few_figures | no_information | like:<id> | over_limit | no_weight


@dataclass(frozen=True)
class FittedMeasure:
    binning: Binning
    coefficient: float
    weight: float  # in the scorecard: this measure's range of points, all weights summing to 100
    bin_scores: tuple[float, ...]  # 0–100 per bin, healthier higher

    def measure(self) -> Measure:
        edges = self.binning.edges
        # First matching threshold wins: from the highest lower edge down, then the first bin.
        thresholds = [
            {"at_least": edge, "score": score}
            for edge, score in reversed(list(zip(edges, self.bin_scores[1:], strict=True)))
        ]
        thresholds.append({"score": self.bin_scores[0]})
        return self.binning.candidate.measure(self.weight, thresholds)


@dataclass
class Fit:
    measures: list[FittedMeasure]
    dropped: list[Dropped] = field(default_factory=list)
    binnings: dict[str, Binning] = field(default_factory=dict)  # every candidate that could be binned


def fit_scorecard(
    candidates: Sequence[Candidate], figures: NDArray[np.float64], churned: NDArray[np.bool_]
) -> Fit:
    """Figures: outcomes × candidates, NaN where there is none."""
    dropped: list[Dropped] = []
    binnings: dict[str, Binning] = {}
    for column, candidate in enumerate(candidates):
        binning = bin_candidate(candidate, figures[:, column], churned)
        if binning is None:
            dropped.append(Dropped(candidate.id, "too_few_figures"))
        else:
            binnings[candidate.id] = binning
    columns = {c.id: i for i, c in enumerate(candidates)}
    evidence = {name: b.evidence(figures[:, columns[name]]) for name, b in binnings.items()}

    limit = min(MAX_MEASURES, max(1, int(churned.sum()) // CHURNS_PER_MEASURE))
    pool: list[str] = []
    for name in sorted(binnings, key=lambda n: (-binnings[n].information_value, n)):
        if binnings[name].information_value < MIN_INFORMATION_VALUE or binnings[name].p_value > MAX_P_VALUE:
            dropped.append(Dropped(name, "no_information"))
        else:
            pool.append(name)
    chosen = _forward_selection(pool[:POOL], evidence, churned, limit, binnings)
    for name in pool:
        if name in chosen:
            continue
        same = next(
            (c for c in chosen if binnings[c].candidate.metric == binnings[name].candidate.metric), None
        )
        if same is not None:
            dropped.append(Dropped(name, f"like:{same}"))
        elif len(chosen) >= limit:
            dropped.append(Dropped(name, "over_limit"))
        else:
            dropped.append(Dropped(name, "no_weight"))

    coefficients: dict[str, float] = {}
    while chosen:
        model = LogisticRegression(C=REGULARISATION, max_iter=1000)
        model.fit(np.column_stack([evidence[n] for n in chosen]), churned)
        coefficients = dict(zip(chosen, (float(c) for c in model.coef_[0]), strict=True))
        ranges = {
            n: max(coefficients[n], 0.0) * (max(binnings[n].woe) - min(binnings[n].woe)) for n in chosen
        }
        total = sum(ranges.values()) or 1.0
        weak = [n for n in chosen if coefficients[n] <= 0 or ranges[n] / total < MIN_WEIGHT_SHARE]
        if not weak:
            break
        dropped += [Dropped(n, "no_weight") for n in weak]
        chosen = [n for n in chosen if n not in weak]

    ranges = {n: coefficients[n] * (max(binnings[n].woe) - min(binnings[n].woe)) for n in chosen}
    total = sum(ranges.values())
    measures = []
    for name in chosen:
        binning = binnings[name]
        points = -coefficients[name] * np.array(binning.woe)
        spread = float(points.max() - points.min())
        scores = tuple(round(float(100 * (p - points.min()) / spread), 1) for p in points)
        measures.append(
            FittedMeasure(binning, coefficients[name], round(100 * ranges[name] / total, 1), scores)
        )
    return Fit(measures=measures, dropped=dropped, binnings=binnings)


def _forward_selection(
    pool: list[str],
    evidence: dict[str, NDArray[np.float64]],
    churned: NDArray[np.bool_],
    limit: int,
    binnings: dict[str, Binning],
) -> list[str]:
    """Measures added one at a time, each time the one that most lowers the cross-validated log loss
    of the regression, until none lowers it by `MIN_GAIN` or `limit` are in; one measure per metric.
    Judged on a fixed sample of at most `SELECTION_SAMPLE` outcomes, so a large workspace stays quick."""
    rows = np.arange(len(churned))
    if len(rows) > SELECTION_SAMPLE:
        rows, _ = train_test_split(rows, train_size=SELECTION_SAMPLE, stratify=churned, random_state=0)
        rows = np.sort(rows)
    y = churned[rows]
    folds = list(StratifiedKFold(n_splits=SELECTION_FOLDS, shuffle=True, random_state=0).split(rows, y))
    columns = {name: evidence[name][rows] for name in pool}

    def loss(names: list[str]) -> float:
        if not names:
            return float(log_loss(y, np.full(len(y), y.mean())))
        x = np.column_stack([columns[n] for n in names])
        predicted = np.empty(len(y))
        for fit_on, test_on in folds:
            model = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(x[fit_on], y[fit_on])
            predicted[test_on] = model.predict_proba(x[test_on])[:, 1]
        return float(log_loss(y, predicted))

    chosen: list[str] = []
    best = loss(chosen)
    while len(chosen) < limit:
        metrics = {binnings[n].candidate.metric for n in chosen}
        trials = [
            (loss([*chosen, n]), n)
            for n in pool
            if n not in chosen and binnings[n].candidate.metric not in metrics
        ]
        if not trials:
            break
        trial_loss, name = min(trials)
        if best - trial_loss < MIN_GAIN:
            break
        chosen.append(name)
        best = trial_loss
    return chosen
