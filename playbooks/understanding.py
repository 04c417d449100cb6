"""Understanding an org-design question: its language, its topic, and what it says about the company.

The topic comes from the classifier learned from the question corpus (playbooks/topics.py); when it
is unsure, the question carries the likeliest topics to offer instead of one to answer. The company
facts (playbooks/company_facts.py), the KPIs and the lifecycle phase named are read by rules. The
same text always gives the same `Question`. Text is NFKC-normalised first so full-width letters and
digits match the patterns.
"""

import re
from dataclasses import dataclass
from typing import Literal

from playbooks.amounts import normalise
from playbooks.company_facts import CompanyProfile, profile_from_text
from playbooks.patterns import JAPANESE
from playbooks.patterns import NO_LATIN_AFTER as _R
from playbooks.patterns import NO_LATIN_BEFORE as _L
from playbooks.patterns import rx as _rx
from playbooks.topics import Topic, default_classifier, on_topic


@dataclass(frozen=True)
class Question:
    text: str
    lang: Literal["ja", "en"]
    topic: Topic | None  # the topic to answer; None when unsure or not an org-design question
    profile: CompanyProfile
    # The likeliest topics, two or three: offered as buttons when unsure, and beside a confident answer
    # as the other readings. Empty when the asker picked the topic, or the text is not a question.
    choices: tuple[Topic, ...] = ()
    confidence: float = 1.0  # the classifier's probability for its likeliest reading
    off_topic: bool = False  # the likeliest reading is that this is not an org-design question
    lifecycle_phase: str | None = None  # qualification|onboarding|adoption|renewal|expansion
    kpi: str | None = None  # the first KPI named: a key of the KPI knowledge (nrr, grr, logo_churn, …)
    kpis: tuple[str, ...] = ()  # every KPI named, in the order of the text

    @property
    def unsure(self) -> bool:
        """No topic to answer, but some worth offering."""
        return self.topic is None and bool(self.choices)

    @property
    def asks_to_choose(self) -> bool:
        """Unsure of an org-design question: the answer is the choice of topics. (Unsure of text that is
        probably not one, the answer is the menu, with the likeliest topics beside it.)"""
        return self.unsure and not self.off_topic

    @property
    def other_readings(self) -> tuple[Topic, ...]:
        """Beside a confident answer: the next likeliest topics, to switch to if it was misread."""
        return tuple(choice for choice in self.choices if choice != self.topic)[:2]


_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# One Latin word carries about as much as two Japanese characters: "CSMのKPIはNRRとGRRどちら?" is
# Japanese with English terms in it, "Who owns renewals at a 5万ドル company?" is English.
_CHARACTERS_PER_WORD = 2


def mostly_japanese(text: str) -> bool:
    """True when Japanese outweighs English in the text (a company name or an amount does not tip it)."""
    text = normalise(text)
    japanese = len(JAPANESE.findall(text))
    return japanese > _CHARACTERS_PER_WORD * len(_LATIN_WORD.findall(text))


# What marks a text as a question even when no topic is recognised in it.
_QUESTION_MARK = re.compile(r"[?？]\s*$")
_QUESTION_OPENER = _rx(
    r"^(?:who|whom|whose|what|what's|which|how|why|when|where|should|shall|do|does|did|is|are|can|could|"
    r"would|will|must|may)\b"
)
_QUESTION_JA = re.compile(
    r"何|誰|どう|どの|どれ|どちら|どこ|いつ|べき|ですか|ますか|でしょうか|教えて|知りたい"
)

# KPI names, matched at their position; at a tie the longer match wins ("解約率" over "解約").
_KPI_NAMES: dict[str, re.Pattern[str]] = {
    "nrr": _rx(
        rf"{_L}NRR{_R}|{_L}NDR{_R}|net (?:revenue |dollar )?retention|ネットレベニューリテンション|"
        r"ネット(?:売上|収益)?維持率|(?<!グロス)売上維持率|収益維持率|売上継続率"
    ),
    "grr": _rx(
        rf"{_L}GRR{_R}|gross (?:revenue |dollar )?retention|グロスレベニューリテンション|"
        r"グロス(?:売上|収益)?維持率"
    ),
    "logo_churn": _rx(r"logo churn|churn rate|customer churn|解約率|ロゴチャーン|顧客解約"),
    "churn": _rx(r"churn|チャーン|解約"),
    "upsell": _rx(r"up-?sell|アップセル"),
    "extension": _rx(r"\bextensions?\b|エクステンション|他部署(?:への)?展開|部署展開"),
    "cross_sell": _rx(r"cross-?sell|cross sell|クロスセル"),
    "downsell": _rx(r"down-?sell|downgrade|ダウンセル|ダウングレード"),
    "arr_per_csm": _rx(r"ARR per CSM|CSM1人あたり(?:の)?ARR|CSM一人あたり(?:の)?ARR"),
    "value_points": _rx(r"value points?|バリューポイント"),
}

