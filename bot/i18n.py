"""One message catalogue for every user-facing string: gettext catalogues read through Babel.

English strings in the code are the message ids; `bot/locale/<lang>/LC_MESSAGES/messages.po` holds
the translations. The .po files are compiled in memory on first use, so there is no build step and
no binary .mo file to keep in step with its source.
"""

import io
import re
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

from bot.render.mrkdwn import Trusted, escape

LOCALE_DIR = Path(__file__).parent / "locale"
_AFTER_JAPANESE_STOP = re.compile(r"([。、！？）」])\s+")
SUPPORTED = ("en", "ja")


def supported_language(tag: str | None) -> str | None:
    """Map a Slack locale such as `ja-JP` or `en-GB` to a language we have, or None."""
    if not tag:
        return None
    language = tag.replace("_", "-").split("-", 1)[0].lower()
    return language if language in SUPPORTED else None


def choose_language(*candidates: str | None, default: str = "en") -> str:
    """The first candidate we support, in order of preference; else the workspace default."""
    for candidate in candidates:
        language = supported_language(candidate)
        if language:
            return language
    return default


@cache
def translations(language: str) -> NullTranslations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Translator:
    """gettext plus locale-aware number, money and date formatting for one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._translations = translations(language)

    def gettext(self, message: str, **values: object) -> str:
        text = self._translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def safe_gettext(self, message: str, **values: object) -> str:
        """gettext for mrkdwn: the values are escaped, the catalogue text is not."""
        # Always interpolate (as Jinja's new-style gettext does), so a literal percent is written %%.
        return Trusted(self._translations.gettext(message) % {k: escape(v) for k, v in values.items()})

    def safe_ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return Trusted(text % {"num": n, **{k: escape(v) for k, v in values.items()}})

    @staticmethod
    def whole(value: float) -> int:
        """Round half up, as people do (Python's round() would show 67.5 as 68 but 66.5 as 66)."""
        return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def number(self, value: float, digits: int = 0) -> str:
        return format_decimal(round(value, digits), locale=self.locale)

    def percent(self, ratio: float, digits: int = 0) -> str:
        pattern = "#,##0." + "0" * digits + "%" if digits else None
        return format_percent(ratio, format=pattern, locale=self.locale)

    def money(self, amount: float, currency: str) -> str:
        # ARR is shown in whole units: cents add noise to a figure people compare at a glance.
        return format_currency(amount, currency, format="¤#,##0", locale=self.locale, currency_digits=False)

    def listing(self, items: Iterable[object], *, alternatives: bool = False) -> str:
        """ "A, B, and C" / "A、B、C" (with `alternatives`, "A, B, or C" / "A、B、またはC"): a list
        written as the language writes one. The items keep their type, so escaped text stays escaped."""
        given = list(items)
        if not given:
            return ""
        joined = format_list(
            [str(item) for item in given], style="or" if alternatives else "standard", locale=self.locale
        )
        return Trusted(joined) if all(isinstance(item, Trusted) for item in given) else joined

    def one_line(self, text: str) -> str:
        """The text on one line (a notification's fallback): whitespace runs become one space, and none
        is left after Japanese punctuation, where a space does not belong."""
        flat = " ".join(text.split())
        return _AFTER_JAPANESE_STOP.sub(r"\1", flat) if self.language == "ja" else flat

    def points_lost(self, points: float) -> str:
        """ "−13.9 points", "−1 point": the points a measure costs, one decimal, singular for exactly one."""
        shown = self.number(points, 1)
        return self.safe_ngettext(
            "−%(points)s point", "−%(points)s points", 1 if shown == "1" else 2, points=shown
        )

    @property
    def gap(self) -> str:
        """What goes between two sentences: a space in English, nothing after Japanese 。."""
        return "" if self.language == "ja" else " "

    def aside(self, text: object, *, emoji: str = "") -> str:
        """A remark in brackets after what it qualifies: " (text)" / "（text）", full width in Japanese.
        `emoji` is a Slack emoji code of our own put before the text (":warning: ")."""
        inner = emoji + escape(text)
        return Trusted(f"（{inner}）" if self.language == "ja" else f" ({inner})")

    def date(self, day: date) -> str:
        return format_date(day, format="medium", locale=self.locale)

    def month_and_year(self, day: date) -> str:
        """ "October 2026" / "2026年10月"."""
        return format_skeleton("yMMMM", day, locale=self.locale)


@cache
def translator(language: str) -> Translator:
    return Translator(language if language in SUPPORTED else "en")
