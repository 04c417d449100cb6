"""What an org-design question says about the asker's company, read by rules, and the model it fits.

The facts are few and have fixed forms (a funding round, an amount with a currency, a count of
customers, a named go-to-market), so rules read them more reliably than a classifier would, and
each rule is tested on its own (tests/test_company_facts.py). Text is NFKC-normalised first, so
full-width letters and digits match the same patterns.

A model *named* in the question ("a high-touch growth company", "PLGの会社", "技術系バイヤー向け")
wins over what the other cues imply: the asker knows their company better than a contract value
does.
"""

import re
from dataclasses import dataclass
from typing import Literal

from domain.company_models import CompanyModelName
from playbooks.amounts import normalise, parse_count, parse_money
from playbooks.patterns import NO_LATIN_AFTER as _R
from playbooks.patterns import NO_LATIN_BEFORE as _L
from playbooks.patterns import rx as _rx

Stage = Literal["startup", "growth"]
Touch = Literal["high", "low"]


@dataclass(frozen=True)
class CompanyProfile:
    stage: Stage | None = None
    acv_usd: float | None = None  # average contract value in USD
    technical_buyer: bool = False
    plg: bool = False
    customers: int | None = None
    touch: Touch | None = None  # "high-touch" / "ロータッチ" said outright: stands in for the ACV
    named_model: CompanyModelName | None = None  # a model the question names outright


# Explicit funding rounds decide the stage before anything else ("Series B startup planning an IPO").
_ROUND_STARTUP = _rx(rf"{_L}(?:pre-?seed|seed)|series\s*[ab]{_R}|シード|シリーズ\s*[ab]{_R}")
_ROUND_GROWTH = _rx(rf"series\s*[c-h]{_R}|シリーズ\s*[c-h]{_R}")
# Growth cues. "product-led growth" is a go-to-market, not a stage; 未上場/非上場 mean *not* listed.
_GROWTH = _rx(
    rf"(?<!led )(?<!led-)growth(?:[- ](?:stage|phase|company|companies|firm|business|businesses|co|"
    rf"org|organi[sz]ation)\b)|(?<=touch )growth|(?<=touch-)growth|late[r]?[- ]stage|"
    rf"private growth|publicly[- ](?:traded|listed)|public (?:company|companies|firm|corporation|saas)|"
    rf"(?:went|gone|are|is|we're|we’re) public|listed company|{_L}IPO{_R}|enterprise[- ]scale|"
    r"(?<![未非])上場|大企業|大手企業|(?<!レッド)(?<!主導)グロース(?:ステージ|期|企業|フェーズ)|レイター|"
    r"(?<!主導)成長(?:期|企業|段階|フェーズ|ステージ)"
)
_STARTUP = _rx(rf"start-?ups?{_R}|early[- ]stage|スタートアップ|アーリー|ベンチャー|創業期")

# The buyer is technical. "sales/solutions/support engineer" are roles on *our* side, not the buyer.
_TECHNICAL = _rx(
    rf"dev-?ops|developers?{_R}|(?<!sales )(?<!solutions )(?<!support )engineers?{_R}|"
    rf"engineering (?:teams?|leaders?|org)|security (?:teams?|buyers?|product|vendor|tool|software|"
    rf"compan(?:y|ies)|startup)|"
    rf"{_L}(?:CTO|CISO|SRE)s?{_R}|technical (?:buyers?|audience|users)|infrastructure teams?|"
    r"(?:buyers?|customers?|users?) (?:are|is) (?:mostly |all )?technical|"
    r"開発者|(?<!サポート)(?<!セールス)(?<!ソリューション)エンジニア|セキュリティ|情報システム|情シス|技術者|IT部門|"
    r"技術系|テクノロジー系"
)
# "IT" only in capitals: "it" is an everyday word.
_TECHNICAL_IT = re.compile(rf"{_L}IT{_R}(?! is)")
_PLG = _rx(
    rf"product[- ]led|{_L}PLG{_R}|self[- ]serv(?:e|ice)|freemium|free (?:trial|plan|tier)|"
    r"bottom[- ]up|プロダクトレッド|プロダクト主導|製品主導|セルフサーブ|セルフサービス|無料トライアル|"
    r"フリーミアム|無料プラン|フリープラン"
)