_PHASES: dict[str, re.Pattern[str]] = {
    "qualification": _rx(r"qualif|クオリフィケーション|見極め|準備段階"),
    "onboarding": _rx(r"onboard|オンボーディング|導入初期|立ち上げ"),
    "adoption": _rx(r"adoption|活用(?:フェーズ|段階|促進|支援)|定着|アダプション|利用促進"),
    "renewal": _rx(r"renewals?|renew(?:ing|ed|s)?\b|契約更新|更新|リニューアル"),
    "expansion": _rx(
        r"up-?sell(?:s|ing)?|expansions?|expand(?:ing)?\b|cross-?sell(?:s|ing)?|cross sell|add-?ons?|"
        r"アップセル|クロスセル|(?<!事業)(?<!組織)(?<!チーム)(?<!規模)拡大|拡販|追加(?:ライセンス|契約|購入)|"
        r"エクスパンション"
    ),
}


def _first(patterns: dict[str, re.Pattern[str]], text: str) -> str | None:
    """The key whose pattern matches earliest; at a tie, the longer match."""
    best: tuple[int, int, str] | None = None
    for key, pattern in patterns.items():
        match = pattern.search(text)
        if match and (best is None or (match.start(), -len(match.group())) < best[:2]):
            best = (match.start(), -len(match.group()), key)
    return best[2] if best else None


def _all_named(patterns: dict[str, re.Pattern[str]], text: str) -> tuple[str, ...]:
    """Every key whose pattern matches, in the order of the text; a match inside a longer one of another
    key does not count ("churn" inside "logo churn")."""
    found = sorted(
        (match.start(), -(match.end() - match.start()), key)
        for key, pattern in patterns.items()
        for match in pattern.finditer(text)
    )
    taken: list[str] = []
    reached = -1
    for start, negative_length, key in found:
        if start < reached:
            continue
        reached = start - negative_length
        if key not in taken:
            taken.append(key)
    return tuple(taken)


def understand(
    text: str,
    *,
    jpy_per_usd: float = 120.0,
    reader_language: str | None = None,
    topic: Topic | None = None,
) -> Question:
    """`reader_language` is the asker's own language (their Slack locale): the answer is in it unless the
    question is mostly Japanese, so one Japanese name in an English question does not switch languages.
    `topic`, when given, is the topic the asker picked (a button): the text is not classified again."""
    normal = normalise(text)
    kpis = _all_named(_KPI_NAMES, normal)
    language: Literal["ja", "en"] = "ja" if mostly_japanese(text) or reader_language == "ja" else "en"
    off_topic = False
    if topic is not None:
        read, choices, confidence = topic, (), 1.0
    else:
        reading = default_classifier().read(text)
        read, choices, confidence = None, tuple(reading.choices()), reading.confidence
        off_topic = on_topic(reading.topic) is None
        if reading.confident:
            read = on_topic(reading.topic)
            if off_topic:  # confidently not an org-design question: nothing to offer but the menu
                choices = ()
    return Question(
        text=text,
        lang=language,
        topic=read,
        profile=profile_from_text(normal, jpy_per_usd=jpy_per_usd),
        choices=choices,
        confidence=confidence,
        off_topic=off_topic,
        lifecycle_phase=_first(_PHASES, normal),
        kpi=kpis[0] if kpis else None,
        kpis=kpis,
    )


def looks_like_question(text: str) -> bool:
    """A question mark, a question word, or a confident reading of a playbook topic: text to answer, not
    a mistyped command."""
    normal = normalise(text).strip()
    if _QUESTION_MARK.search(normal) or _QUESTION_OPENER.search(normal) or _QUESTION_JA.search(normal):
        return True
    reading = default_classifier().read(normal)
    return reading.confident and on_topic(reading.topic) is not None
