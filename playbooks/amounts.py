"""Money and customer-count parsing for org-design questions, in English and Japanese.

`parse_money` finds the average contract value a question mentions and returns it in US dollars;
`parse_count` finds how many customers the company has. Both work on NFKC-normalised text so that
full-width digits (１２００), the full-width yen sign (￥) and full-width commas read like ASCII.
Money and counts are kept apart by their units: a number is money only next to a currency mark or
word, and a count only next to "customers"/"clients"/社. Bare numbers (years, "Series A") are neither.
"""

import re
import unicodedata
from dataclasses import dataclass

# A plain number: "1,200,000", "1200", "1.5". Thousands separators only in groups of three so that
# "120,5" in a list is not read as one number.
NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# Not glued to a previous number, decimal point or Latin word ("A2", "v1.5", "2024-").
_START = r"(?<![\d.,A-Za-z])"

# English magnitude suffixes. Single letters must not run into a word ("$5 MRR" is five dollars).
_EN_SUFFIX = r"(?:\s*(?:thousand|million|billion)\b|(?:mm|mn|bn|k|m|b)(?![A-Za-z]))"
_EN_FACTORS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
# Japanese multipliers, longest first so that 千万 is not read as 千 followed by 万.
_JP_UNIT = r"(?:千万|百万|億|万|千)"
_JP_FACTORS = {"千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7, "億": 1e8}
# One or more number+multiplier groups with nothing between them: "1億2000万", "1200万", "9百万".
_JP_AMOUNT = rf"(?:{NUM}{_JP_UNIT})+{NUM}?|{NUM}"

_USD_WORDS = r"(?:USD|US\s*dollars?|dollars?|bucks|米ドル|ドル)"
_JPY_WORDS = r"(?:円|yen|JPY)"

_MONEY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # $120k, US$1.2M, USD 120,000, $1.2 million
    ("USD", re.compile(rf"(?:US\$|\$|USD\s*)\s*(?P<amount>{NUM})(?P<suffix>{_EN_SUFFIX})?", re.I)),
    # ¥9,000,000, ￥12,000,000 (NFKC makes it ¥), ¥9M, ¥900万, JPY 9,000,000
    (
        "JPY",
        re.compile(rf"(?:¥|JPY\s*)\s*(?P<jp>{_JP_AMOUNT})(?P<suffix>{_EN_SUFFIX})?", re.I),
    ),
    # 120,000 USD, 50,000 dollars, 120k USD, 5万ドル
    (
        "USD",
        re.compile(
            rf"{_START}(?:(?P<jp>(?:{NUM}{_JP_UNIT})+{NUM}?)|(?P<amount>{NUM})(?P<suffix>{_EN_SUFFIX})?)"
            rf"\s*{_USD_WORDS}(?![A-Za-z])",
            re.I,
        ),
    ),
    # 1200万円, 9百万円, 1.5億円, 9,000,000円, 9M yen; glued to a word before it too ("ACV300万円")
    (
        "JPY",
        re.compile(
            rf"(?<![\d.,])(?:(?P<jp>(?:{NUM}{_JP_UNIT})+{NUM}?)|(?P<amount>{NUM})(?P<suffix>{_EN_SUFFIX})?)"
            rf"\s*{_JPY_WORDS}(?![A-Za-z])",
            re.I,
        ),
    ),
]

# Words near an amount that say it is the contract value, or that it is something else (funding,
# company revenue). A contract-value cue wins over the others: "average ARR $40k" is a contract value.
_CONTRACT_CUES = re.compile(
    r"ACV|contract|deal|per (?:customer|account|client|year)|average|avg|typical|ticket|"
    r"単価|契約|顧客あたり|1社あたり|一社あたり|年額|平均",
    re.I,
)
_OTHER_CUES = re.compile(
    r"raised?|funding|valuation|revenue|total|(?<![A-Za-z])ARR(?! per)|budget|salary|"
    r"調達|資金|評価額|売上|年商|予算|給与|年収",
    re.I,
)
_CUE_WINDOW = 24  # characters either side of an amount searched for cues


# A bare amount with a magnitude and no currency ("ACV 80k", "300k ACV", "単価800万"): money only right
# next to a contract-value cue, in dollars for k/M and in yen for 万/千万/億.
_BARE_AMOUNTS: list[tuple[str, re.Pattern[str]]] = [
    ("USD", re.compile(rf"{_START}(?P<amount>{NUM})(?P<suffix>(?:k|m|mm|mn)(?![A-Za-z]))", re.I)),
    ("JPY", re.compile(rf"{_START}(?P<jp>(?:{NUM}{_JP_UNIT})+{NUM}?)(?![円ドル社人名件A-Za-z])")),
]
_BARE_CUE_WINDOW = 12  # a bare amount needs its cue closer than an amount with a currency does


@dataclass(frozen=True)
class _Amount:
    start: int
    end: int
    value: float  # in the currency below
    currency: str
    bare: bool = False  # no currency written: taken only next to a contract-value cue


def normalise(text: str) -> str:
    """Full-width digits, signs and letters to ASCII, so one set of patterns covers both widths."""
    return unicodedata.normalize("NFKC", text)


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _jp_value(raw: str) -> float:
    """'1億2000万' → 120,000,000; a trailing bare number is added as is ('1万5000')."""
    total = 0.0
    for number, unit in re.findall(rf"({NUM})({_JP_UNIT})?", raw):
        total += _number(number) * (_JP_FACTORS[unit] if unit else 1.0)
    return total


