"""Understanding an org-design question: its language, topic, and what it says about the company.

Keyword rules in English and Japanese, no model and no network: the same text always gives the same
`Question`. The text is NFKC-normalised first so full-width letters and digits match the patterns.
"""

import re
from dataclasses import dataclass
from typing import Literal

from domain.company_models import CompanyModelName
from playbooks.amounts import normalise, parse_count, parse_money

Topic = Literal[
    "strategy",
    "reporting_line",
    "leader_profile",
    "csm_profile",
    "renewal_owner",
    "expansion_owner",
    "csm_metrics",
    "team_size",
    "org_chart",
    "lifecycle",
    "ttv",
    "renewal_models",
    "kpi",
    "cs_definition",
]


@dataclass(frozen=True)
class CompanyProfile:
    stage: Literal["startup", "growth"] | None = None
    acv_usd: float | None = None  # average contract value in USD
    technical_buyer: bool = False
    plg: bool = False
    customers: int | None = None


@dataclass(frozen=True)
class Question:
    text: str
    lang: Literal["ja", "en"]
    topic: Topic | None  # None when nothing matched
    profile: CompanyProfile
    lifecycle_phase: str | None = None  # qualification|onboarding|adoption|renewal|expansion
    kpi: str | None = None  # the first KPI named: a key of the KPI knowledge (nrr, grr, logo_churn, …)
    kpis: tuple[str, ...] = ()  # every KPI named, in the order of the text


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


# Latin-word guards: Python's \b treats kana and kanji as word characters, so "CSは" has no boundary
# after "CS". These look only at Latin letters.
_L = r"(?<![A-Za-z])"
_R = r"(?![A-Za-z])"

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# One Latin word carries about as much as two Japanese characters: "CSMのKPIはNRRとGRRどちら?" is
# Japanese with English terms in it, "Who owns renewals at a 5万ドル company?" is English.
_CHARACTERS_PER_WORD = 2


def mostly_japanese(text: str) -> bool:
    """True when Japanese outweighs English in the text (a company name or an amount does not tip it)."""
    text = normalise(text)
    japanese = len(_JAPANESE.findall(text))
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

# --- Company profile cues -------------------------------------------------------------------------
# Explicit funding rounds decide the stage before anything else ("Series B startup planning an IPO").
_ROUND_STARTUP = _rx(rf"{_L}(?:pre-?seed|seed)|series\s*[ab]{_R}|シード|シリーズ\s*[ab]{_R}")
_ROUND_GROWTH = _rx(rf"series\s*[c-h]{_R}|シリーズ\s*[c-h]{_R}")
# Growth cues. "product-led growth" is a go-to-market, not a stage; 未上場/非上場 mean *not* listed.
_GROWTH = _rx(
    rf"(?<!led )(?<!led-)growth[- ](?:stage|phase|company|companies|firm)|late[r]?[- ]stage|"
    rf"private growth|publicly[- ](?:traded|listed)|public (?:company|companies|firm|corporation|saas)|"
    rf"(?:went|gone|are|is|we're|we’re) public|listed company|{_L}IPO{_R}|enterprise[- ]scale|"
    r"(?<![未非])上場|大企業|大手企業|(?<!レッド)(?<!主導)グロース(?:ステージ|期|企業|フェーズ)|レイター|成長期"
)
_STARTUP = _rx(rf"start-?ups?{_R}|early[- ]stage|スタートアップ|アーリー|ベンチャー|創業期")

# The buyer is technical. "sales/solutions/support engineer" are roles on *our* side, not the buyer.
_TECHNICAL = _rx(
    rf"dev-?ops|developers?{_R}|(?<!sales )(?<!solutions )(?<!support )engineers?{_R}|"
    rf"engineering (?:teams?|leaders?|org)|security (?:teams?|buyers?|product|vendor|tool)|"
    rf"{_L}(?:CTO|CISO|SRE)s?{_R}|technical (?:buyers?|audience|users)|infrastructure teams?|"
    r"開発者|エンジニア|セキュリティ|情報システム|情シス|技術者|IT部門"
)
# "IT" only in capitals: "it" is an everyday word.
_TECHNICAL_IT = re.compile(rf"{_L}IT{_R}(?! is)")
_PLG = _rx(
    rf"product[- ]led|{_L}PLG{_R}|self[- ]serv(?:e|ice)|freemium|free (?:trial|plan|tier)|"
    r"bottom[- ]up|プロダクトレッド|プロダクト主導|セルフサーブ|セルフサービス|無料トライアル|フリーミアム|"
    r"無料プラン|フリープラン"
)

