"""Cell parsers. Each takes a trimmed, non-empty cell and returns a value or raises CellError.

A parser may also carry `typed`: it takes a value that came typed (a query's date, a JSON number) and
returns it as stored, or None to have it read as the cell a file would hold, with that cell's checks.

The messages are written to follow the quoted cell value: `"12k" is not a number (expected …)`.
"""

import math
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from storage.importing.errors import CellError

Parser = Callable[[str], Any]

# Both databases store these as 32-bit integers; PostgreSQL would reject anything larger mid-batch.
_INT32_MAX = 2_147_483_647

_CURRENCY_PREFIXES = ("¥", "$", "€", "£", "JPY", "USD", "EUR", "GBP")
_CURRENCY_SUFFIXES = ("円", "JPY", "USD", "EUR", "GBP")
# Thousands separators must group by three: "1,2" is a European decimal, too ambiguous to guess at.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NUMBER_HINT = "(expected e.g. 1200000 or 1,200,000)"

_ISO_DATE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_HINT = "(expected YYYY-MM-DD, e.g. 2026-04-01)"

_TRUE = frozenset({"true", "yes", "y", "1", "はい"})
_FALSE = frozenset({"false", "no", "n", "0", "いいえ"})

_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
_DOMAIN = re.compile(r"(?:[\w-]+\.)+[\w-]{2,}")
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
_LOCALE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?")
# Salesforce shows time zones as "(GMT+09:00) Japan Standard Time (Asia/Tokyo)"; the IANA name is in brackets.
_BRACKETED_ZONE = re.compile(r".*\(([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+)\)")


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"is too long ({len(value)} characters; expected at most {max_length})")
        return value

    return parse


def number(value: str) -> float:
    if _PLAIN_NUMBER.fullmatch(value) and len(value) < 300:  # most cells: skip currency and width handling
        return float(value)
    cleaned = _strip_currency(unicodedata.normalize("NFKC", value).replace("−", "-").replace(" ", ""))
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:  # accounting style: (1,200) means -1200
        cleaned = _strip_currency(cleaned[1:-1])
    if not _NUMBER.fullmatch(cleaned):
        raise CellError(f"is not a number {_NUMBER_HINT}")
    result = float(cleaned.replace(",", ""))
    if not math.isfinite(result):
        raise CellError(f"is too large to store {_NUMBER_HINT}")
    return -result if negative else result


def _typed_number(value: object) -> float | None:
    if value.__class__ in (int, float, Decimal):
        try:
            result = float(value)  # type: ignore[arg-type]
        except OverflowError:
            return None
        return result if math.isfinite(result) else None
    return None  # bool among them: "true" is not a number


number.typed = _typed_number  # type: ignore[attr-defined]


def _strip_currency(value: str) -> str:
    sign = ""
    if value[:1] in "+-":
        sign, value = value[0], value[1:]
    for prefix in _CURRENCY_PREFIXES:
        if value.upper().startswith(prefix):
            value = value[len(prefix) :]
            break
    for suffix in _CURRENCY_SUFFIXES:
        if value.upper().endswith(suffix):
            value = value[: -len(suffix)]
            break
    return sign + value


def whole_number(minimum: int = 0, maximum: int = _INT32_MAX) -> Parser:
    def parse(value: str) -> int:
        try:
            result = number(value)
        except CellError:
            raise CellError("is not a whole number (expected e.g. 250 or 1,200)") from None
        if not result.is_integer():
            raise CellError("is not a whole number (expected e.g. 250 or 1,200)")
        if not minimum <= result <= maximum:
            raise CellError(f"is out of range (expected {minimum:,} to {maximum:,})")
        return int(result)

    return parse


def non_negative_number(value: str) -> float:
    result = number(value)
    if result < 0:
        raise CellError("is negative (expected 0 or more)")
    return result


def iso_date(value: str) -> date:
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # the slower path below gives the precise message
    folded = unicodedata.normalize("NFKC", value)
    match = _ISO_DATE.fullmatch(folded) or _JA_DATE.fullmatch(folded)
    if match is None:
        raise CellError(f"is not a date {_DATE_HINT}")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"is not a real calendar date {_DATE_HINT}") from None


def _typed_date(value: object) -> date | None:
    if value.__class__ is date:
        return value  # type: ignore[return-value]
    # A timestamp's own calendar day, as its ISO text would read.
    return value.date() if isinstance(value, datetime) else None


iso_date.typed = _typed_date  # type: ignore[attr-defined]


def boolean(value: str) -> bool:
    folded = unicodedata.normalize("NFKC", value).casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("is not a yes/no value (expected true/false, yes/no, 1/0 or はい/いいえ)")


def choice(choices: Iterable[str], synonyms: Mapping[str, str] | None = None) -> Parser:
    """Case-insensitive; spaces and hyphens count as underscores, so "CS Ops" finds cs_ops."""
    allowed = tuple(choices)
    lookup = {option: option for option in allowed} | dict(synonyms or {})
    expected = ", ".join(allowed)

    def parse(value: str) -> str:
        key = re.sub(r"[\s-]+", "_", unicodedata.normalize("NFKC", value).casefold())
        if key not in lookup:
            raise CellError(f"is not one of the allowed values (expected one of: {expected})")
        return lookup[key]

    parse.allowed = allowed  # type: ignore[attr-defined]  # a value map can translate into these
    return parse


def email(value: str) -> str:
    # Matching owners to team members must not depend on how a CRM happened to capitalise an address.
    folded = value.casefold()
    if len(folded) > 320 or not _EMAIL.fullmatch(folded):
        raise CellError("is not an email address (expected e.g. hanako.sato@example.com)")
    return folded


def domain(value: str) -> str:
    """CRM exports hold a website ("https://www.acme.com/"); the account needs the bare domain."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    folded = re.sub(r"^[a-z][a-z0-9+.-]*://", "", folded)
    folded = folded.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    folded = folded.removeprefix("www.").rstrip(".")
    if len(folded) > 255 or not _DOMAIN.fullmatch(folded):
        raise CellError("is not a domain or website (expected e.g. example.co.jp)")
    return folded


def slack_user_id(value: str) -> str:
    if not _SLACK_USER_ID.fullmatch(value):
        raise CellError("is not a Slack user id (expected e.g. U02ABCDEF)")
    return value


def timezone(value: str) -> str:
    bracketed = _BRACKETED_ZONE.fullmatch(value)
    name = bracketed.group(1) if bracketed else value
    zones = _known_zones()
    # Without tzdata on the host there is nothing to check against; accept rather than reject everything.
    if zones and name not in zones:
        raise CellError("is not an IANA time zone (expected e.g. Asia/Tokyo)")
    return name


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def locale(value: str) -> str:
    match = _LOCALE.fullmatch(value.strip())
    if match is None:
        raise CellError("is not a locale (expected e.g. ja, en or ja-JP)")
    language, region = match.groups()
    return language.lower() if region is None else f"{language.lower()}-{region.upper()}"