def _value(match: re.Match[str]) -> float:
    groups = match.groupdict()
    value = _jp_value(groups["jp"]) if groups.get("jp") else _number(groups["amount"])
    suffix = (groups.get("suffix") or "").strip().lower()
    if suffix:
        value *= _EN_FACTORS[suffix]
    return value


def _amounts(text: str) -> list[_Amount]:
    found: list[_Amount] = []
    for currency, pattern in _MONEY_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            # Earlier patterns are the more explicit ones ("$120k USD" is one amount, not two).
            if any(a.start < end and start < a.end for a in found):
                continue
            found.append(_Amount(start, end, _value(match), currency))
    for currency, pattern in _BARE_AMOUNTS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(a.start < end and start < a.end for a in found):
                continue
            found.append(_Amount(start, end, _value(match), currency, bare=True))
    return sorted(found, key=lambda a: a.start)


def _distance(pattern: re.Pattern[str], text: str, amount: _Amount) -> int | None:
    """Characters between the amount and the nearest cue within the window, or None."""
    lo = max(0, amount.start - _CUE_WINDOW)
    distances = []
    for cue in pattern.finditer(text[lo : amount.end + _CUE_WINDOW]):
        start, end = cue.start() + lo, cue.end() + lo
        distances.append(amount.start - end if end <= amount.start else max(0, start - amount.end))
    return min(distances) if distances else None


def parse_money(text: str, *, jpy_per_usd: float = 120.0) -> float | None:
    """The contract value the text mentions, in USD, or None.

    With several amounts, the one closest to a contract-value cue (ACV, contract, 単価…) wins, else the
    first; an amount whose nearest cue reads as funding or company revenue ("raised $10M") is never
    taken for the contract value.
    """
    text = normalise(text)
    ranked: list[tuple[int, int, _Amount]] = []  # (has no contract cue, distance, amount)
    for amount in _amounts(text):
        if amount.value <= 0:
            continue
        contract = _distance(_CONTRACT_CUES, text, amount)
        other = _distance(_OTHER_CUES, text, amount)
        if amount.bare and (contract is None or contract > _BARE_CUE_WINDOW):
            continue
        if other is not None and (contract is None or other < contract):
            continue
        ranked.append((contract is None, contract or 0, amount))
    if not ranked:
        return None
    best = min(ranked, key=lambda r: (r[0], r[1], r[2].start))[2]
    return best.value if best.currency == "USD" else best.value / jpy_per_usd


# Counts. Japanese: a number (optionally 千/万) before 社, but not 社員 (employees), 社長, 社内, 社目.
_JP_COUNT = re.compile(rf"{_START}(?P<n>{NUM})\s*(?P<unit>万|千)?\s*社(?![員長内外目])")
# Japanese: a customer-count noun then the number without 社: "顧客数は300", "導入企業数: 1,200".
_JP_COUNT_NOUN = re.compile(
    rf"(?:導入社数|導入企業数|顧客数|取引社数|取引先数|契約社数|契約企業数|顧客企業数)"
    rf"\s*(?:は|が|:|=|約|およそ|\s)*(?P<n>{NUM})\s*(?P<unit>万|千)?(?![\d%円ドル])"
)
# English: "250 customers", "1.2k clients", "120 enterprise customers" (up to two words between).
_EN_COUNT = re.compile(
    rf"{_START}(?<![$¥])(?P<n>{NUM})\s*(?P<unit>k)?\s+(?:[A-Za-z][A-Za-z-]*\s+){{0,2}}?"
    r"(?:customers|clients|accounts|logos|companies|paying customers)\b",
    re.I,
)
# English: "customer base of 80", "number of customers is 300", "customers: 300".
_EN_COUNT_NOUN = re.compile(
    r"(?:customer base|customer count|client base|number of (?:customers|clients|accounts)|"
    r"customers|clients)"
    rf"\s*(?:of|is|are|at|:|=|~|around|about|approximately|roughly|\s)*\s*"
    rf"(?<![$¥])(?P<n>{NUM})\s*(?P<unit>k)?(?![\d%]|\s*(?:USD|dollars|円|yen))",
    re.I,
)
_COUNT_FACTORS = {"": 1, "k": 1_000, "千": 1_000, "万": 10_000}


def parse_count(text: str) -> int | None:
    """How many customers the text says the company has, or None. The first mention wins."""
    text = normalise(text)
    money = [a for a in _amounts(text) if not a.bare]  # a bare amount is money only by its cue
    best: tuple[int, int] | None = None  # (position, count)
    for pattern in (_JP_COUNT, _EN_COUNT, _JP_COUNT_NOUN, _EN_COUNT_NOUN):
        for match in pattern.finditer(text):
            start = match.start("n")
            # A number that is part of an amount of money is never a count ("$150k customers' ACV").
            if any(a.start <= start < a.end for a in money):
                continue
            unit = (match.group("unit") or "").lower()
            count = round(_number(match.group("n")) * _COUNT_FACTORS[unit])
            if best is None or start < best[0]:
                best = (start, count)
            break
    return best[1] if best else None