# --- Topic vocabulary -----------------------------------------------------------------------------
_RENEWAL = _rx(r"renewals?|renew(?:ing|ed|s)?\b|契約更新|更新|リニューアル")
_EXPANSION = _rx(
    r"up-?sell(?:s|ing)?|expansions?|expand(?:ing)?\b|cross-?sell(?:s|ing)?|cross sell|add-?ons?|"
    r"アップセル|クロスセル|(?<!事業)(?<!組織)(?<!チーム)(?<!規模)拡大|拡販|追加(?:ライセンス|契約|購入)|エクスパンション"
)
_OWNER = _rx(
    r"\bwho(?:m|se)?\b|which (?:team|role|department|function|person|group)|"
    r"\bown(?:s|ed|ing|er|ers|ership)?\b|responsib|accountab|in charge|\bhandl(?:e|es|ing)\b|"
    r"\bclos(?:e|es|ing)\b|"
    r"誰|担当|責任|持つ|担う|主管|オーナー|どの(?:部署|部門|チーム|役割|職種)|どちら|任せ|受け持"
)
_COMPARE = _rx(
    r"compar|pros (?:and|&|/) cons|pros/cons|trade-?offs?|advantages|disadvantages|upsides?|downsides?|"
    r"\bmodels\b|different (?:ways|options|approaches|models)|options for|approaches|"
    r"比較|メリット|デメリット|長所|短所|モデル|パターン|選択肢|方式|種類"
)
_CSM = _rx(
    rf"{_L}CSMs?{_R}|customer success managers?|カスタマーサクセスマネージャー|CS担当|CSメンバー|"
    rf"(?:CS|customer success) (?:reps?|people|staff)"
)
_CS_TEAM = _rx(rf"(?:{_L}CS|customer success) (?:team|org|department)|CSチーム|CS部門|CS組織")
_MEASURE = _rx(
    rf"measur|metrics?|{_L}KPIs?{_R}|{_L}OKRs?{_R}|evaluat|assess|performance review|goals?\b|targets?\b|"
    r"quota|\bcomp\b|compensat|\bpa(?:y|id)\b|bonus|incentiv|variable|"
    r"評価|報酬|給与|給料|インセンティブ|ボーナス|目標|KPI|指標|成果"
)
_MEASURE_TEAM = _rx(
    r"measur|evaluat|compensat|\bpa(?:y|id)\b|bonus|incentiv|評価|報酬|インセンティブ|ボーナス"
)
_REPORTING = _rx(
    r"report(?:s|ing)? (?:in)?to|reporting (?:line|structure|chain)|report under|"
    r"\bsit (?:under|within|in)\b|belong (?:to|under)|"
    r"\bunder (?:sales|the CEO|the CRO|the COO|marketing|product)|"
    r"レポートライン|誰の下|どこの下|配下|直下|報告先|誰に報告|所属|指揮系統|ぶら下"
)
_LEADER = _rx(
    rf"(?:{_L}CS|customer success) (?:leaders?|leadership|head|director|executive|VP)|"
    rf"head of (?:CS|customer success)|{_L}VPs?{_R}|vice president|chief customer officer|{_L}CCO{_R}|"
    r"\bleaders?\b|\bexecutive\b|責任者|リーダー|部長|統括|トップ|役員|マネージャー"
)
_PROFILE = _rx(
    r"\bhir(?:e|es|ed|ing)\b|recruit|profile|kind of|type of|sort of|background|look(?:ing)? for|qualit|"
    r"skills?|experience|traits?|characteristics|persona|what makes a (?:good|great)|"
    r"どんな|どういう|どのような|人物像|採用|スキル|経験|資質|適性|求める|タイプ|向いて|人材"
)
_TEAM_SIZE = _rx(
    r"how many (?:CSMs?|people|persons|staff|heads|members|hires|employees|FTEs?|customer success|CS\b)|"
    r"how many\b.{0,30}(?:per CSM|do we need|should we (?:hire|have)|to hire)|team size|"
    r"size (?:of )?(?:the|our|my|a) (?:CS |customer success )?team|head ?count|"
    r"how (?:big|large) (?:should|is|must|does|do|can)|staffing|(?:accounts|customers|clients) per CSM|"
    r"何人|何名|人数|人員|チーム(?:の)?規模|組織(?:の)?規模|増員|1人あたり|一人あたり"
)
_ORG_CHART = _rx(
    r"org(?:ani[sz]ation(?:al)?)? ?chart|org structure|organi[sz]ational structure|team structure|"
    r"structur(?:e|ing) (?:the|our|my|a) (?:CS |customer success )?(?:team|org|organi[sz]ation|department)|"
    r"organi[sz]e (?:the|our|my) (?:CS |customer success )?team|all-?rounders?|generalists?|specialists?|"
    r"\bpods?\b|regional teams?|teams? by region|"
    r"組織図|組織体制|組織構造|組織の形|組織設計|体制|チーム構成|オールラウンダー|スペシャリスト|地域別|エリア別"
)
_TTV = _rx(
    rf"time[- ]to[- ]value|{_L}TTV{_R}|first value|価値実感|価値を実感|価値を感じ|タイムトゥバリュー|"
    r"ファーストバリュー|初期価値"
)
_KPI_WORDS = _rx(
    rf"{_L}KPIs?{_R}|{_L}KGIs?{_R}|formula|calculat|comput|retention rate|renewal rate|"
    r"計算|算出|数式|指標|継続率|更新率|維持率|解約率"
)
_LIFECYCLE = _rx(
    r"onboard|adoption|life ?cycle|customer journey|journey|qualification|qualify|"
    r"(?:each|every|which|customer) (?:phase|stage)|(?:renewal|expansion|adoption) (?:phase|stage)|"
    r"オンボーディング|アダプション|活用(?:フェーズ|段階|促進|支援)|定着|ライフサイクル|カスタマージャーニー|"
    r"クオリフィケーション|顧客(?:の)?フェーズ|(?<!事業)フェーズ|導入支援|立ち上げ"
)
_CS_DEFINITION = _rx(
    rf"what(?: is|'s|’s) (?:CS|customer success){_R}|what does customer success mean|"
    rf"define (?:CS|customer success)|"
    rf"definition of (?:CS|customer success)|why (?:do we need |does |is )?(?:CS|customer success){_R}|"
    r"(?:differen|distinguish|\bvs\.?\b|versus).{0,40}(?:support|service|account manag)|"
    r"(?:support|service|account manag).{0,40}(?:differen|\bvs\.?\b|versus)|"
    r"カスタマーサクセスとは|CSとは|(?:CS|カスタマーサクセス)の定義|"
    r"(?:サポート|サービス|アカウントマネジメント).{0,20}(?:違い|違う|異なる|区別)|"
    r"(?:違い|区別).{0,20}(?:サポート|サービス)"
)
_STRATEGY = _rx(
    r"strateg|focus|priorit|mission|north star|what should (?:CS|customer success|we) (?:do|focus)|"
    r"role of (?:CS|customer success)|戦略|方針|注力|重点|優先|ミッション|集中|何をすべき|役割"
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
    "renewal": _RENEWAL,
    "expansion": _EXPANSION,
}


