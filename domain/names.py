"""How account names are normalised for loose matching ("acme" finds "Acme Corporation")."""

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


def normalise_name(name: str) -> str:
    """Fold width and case, drop legal forms and punctuation, keep Japanese characters as they are."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in _LEGAL_JA:
        text = text.replace(unicodedata.normalize("NFKC", form).casefold(), " ")
    words = [w for w in _NON_WORD.split(text) if w and w not in _LEGAL_SUFFIXES]
    return " ".join(words) if words else " ".join(w for w in _NON_WORD.split(text) if w)
