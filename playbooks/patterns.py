"""Regular-expression pieces shared by the rules that read questions (company facts, KPI names, language)."""

import re

# Latin-word guards: Python's \b treats kana and kanji as word characters, so "CSは" has no boundary
# after "CS". These look only at Latin letters.
NO_LATIN_BEFORE = r"(?<![A-Za-z])"
NO_LATIN_AFTER = r"(?![A-Za-z])"
# Hiragana, katakana (full and half width) and kanji.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def rx(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern: questions capitalise terms every way."""
    return re.compile(pattern, re.I)
