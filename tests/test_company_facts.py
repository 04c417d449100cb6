"""Company facts read from a question by rules: models named outright, touch levels, every form of money."""

import pytest

from domain.company_models import COMPANY_MODELS
from playbooks.amounts import parse_count, parse_money
from playbooks.company_facts import CompanyProfile, company_model, missing_for_model, profile_from_text

# Every model, named in each way people name it, in English and Japanese.
NAMED = [
    ("a high-touch startup", "high_touch_startup"),
    ("high touch start-up", "high_touch_startup"),
    ("ハイタッチのスタートアップ", "high_touch_startup"),
    ("ハイタッチ型スタートアップ", "high_touch_startup"),
    ("a low-touch startup", "low_touch_startup"),
    ("lowtouch startup", "low_touch_startup"),
    ("ロータッチのスタートアップ", "low_touch_startup"),
    ("テックタッチ中心のベンチャー", "low_touch_startup"),
    ("a high-touch growth company", "high_touch_growth"),
    ("high touch growth", "high_touch_growth"),
    ("ハイタッチの成長企業", "high_touch_growth"),
    ("成長企業でハイタッチ", "high_touch_growth"),
    ("a low touch growth business", "low_touch_growth"),
    ("low-touch growth co", "low_touch_growth"),
    ("ロータッチ型の成長企業", "low_touch_growth"),
    ("ロータッチのグロース企業", "low_touch_growth"),
    ("a company selling to technical buyers", "technical_buyer"),
    ("technical-buyer model", "technical_buyer"),
    ("技術系バイヤー向けの企業", "technical_buyer"),
    ("技術系の買い手", "technical_buyer"),
    ("a PLG company", "plg"),
    ("product-led growth", "plg"),
    ("プロダクト主導の会社", "plg"),
    ("製品主導成長モデル", "plg"),
    ("プロダクトレッドグロース", "plg"),
]


@pytest.mark.parametrize(("text", "model"), NAMED)
def test_every_model_named_outright_is_read(text: str, model: str) -> None:
    profile = profile_from_text(text)
    assert profile.named_model == model
    assert company_model(profile) == model
    assert missing_for_model(profile) == []


def test_every_model_is_covered_in_both_languages() -> None:
    for model in COMPANY_MODELS:
        texts = [text for text, named in NAMED if named == model]
        assert any(not t.isascii() for t in texts), model
        assert any(t.isascii() for t in texts), model


@pytest.mark.parametrize(
    ("text", "model"),
    [
        # The touch level named beats the contract value it contradicts.
        ("a high-touch startup with $20k contracts", "high_touch_startup"),
        ("low-touch growth company, ACV $150k", "low_touch_growth"),
        ("ロータッチの成長企業で単価1500万円", "low_touch_growth"),
        # A named model beats the cues that would imply another one.
        ("a high-touch growth company whose users are developers", "high_touch_growth"),
        ("PLG company, Series D, $200k enterprise deals", "plg"),
        ("technical buyer model with a free trial", "technical_buyer"),
        ("ハイタッチのスタートアップ、顧客はエンジニア", "high_touch_startup"),
    ],
)
def test_a_named_model_wins_over_inferred_cues(text: str, model: str) -> None:
    assert company_model(profile_from_text(text)) == model


def test_a_touch_level_alone_stands_in_for_the_contract_value() -> None:
    profile = profile_from_text("we're high-touch")
    assert (profile.touch, profile.named_model, company_model(profile)) == ("high", None, None)
    assert missing_for_model(profile) == ["stage"]
    assert company_model(profile_from_text("Series A and high touch")) == "high_touch_startup"
    assert company_model(CompanyProfile(stage="growth", touch="low", acv_usd=500_000)) == "low_touch_growth"


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("a growth business", "growth"),
        ("成長企業です", "growth"),
        ("成長期の会社", "growth"),
        ("プロダクト主導成長の会社", None),
        ("high touch growth", "growth"),
    ],
)
def test_growth_stage_words(text: str, stage: str | None) -> None:
    assert profile_from_text(text).stage == stage


# Every way to write a contract value: symbol before or after, words, Japanese units, full width,
# magnitude suffixes, and amounts with no currency right next to a contract-value word.
MONEY = [
    ("$120k", 120_000),
    ("$120K", 120_000),
    ("$1.2M", 1_200_000),
    ("$1.2mm", 1_200_000),
    ("$2bn", 2_000_000_000),
    ("$1.5 million deals", 1_500_000),
    ("$80 thousand a year", 80_000),
    ("US$80K per contract", 80_000),
    ("USD 120,000", 120_000),
    ("120,000 USD", 120_000),
    ("120k USD", 120_000),
    ("50,000 dollars", 50_000),
    ("50k bucks", 50_000),
    ("5万ドル", 50_000),
    ("5万米ドル", 50_000),
    ("¥9,000,000", 75_000),
    ("￥12,000,000", 100_000),
    ("¥9M", 75_000),
    ("¥900万", 75_000),
    ("JPY 9,000,000", 75_000),
    ("9M yen", 75_000),
    ("9,000,000 JPY", 75_000),
    ("1200万円", 100_000),
    ("１２００万円", 100_000),
    ("9百万円", 75_000),
    ("1億2000万円", 1_000_000),
    ("1.5億円", 1_250_000),
    ("3千万円", 250_000),
    ("ACV 80k", 80_000),
    ("300k ACV", 300_000),
    ("acv of 80k", 80_000),
    ("average deal 45k", 45_000),
    ("単価800万", 800_0000 / 120),
    ("平均単価は1200万", 100_000),
    ("契約単価 900万くらい", 75_000),
]


@pytest.mark.parametrize(("text", "usd"), MONEY)
def test_every_currency_form_is_read_as_a_contract_value(text: str, usd: float) -> None:
    assert parse_money(text, jpy_per_usd=120.0) == pytest.approx(usd)


@pytest.mark.parametrize(
    "text",
    [
        "we have 80k users",  # no currency and no contract word
        "1200万人が使うアプリ",
        "raised 10M at seed",
        "80k employees",
        "Series B in 2024",
    ],
)
def test_a_bare_number_without_a_contract_word_is_not_money(text: str) -> None:
    assert parse_money(text, jpy_per_usd=120.0) is None


def test_a_bare_amount_is_not_taken_for_a_customer_count_or_the_reverse() -> None:
    assert (parse_count("2k customers, ACV 5k"), parse_money("2k customers, ACV 5k")) == (2_000, 5_000)
    assert parse_count("1.2k customers") == 1_200


@pytest.mark.parametrize(
    ("text", "technical"),
    [
        ("our buyers are technical", True),
        ("テクノロジー系の買い手", True),
        ("開発者向けツール", True),
        ("CSMとサポートエンジニアの違い", False),  # an engineer on our side, not the buyer
        ("we hired a sales engineer", False),
    ],
)
def test_technical_buyers(text: str, technical: bool) -> None:
    assert profile_from_text(text).technical_buyer is technical


def test_an_amount_glued_to_its_label_is_read() -> None:
    assert parse_money("上場企業でACV300万円", jpy_per_usd=120.0) == pytest.approx(25_000)
