"""Org-design knowledge as typed, bilingual data.

The facts come from five Japanese source articles (see ``SOURCES``); the wording in the YAML files under
``playbooks/knowledge/`` is our own. Every text is a :class:`Text` with ``en`` and ``ja``; every entry
carries a :class:`Source` naming the article and section, so answers can cite where they come from.

Use :func:`load_knowledge` (cached) and the helpers on :class:`Knowledge`::

    kb = load_knowledge()
    kb.model("plg").renewal_owner.owner          # "csm"
    kb.phase_for(120).number                      # 3
    kb.kpi("nrr").formula.in_("ja")
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.company_models import COMPANY_MODELS

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")

ArticleId = Literal["000", "001", "002", "003", "004"]
Lang = Literal["en", "ja"]
Owner = Literal["sales", "csm", "account_management"]

#: Average-contract-value line between high touch (at or above) and low touch (below), seed 000.
ACV_THRESHOLD_USD = 75_000
ACV_THRESHOLD_JPY = 9_000_000

#: Source article id -> short title, in English and Japanese (our own titles).
SOURCES: dict[str, dict[str, str]] = {
    "000": {
        "en": "Gainsight: the ultimate guide to CS org structure",
        "ja": "Gainsight:CS組織構造の究極ガイド",
    },
    "001": {
        "en": "Event report: a CS-platform vendor's own CS team and KPIs",
        "ja": "イベントレポート:CS支援SaaS企業のCS体制とKPI",
    },
    "002": {
        "en": "The four customer phases and CS org charts by business phase",
        "ja": "CSの4つのフェーズと事業フェーズ別の組織図",
    },
    "003": {
        "en": "Who owns renewals? Three ownership models",
        "ja": "契約更新は誰が持つか:3つのモデル",
    },
    "004": {
        "en": "Gainsight essential guide #1: what customer success is",
        "ja": "Gainsight入門ガイド第1回:カスタマーサクセスとは",
    },
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Frozen):
    """A short text in English and Japanese."""

    en: str = Field(min_length=1)
    ja: str = Field(min_length=1)

    def in_(self, lang: str) -> str:
        """The text in ``lang`` ("ja"/"ja-JP" → Japanese; anything else → English)."""
        return self.ja if lang.lower().startswith("ja") else self.en


class OwnedText(Text):
    """A text that also names who owns something (renewals, expansion)."""

    owner: Owner


class Source(_Frozen):
    article: ArticleId
    section: Text

    @property
    def title(self) -> dict[str, str]:
        return SOURCES[self.article]

    def cite(self, lang: str = "en") -> str:
        """E.g. ``"Gainsight: the ultimate guide to CS org structure — Model 1: high-touch startup"``."""
        key = "ja" if lang.lower().startswith("ja") else "en"
        return f"{SOURCES[self.article][key]} — {self.section.in_(lang)}"


class Note(_Frozen):
    """A single sourced text (advice, extras)."""

    text: Text
    source: Source


class CompanyModel(_Frozen):
    """One of the six company models (seed 000) answering the seven org-design questions."""

    key: str = ""
    number: int = Field(ge=1, le=6)
    name: Text
    profile: Text
    strategy: Text
    reporting_line: Text
    leader_profile: Text
    csm_profile: Text
    renewal_owner: OwnedText
    expansion_owner: OwnedText
    csm_metrics: Text
    source: Source


class RenewalModel(_Frozen):
    key: str = ""
    name: Text
    fit: Text
    pros: Text
    risks: Text
    source: Source


class RenewalModels(_Frozen):
    models: dict[str, RenewalModel]
    advice: Note


class Range(_Frozen):
    """Inclusive ``min``; ``max`` is ``None`` for open-ended ranges."""

    min: int = Field(ge=0)
    max: int | None = None


class Phase(_Frozen):
    number: int = Field(ge=1, le=5)
    customers: Range
    headcount: Range
    name: Text
    what_happens: Text
    source: Source


class CsOps(_Frozen):
    team_size_threshold: int
    text: Text
    source: Source


class Phases(_Frozen):
    phases: list[Phase]
    cs_ops: CsOps


class OrgChart(_Frozen):
    key: str = ""
    name: Text
    description: Text
    fits_when: Text
    risk: Text
    source: Source


class LifecycleStage(_Frozen):
    key: str = ""
    name: Text
    actions: list[Text] = Field(min_length=1)
    source: Source


class TimeToValue(_Frozen):
    name: Text
    what: Text
    why: Text
    source: Source


class Lifecycle(_Frozen):
    stages: dict[str, LifecycleStage]
    ttv: TimeToValue


class Kpi(_Frozen):
    key: str = ""
    name: Text
    definition: Text
    formula: Text | None = None
    closed_by: Literal["cs", "field_sales"] | None = None
    source: Source


class Kpis(_Frozen):
    kpis: dict[str, Kpi]
    extra: Note


class CsDefinition(_Frozen):
    name: Text
    cs: Text
    customer_service: Text
    account_management: Text
    source: Source


class Definitions(_Frozen):
    cs_definition: CsDefinition


MODEL_KEYS = COMPANY_MODELS


def _keyed(mapping: dict[str, Any]) -> dict[str, Any]:
    """Copy each entry's dict key into its ``key`` field."""
    return {k: {**v, "key": k} for k, v in mapping.items()}