def _first(patterns: dict[str, re.Pattern[str]], text: str) -> str | None:
    """The key whose pattern matches earliest; at a tie, the longer match."""
    best: tuple[int, int, str] | None = None
    for key, pattern in patterns.items():
        match = pattern.search(text)
        if match and (best is None or (match.start(), -len(match.group())) < best[:2]):
            best = (match.start(), -len(match.group()), key)
    return best[2] if best else None


def _owner_topic(text: str) -> Topic | None:
    """renewal_owner / expansion_owner: the deal named first, asked about with a 'who' cue."""
    if not _OWNER.search(text):
        return None
    renewal, expansion = _RENEWAL.search(text), _EXPANSION.search(text)
    if renewal and (expansion is None or renewal.start() <= expansion.start()):
        return "renewal_owner"
    if expansion:
        return "expansion_owner"
    return None


def _topic(text: str, kpi: str | None) -> Topic | None:
    """The topic asked about. Rules run most specific first; the first that matches wins:

    1. renewal_models — renewals *and* a comparison word (pros and cons, 比較, モデル…): the general
       comparison of ownership models beats "who owns renewals for my company".
    2. renewal_owner / expansion_owner — a renewal or expansion word with a "who" cue (who, own,
       誰, 担当, 責任…); whichever deal is named first.
    3. team_size — "how many CSMs", headcount, 何人, 人数: before the profile rules, since
       "how many CSMs should we hire" is about size, not the kind of person.
    4. csm_metrics — CSMs (or the CS team) with measure/pay words; before kpi so that
       "should CSMs be measured on NRR?" is about CSMs, not the NRR formula.
    5. reporting_line — "report to", レポートライン, 誰の下; before leader_profile because
       "who should the VP of CS report to" names a leader but asks about the line.
    6. org_chart — structure words (組織図, 体制, specialists…); before the profile rules because
       "どんな組織図" has a profile word (どんな) but asks about structure.
    7. leader_profile, then 8. csm_profile — a person plus hire/profile words; a leader cue wins.
    9. ttv, 10. kpi (a KPI name or formula words), 11. lifecycle — TTV before lifecycle because
       TTV questions usually mention onboarding or adoption too.
    12. cs_definition, 13. strategy — the broadest words come last.
    """
    if _RENEWAL.search(text) and _COMPARE.search(text):
        return "renewal_models"
    owner = _owner_topic(text)
    if owner:
        return owner
    if _TEAM_SIZE.search(text):
        return "team_size"
    if (_CSM.search(text) and _MEASURE.search(text)) or (
        _CS_TEAM.search(text) and _MEASURE_TEAM.search(text)
    ):
        return "csm_metrics"
    if _REPORTING.search(text):
        return "reporting_line"
    if _ORG_CHART.search(text):
        return "org_chart"
    if _PROFILE.search(text):
        if _LEADER.search(text):
            return "leader_profile"
        if _CSM.search(text) or re.search(rf"{_L}CS{_R}|customer success|カスタマーサクセス", text, re.I):
            return "csm_profile"
    if _TTV.search(text):
        return "ttv"
    if kpi is not None or _KPI_WORDS.search(text):
        return "kpi"
    if _LIFECYCLE.search(text):
        return "lifecycle"
    if _CS_DEFINITION.search(text):
        return "cs_definition"
    if _STRATEGY.search(text):
        return "strategy"
    return None