# Models named outright. PLG and the technical buyer are named by their own words; the four others
# by a touch level together with a stage ("high-touch growth", "ロータッチのスタートアップ").
_NAMED_PLG = _rx(rf"product[- ]led|{_L}PLG{_R}|プロダクトレッド|プロダクト主導|製品主導")
_NAMED_TECHNICAL = _rx(
    r"technical[- ](?:buyers?|audience|customers?|purchasers?)|"
    r"技術系(?:の)?(?:バイヤー|買い手|顧客|購買者|企業)?"
)
_TOUCH: dict[Touch, re.Pattern[str]] = {
    "high": _rx(rf"{_L}high[- ]?touch|ハイタッチ"),
    "low": _rx(rf"{_L}(?:low|tech)[- ]?touch|ロータッチ|テックタッチ"),
}


def _stage(text: str) -> Stage | None:
    # Precedence: a named round, then growth cues, then generic startup words, so that a
    # "growth-stage startup" is growth but a "Series B startup preparing its IPO" is a startup.
    if _ROUND_STARTUP.search(text):
        return "startup"
    if _ROUND_GROWTH.search(text) or _GROWTH.search(text):
        return "growth"
    if _STARTUP.search(text):
        return "startup"
    return None


def _touch(text: str) -> Touch | None:
    """The touch level said outright; the first one named when a text names both."""
    found = [(match.start(), level) for level, pattern in _TOUCH.items() if (match := pattern.search(text))]
    return min(found)[1] if found else None


def _named_model(text: str, stage: Stage | None, touch: Touch | None) -> CompanyModelName | None:
    if _NAMED_PLG.search(text):
        return "plg"
    if _NAMED_TECHNICAL.search(text):
        return "technical_buyer"
    if touch is not None and stage is not None:
        return f"{touch}_touch_{stage}"  # type: ignore[return-value]
    return None


def profile_from_text(text: str, *, jpy_per_usd: float = 120.0) -> CompanyProfile:
    """What the text says about the company; fields it says nothing about stay None / False."""
    text = normalise(text)
    stage = _stage(text)
    touch = _touch(text)
    return CompanyProfile(
        stage=stage,
        acv_usd=parse_money(text, jpy_per_usd=jpy_per_usd),
        technical_buyer=bool(_TECHNICAL.search(text) or _TECHNICAL_IT.search(text)),
        plg=bool(_PLG.search(text)),
        customers=parse_count(text),
        touch=touch,
        named_model=_named_model(text, stage, touch),
    )


def company_model(profile: CompanyProfile, *, threshold_usd: float = 75_000) -> CompanyModelName | None:
    """Which of the six company models fits, or None when stage or contract size is missing.

    A named model decides. Otherwise PLG and technical buyer outrank the stage × ACV split because
    they change how customers buy, whatever the size. When both apply, PLG wins: the technical-buyer
    model assumes a sales-led motion (pre-sales engineers, sales owning renewals), while a self-serve
    developer tool is sold and grown the product-led way. A touch level said outright stands in for
    the contract value.
    """
    if profile.named_model is not None:
        return profile.named_model
    if profile.plg:
        return "plg"
    if profile.technical_buyer:
        return "technical_buyer"
    if profile.stage is None:
        return None
    if profile.touch is not None:
        high = profile.touch == "high"
    elif profile.acv_usd is not None:
        high = profile.acv_usd >= threshold_usd
    else:
        return None
    if profile.stage == "startup":
        return "high_touch_startup" if high else "low_touch_startup"
    return "high_touch_growth" if high else "low_touch_growth"


def missing_for_model(profile: CompanyProfile) -> list[str]:
    """What to ask for before `company_model` can answer: "stage", "acv", both, or nothing."""
    if profile.named_model or profile.plg or profile.technical_buyer:
        return []
    missing = []
    if profile.stage is None:
        missing.append("stage")
    if profile.acv_usd is None and profile.touch is None:
        missing.append("acv")
    return missing
