"""The scorecard definition as configured in YAML, validated by pydantic."""

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

Aggregate = Literal["latest", "average", "sum", "max", "days_since"]
MeasureGroup = Literal["adoption", "outcomes", "advocacy", "support", "relationship"]


class Threshold(BaseModel):
    """`at_least` for higher-is-better measures, `at_most` for lower-is-better; neither = the fallback."""

    model_config = ConfigDict(extra="forbid")  # a mistyped key is an error, not a silent default
    at_least: float | None = None
    at_most: float | None = None
    score: float = Field(ge=0, le=100)

    def matches(self, value: float) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)


class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    group: MeasureGroup
    source: Literal["metric", "milestones"] = "metric"
    metric: str | None = None
    aggregate: Aggregate = "latest"
    window_days: int = Field(default=30, ge=1)
    per_seat: bool = False
    weight: float = Field(gt=0)
    thresholds: list[Threshold] = Field(min_length=1)
    # An optional measure an account has no data for is left off its card and its snapshot, not shown
    # as "no data": a signal only some teams collect (customer channels) changes nothing for the rest.
    optional: bool = False

    @model_validator(mode="after")
    def _metric_named(self) -> Self:
        if self.source == "metric" and not self.metric:
            raise ValueError(f"measure {self.id!r} reads a metric but names none")
        return self

    def score_for(self, value: float) -> float:
        for threshold in self.thresholds:
            if threshold.matches(value):
                return threshold.score
        return 0.0


class ScorecardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segments: list[str] = Field(default_factory=list)
    extends: str | None = None
    weights: dict[str, float] = Field(default_factory=dict)
    measures: list[Measure] = Field(default_factory=list)
    # Fewer measures with data than this and the account gets no score: one figure is not a health
    # score. None: as the scorecard it extends, or 1.
    min_measures: int | None = Field(default=None, ge=1)


class Scorecard(BaseModel):
    name: str
    segments: list[str]
    measures: list[Measure]
    min_measures: int = 1

    @property
    def metrics(self) -> set[str]:
        return {m.metric for m in self.measures if m.metric}

    @property
    def longest_window(self) -> int:
        return max(m.window_days for m in self.measures)


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    below: float | None = None


class HealthConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bands: list[Band] = Field(
        default_factory=lambda: [
            Band(name="red", below=50),
            Band(name="yellow", below=75),
            Band(name="green"),
        ]
    )
    trend_days: int = Field(default=30, ge=1)
    scorecards: dict[str, ScorecardConfig]
    _resolved: dict[str, Scorecard] = PrivateAttr(default_factory=dict)
    _by_segment: dict[str, str] = PrivateAttr(default_factory=dict)  # casefolded segment → scorecard

    @model_validator(mode="after")
    def _check(self) -> Self:
        if "default" not in self.scorecards:
            raise ValueError("health.scorecards needs a scorecard named 'default'")
        if self.bands[-1].below is not None:
            raise ValueError("the last health band must have no 'below' bound")
        # Resolving every scorecard here fails early on a bad `extends` or an unknown measure in
        # `weights`, and scoring (which asks once per account) then reads the resolved ones.
        self._resolved = {name: self.resolve(name) for name in self.scorecards}
        # The first scorecard naming a segment takes it, as the configuration reads top to bottom.
        for name, config in reversed(list(self.scorecards.items())):
            self._by_segment.update({segment.casefold(): name for segment in config.segments})
        return self

    def resolve(self, name: str) -> Scorecard:
        config = self.scorecards[name]
        measures = list(config.measures)
        if config.extends:
            if config.extends not in self.scorecards or config.extends == name:
                raise ValueError(f"scorecard {name!r} extends unknown scorecard {config.extends!r}")
            own_ids = {m.id for m in measures}
            inherited = [m for m in self.resolve(config.extends).measures if m.id not in own_ids]
            measures = inherited + measures
        minimum = config.min_measures
        if minimum is None:
            minimum = self.resolve(config.extends).min_measures if config.extends else 1
        known = {m.id for m in measures}
        unknown = set(config.weights) - known
        if unknown:
            raise ValueError(f"scorecard {name!r} sets weights for unknown measures: {sorted(unknown)}")
        measures = [
            m.model_copy(update={"weight": config.weights[m.id]}) if m.id in config.weights else m
            for m in measures
        ]
        if not measures:
            raise ValueError(f"scorecard {name!r} has no measures")
        if minimum > len(measures):
            raise ValueError(
                f"scorecard {name!r} needs {minimum} measures with data but has only {len(measures)}"
            )
        return Scorecard(name=name, segments=config.segments, measures=measures, min_measures=minimum)

    def scorecard(self, name: str) -> Scorecard | None:
        """The resolved scorecard of that name (resolved once, at load), or None when there is none."""
        return self._resolved.get(name)

    def scorecard_for(self, segment: str | None) -> Scorecard:
        name = self._by_segment.get(segment.casefold(), "default") if segment else "default"
        return self._resolved[name]

    def band_for(self, score: float | None) -> str:
        if score is None:
            return "no_data"
        for band in self.bands:
            if band.below is None or score < band.below:
                return band.name
        return self.bands[-1].name
