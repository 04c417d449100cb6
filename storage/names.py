"""How account names are normalised for loose matching ("acme" finds "Acme Corporation").

The normal form is what the `search_name` and `search_alias` columns hold, so it lives with the tables:
a change here needs a migration that recomputes them (see 0006).
"""

import re
import unicodedata

# Legal-form words that say nothing about which company is meant.
_LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "bv",
    "nv",
    "kk",
    "pte",
    "pty",
    "holdings",
}
_LEGAL_JA = ("株式会社", "有限会社", "合同会社", "（株）", "(株)", "㈱")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


# Katakana ァ (U+30A1) to ヶ (U+30F6) sit 0x60 above their hiragana; ヷ–ヺ and ー have no hiragana twin.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def normalise_name(name: str) -> str:
    """Fold width, case and kana (サクラ and さくら are one name to a person typing), drop legal forms
    and punctuation, keep kanji as they are."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_KATAKANA_TO_HIRAGANA)
    for form in _LEGAL_JA:
        text = text.replace(unicodedata.normalize("NFKC", form).casefold(), " ")
    words = [w for w in _NON_WORD.split(text) if w and w not in _LEGAL_SUFFIXES]
    return " ".join(words) if words else " ".join(w for w in _NON_WORD.split(text) if w)
