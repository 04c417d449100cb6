"""The org-design knowledge base: structure, facts from DOMAIN.md, and our-own-words guard."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from playbooks.knowledge import (
    ACV_THRESHOLD_USD,
    MODEL_KEYS,
    SOURCES,
    CompanyModel,
    Knowledge,
    Phase,
    Text,
    load_knowledge,
)

# The source articles sit beside the checkout (shared/seeds), as in CI.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_knowledge()


def test_loads_and_is_cached(kb: Knowledge) -> None:
    assert load_knowledge() is kb
    assert tuple(kb.models) == MODEL_KEYS


def test_every_text_is_bilingual(kb: Knowledge) -> None:
    texts = list(kb.iter_texts())
    assert len(texts) > 100
    for path, text in texts:
        assert text.en.strip(), path
        assert text.ja.strip(), path
        # Japanese side really is Japanese; English side has no Japanese script.
        assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text.ja), path
        assert not any("\u3040" <= ch <= "\u30ff" for ch in text.en), path


def test_every_entry_has_a_valid_source(kb: Knowledge) -> None:
    entries: list[tuple[str, object]] = [
        *kb.models.items(),
        *kb.renewal.models.items(),
        ("renewal.advice", kb.renewal.advice),
        *((f"phase{p.number}", p) for p in kb.phases.phases),
        ("cs_ops", kb.phases.cs_ops),
        *kb.org_charts.items(),
        *kb.lifecycle.stages.items(),
        ("ttv", kb.lifecycle.ttv),
        *kb.kpis.kpis.items(),
        ("kpis.extra", kb.kpis.extra),
        ("cs_definition", kb.definitions.cs_definition),
    ]
    for name, entry in entries:
        source = entry.source  # type: ignore[attr-defined]
        assert source.article in SOURCES, name
        assert source.section.en and source.section.ja, name
    sources = list(kb.iter_sources())
    assert len(sources) == len(entries)
    assert {s.article for _, s in sources} == set(SOURCES)


def test_sources_titles_and_cite(kb: Knowledge) -> None:
    assert set(SOURCES) == {"000", "001", "002", "003", "004"}
    for titles in SOURCES.values():
        assert titles["en"] and titles["ja"]
    cite = kb.model("plg").source.cite("ja")
    assert cite.startswith(SOURCES["000"]["ja"]) and "モデル6" in cite


@pytest.mark.parametrize(
    ("key", "renewal", "expansion"),
    [
        ("high_touch_startup", "sales", "sales"),
        ("low_touch_startup", "sales", "sales"),
        ("high_touch_growth", "sales", "sales"),
        ("low_touch_growth", "csm", "csm"),
        ("technical_buyer", "sales", "sales"),
        ("plg", "csm", "sales"),
    ],
)
def test_owners_match_domain(kb: Knowledge, key: str, renewal: str, expansion: str) -> None:
    model = kb.model(key)
    assert model.renewal_owner.owner == renewal
    assert model.expansion_owner.owner == expansion


def test_owner_texts_carry_the_nuances(kb: Knowledge) -> None:
    htg = kb.model("high_touch_growth")
    assert "account management" in htg.renewal_owner.en.lower()
    assert "アカウントマネジメント" in htg.renewal_owner.ja
    assert "account management" in htg.expansion_owner.en.lower()
    ltg = kb.model("low_touch_growth")
    assert "licence" in ltg.expansion_owner.en and "sales" in ltg.expansion_owner.en
    assert "small" in kb.model("plg").expansion_owner.en


def test_model_profiles_mention_the_acv_line(kb: Knowledge) -> None:
    for key in ("high_touch_startup", "low_touch_startup", "high_touch_growth", "low_touch_growth"):
        profile = kb.model(key).profile
        assert "$75,000" in profile.en and "¥9M" in profile.en, key
        assert "900万円" in profile.ja, key


def test_model_lookup(kb: Knowledge) -> None:
    assert kb.model(6).key == "plg"
    assert kb.model("3").key == "high_touch_growth"
    assert kb.model("Technical-Buyer").key == "technical_buyer"
    assert [kb.model(k).number for k in MODEL_KEYS] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(KeyError):
        kb.model("enterprise")
    with pytest.raises(KeyError):
        kb.model(7)


def test_model_for(kb: Knowledge) -> None:
    def pick(**kw: object) -> CompanyModel:
        return kb.model_for(**kw)  # type: ignore[arg-type]

    assert pick(growth_stage=False, acv_usd=ACV_THRESHOLD_USD).key == "high_touch_startup"
    assert pick(growth_stage=False, acv_usd=74_999).key == "low_touch_startup"
    assert pick(growth_stage=True, acv_usd=200_000).key == "high_touch_growth"
    assert pick(growth_stage=True, acv_usd=10_000).key == "low_touch_growth"
    assert pick(growth_stage=True, acv_usd=10_000, technical_buyer=True).key == "technical_buyer"
    assert pick(growth_stage=True, acv_usd=10_000, technical_buyer=True, plg=True).key == "plg"


def test_renewal_models(kb: Knowledge) -> None:
    assert set(kb.renewal.models) == {"sales_owned", "csm_owned", "account_manager_owned"}
    assert "60" in kb.renewal_model("csm_owned").fit.en
    assert "60日" in kb.renewal_model("csm_owned").fit.ja
    assert "20%" in kb.renewal_model("account_manager_owned").risks.en
    assert "team-wide" in kb.renewal_model("csm_owned").risks.en
    assert kb.renewal.advice.text.en


def test_phases_match_domain(kb: Knowledge) -> None:
    phases = kb.phases.phases
    assert [p.number for p in phases] == [1, 2, 3, 4, 5]
    assert [(p.customers.min, p.customers.max) for p in phases] == [
        (1, 10),
        (10, 100),
        (100, 500),
        (500, 1000),
        (1000, None),
    ]
    assert [(p.headcount.min, p.headcount.max) for p in phases] == [
        (0, 0),
        (1, 2),
        (3, 5),
        (6, 10),
        (10, None),
    ]
    for prev, nxt in itertools.pairwise(phases):
        assert prev.customers.max == nxt.customers.min
        assert prev.headcount.max is not None and prev.headcount.max <= nxt.headcount.min
    assert kb.phase(4).number == 4


@pytest.mark.parametrize(
    ("customers", "phase"),
    [
        (0, 1),
        (1, 1),
        (10, 1),
        (11, 2),
        (100, 2),
        (120, 3),
        (500, 3),
        (501, 4),
        (700, 4),
        (1000, 4),
        (1001, 5),
        (5000, 5),
    ],
)
def test_phase_for(kb: Knowledge, customers: int, phase: int) -> None:
    result = kb.phase_for(customers)
    assert isinstance(result, Phase)
    assert result.number == phase


def test_phase_for_rejects_negative(kb: Knowledge) -> None:
    with pytest.raises(ValueError):
        kb.phase_for(-1)


def test_cs_ops_threshold(kb: Knowledge) -> None:
    assert kb.cs_ops.team_size_threshold == 5
    assert kb.cs_ops.source.article == "001"
    assert not kb.needs_dedicated_cs_ops(5)
    assert kb.needs_dedicated_cs_ops(6)


def test_org_charts_and_lifecycle(kb: Knowledge) -> None:
    assert tuple(kb.org_charts) == ("all_rounder", "specialist", "sales_aligned", "partnership", "area")
    assert tuple(kb.lifecycle.stages) == ("qualification", "onboarding", "adoption", "renewal", "expansion")
    assert all(stage.actions for stage in kb.lifecycle.stages.values())
    assert "adoption" in kb.lifecycle.ttv.why.en.lower()


def test_kpis(kb: Knowledge) -> None:
    expected = {
        "nrr",
        "grr",
        "logo_churn",
        "upsell",
        "extension",
        "cross_sell",
        "downsell",
        "churn",
        "arr_per_csm",
        "value_points",
    }
    assert set(kb.kpis.kpis) == expected
    for key in ("nrr", "grr", "logo_churn"):
        assert kb.kpi(key).formula is not None, key
    assert kb.kpi("upsell").closed_by == "cs"
    assert kb.kpi("extension").closed_by == "field_sales"
    assert "monthly" in kb.kpis.extra.text.en


def test_kpi_formulas_compute_as_the_knowledge_states_them() -> None:
    from domain.kpis import grr, logo_churn_rate, nrr

    # Start at 1,000; +200 expansion, -50 contraction, -100 churn.
    assert nrr(1000, 200, 50, 100) == pytest.approx(1.05)
    assert grr(1000, 50, 100) == pytest.approx(0.85)
    assert logo_churn_rate(3, 40) == pytest.approx(0.075)
    # Over nothing there is no ratio: the digest says why instead of dividing by zero.
    assert nrr(0, 1, 0, 0) is None and grr(0, 0, 0) is None and logo_churn_rate(1, 0) is None


def test_definitions(kb: Knowledge) -> None:
    d = kb.definitions.cs_definition
    assert d.source.article == "004"
    assert "reactive" in d.customer_service.en
    assert "account" in d.account_management.en


def test_text_in_lang() -> None:
    t = Text(en="hello", ja="こんにちは")
    assert t.in_("en") == "hello"
    assert t.in_("ja") == "こんにちは"
    assert t.in_("ja-JP") == "こんにちは"
    assert t.in_("fr") == "hello"


def _seed_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt")))


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="source articles not available")
def test_no_japanese_copied_from_seeds(kb: Knowledge) -> None:
    """No 20-character run of our Japanese text appears verbatim in a source article.

    Section names are citations of the articles' headings, so they are exempt.
    """
    seeds = _seed_text()
    run = 20
    offenders = []
    for path, text in kb.iter_texts():
        if ".source.section" in path:
            continue
        ja = text.ja
        for i in range(max(len(ja) - run + 1, 0)):
            if ja[i : i + run] in seeds:
                offenders.append(f"{path}: {ja[i : i + run]}")
                break
    assert not offenders, "\n".join(offenders)