def _stage(text: str) -> Literal["startup", "growth"] | None:
    # Precedence: a named round, then growth cues, then generic startup words, so that a
    # "growth-stage startup" is growth but a "Series B startup preparing its IPO" is a startup.
    if _ROUND_STARTUP.search(text):
        return "startup"
    if _ROUND_GROWTH.search(text) or _GROWTH.search(text):
        return "growth"
    if _STARTUP.search(text):
        return "startup"
    return None


def profile_from_text(text: str, *, jpy_per_usd: float = 120.0) -> CompanyProfile:
    """What the text says about the company; fields it says nothing about stay None / False."""
    text = normalise(text)
    return CompanyProfile(
        stage=_stage(text),
        acv_usd=parse_money(text, jpy_per_usd=jpy_per_usd),
        technical_buyer=bool(_TECHNICAL.search(text) or _TECHNICAL_IT.search(text)),
        plg=bool(_PLG.search(text)),
        customers=parse_count(text),
    )


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


def understand(text: str, *, jpy_per_usd: float = 120.0, reader_language: str | None = None) -> Question:
    """`reader_language` is the asker's own language (their Slack locale): the answer is in it unless the
    question is mostly Japanese, so one Japanese name in an English question does not switch languages."""
    normal = normalise(text)
    kpis = _all_named(_KPI_NAMES, normal)
    kpi = kpis[0] if kpis else None
    language: Literal["ja", "en"] = "ja" if mostly_japanese(text) or reader_language == "ja" else "en"
    return Question(
        text=text,
        lang=language,
        topic=_topic(normal, kpi),
        profile=profile_from_text(normal, jpy_per_usd=jpy_per_usd),
        lifecycle_phase=_first(_PHASES, normal),
        kpi=kpi,
        kpis=kpis,
    )


def looks_like_question(text: str) -> bool:
    """A question mark, a question word, or a topic the playbook knows: text to answer, not a command."""
    normal = normalise(text).strip()
    if _QUESTION_MARK.search(normal) or _QUESTION_OPENER.search(normal) or _QUESTION_JA.search(normal):
        return True
    return _topic(normal, _first(_KPI_NAMES, normal)) is not None


def company_model(profile: CompanyProfile, *, threshold_usd: float = 75_000) -> CompanyModelName | None:
    """Which of the six company models fits, or None when stage or ACV is missing.

    PLG and technical buyer outrank the stage × ACV split because they change how customers buy,
    whatever the size. When both apply, PLG wins: the technical-buyer model assumes a sales-led
    motion (pre-sales engineers, sales owning renewals), while a self-serve developer tool is sold
    and grown the product-led way.
    """
    if profile.plg:
        return "plg"
    if profile.technical_buyer:
        return "technical_buyer"
    if profile.stage is None or profile.acv_usd is None:
        return None
    high = profile.acv_usd >= threshold_usd
    if profile.stage == "startup":
        return "high_touch_startup" if high else "low_touch_startup"
    return "high_touch_growth" if high else "low_touch_growth"


def missing_for_model(profile: CompanyProfile) -> list[str]:
    """What to ask for before `company_model` can answer: "stage", "acv", both, or nothing."""
    if profile.plg or profile.technical_buyer:
        return []
    missing = []
    if profile.stage is None:
        missing.append("stage")
    if profile.acv_usd is None:
        missing.append("acv")
    return missing
