"""The words of a question, as the topic classifier sees them: lemmas, not raw substrings.

Japanese goes through SudachiPy's morphological analyser (the core dictionary), which splits the text
into words and gives each its normalised dictionary form, so 持つ/持ちます/持って and 担当する/担当して
are one word each, and so are spelling variants (ひかく/比較, シュミレーション/シミュレーション); its
short split (mode A) also breaks compounds such as 契約更新 into 契約 + 更新, so a question that says
only 更新 shares the word. English (and the Latin words inside Japanese text,
"CSM", "renewals") is lower-cased and reduced by a few suffix rules: renewals → renewal,
owning → own. Particles, punctuation and symbols are left out: they carry no topic.
"""

import re
from functools import cache

from sudachipy import Dictionary, SplitMode, Tokenizer

from playbooks.amounts import normalise
from playbooks.patterns import JAPANESE

_LATIN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Parts of speech that carry no topic: particles, auxiliary symbols, blanks.
_SKIPPED = {"助詞", "補助記号", "空白"}


@cache
def _tokenizer() -> Tokenizer:
    # Loading the dictionary takes a few tens of milliseconds and some memory: once per process.
    return Dictionary(dict="core").tokenizer(mode=SplitMode.A)


def english_lemma(word: str) -> str:
    """A light lemma: plural and verb endings off, enough to make renewals/renewal and owns/owned/
    owning one feature. Deliberately simple; the character n-grams cover what it misses."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: len(word) - len(suffix)] + replacement
    return word


def words(text: str) -> list[str]:
    """The lemmas of the text in order, lower-cased."""
    text = normalise(text)
    if not JAPANESE.search(text):
        return [english_lemma(w) for w in _LATIN_WORD.findall(text.lower())]
    found = []
    for morpheme in _tokenizer().tokenize(text):
        if morpheme.part_of_speech()[0] in _SKIPPED:
            continue
        form = morpheme.normalized_form().lower()
        if _LATIN_WORD.fullmatch(form):
            form = english_lemma(form)
        found.append(form)
    return found