class Knowledge(_Frozen):
    models: dict[str, CompanyModel]
    renewal: RenewalModels
    phases: Phases
    org_charts: dict[str, OrgChart]
    lifecycle: Lifecycle
    kpis: Kpis
    definitions: Definitions

    @model_validator(mode="after")
    def _check(self) -> Knowledge:
        if tuple(self.models) != MODEL_KEYS:
            raise ValueError(f"models must be exactly {MODEL_KEYS}, got {tuple(self.models)}")
        nums = [p.number for p in self.phases.phases]
        if nums != list(range(1, len(nums) + 1)):
            raise ValueError(f"phases must be numbered 1..n in order, got {nums}")
        for prev, nxt in itertools.pairwise(self.phases.phases):
            if prev.customers.max != nxt.customers.min:
                raise ValueError(f"phase {nxt.number} must start where phase {prev.number} ends")
        if self.phases.phases[-1].customers.max is not None:
            raise ValueError("the last phase must be open-ended")
        return self

    # --- lookups -------------------------------------------------------------------------------------

    def model(self, name: str | int) -> CompanyModel:
        """A company model by key (``"plg"``), by number (``6`` or ``"6"``)."""
        if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
            for m in self.models.values():
                if m.number == int(name):
                    return m
            raise KeyError(f"no company model number {name}")
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in self.models:
            raise KeyError(f"unknown company model {name!r}; known: {', '.join(self.models)}")
        return self.models[key]

    def model_for(
        self, *, growth_stage: bool, acv_usd: float, technical_buyer: bool = False, plg: bool = False
    ) -> CompanyModel:
        """Pick the company model for a profile. PLG wins over technical buyer, which wins over touch level.

        ``acv_usd`` at or above :data:`ACV_THRESHOLD_USD` is high touch.
        """
        if plg:
            return self.models["plg"]
        if technical_buyer:
            return self.models["technical_buyer"]
        touch = "high_touch" if acv_usd >= ACV_THRESHOLD_USD else "low_touch"
        return self.models[f"{touch}_{'growth' if growth_stage else 'startup'}"]

    def renewal_model(self, key: str) -> RenewalModel:
        return self.renewal.models[key]

    def org_chart(self, key: str) -> OrgChart:
        return self.org_charts[key]

    def kpi(self, key: str) -> Kpi:
        return self.kpis.kpis[key]

    def stage(self, key: str) -> LifecycleStage:
        return self.lifecycle.stages[key]

    def phase(self, number: int) -> Phase:
        for p in self.phases.phases:
            if p.number == number:
                return p
        raise KeyError(f"no business phase {number}")

    def phase_for(self, customers: int) -> Phase:
        """The business phase for a customer count.

        The source ranges share their end points (1–10, 10–100, 100–500, 500–1,000, 1,000+). Rule: a
        phase's upper bound is inclusive, so a shared boundary belongs to the lower phase — 10 → phase 1,
        100 → 2, 500 → 3, 1,000 → 4, 1,001 → 5. Zero customers counts as phase 1; negatives are an error.
        """
        if customers < 0:
            raise ValueError("customers must be >= 0")
        for p in self.phases.phases:
            if p.customers.max is None or customers <= p.customers.max:
                return p
        raise AssertionError("unreachable: last phase is open-ended")  # pragma: no cover

    @property
    def cs_ops(self) -> CsOps:
        return self.phases.cs_ops

    def needs_dedicated_cs_ops(self, team_size: int) -> bool:
        """True once the CS team has grown past the threshold (more than 5 people)."""
        return team_size > self.phases.cs_ops.team_size_threshold

    # --- walking -------------------------------------------------------------------------------------

    def iter_texts(self) -> Iterator[tuple[str, Text]]:
        """Every :class:`Text` in the knowledge base, with a dotted path (source section names included)."""
        yield from _walk(self, "", Text)

    def iter_sources(self) -> Iterator[tuple[str, Source]]:
        yield from _walk(self, "", Source)


def _walk(obj: Any, path: str, kind: type) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, kind):
        yield path, obj
        if kind is Text:
            return
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), f"{path}.{name}" if path else name, kind)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}", kind)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]", kind)


# --- loading -----------------------------------------------------------------------------------------


def _read(name: str, directory: Path) -> dict[str, Any]:
    with (directory / name).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


def parse_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Read and validate the YAML files in ``directory`` (uncached)."""
    models = _read("models.yml", directory)["models"]
    renewal = _read("renewal_models.yml", directory)
    lifecycle = _read("lifecycle.yml", directory)
    kpis = _read("kpis.yml", directory)
    return Knowledge.model_validate(
        {
            "models": _keyed(models),
            "renewal": {**renewal, "models": _keyed(renewal["models"])},
            "phases": _read("phases.yml", directory),
            "org_charts": _keyed(_read("org_charts.yml", directory)["org_charts"]),
            "lifecycle": {**lifecycle, "stages": _keyed(lifecycle["stages"])},
            "kpis": {**kpis, "kpis": _keyed(kpis["kpis"])},
            "definitions": _read("definitions.yml", directory),
        }
    )


@lru_cache(maxsize=1)
def load_knowledge() -> Knowledge:
    """The packaged knowledge base, parsed once and cached (the result is immutable)."""
    return parse_knowledge(KNOWLEDGE_DIR)
