"""Made-up company names in English and Japanese, with domains and (for Japanese names) romaji aliases."""

import random
from collections.abc import Callable
from dataclasses import dataclass

from storage.names import normalise_name

# Stems and trades are combined freely; none of them may contain "acme", so that the query "acme"
# keeps pointing at exactly one demo account.
_EN_STEMS = (
    "Northwind", "Bluebird", "Silverline", "Redwood", "Brightpath", "Clearwater", "Ironbridge",
    "Summit", "Harborview", "Maplecrest", "Evergreen", "Lighthouse", "Quantix", "Pinnacle", "Granite",
    "Copperfield", "Falconer", "Orchid", "Atlasway", "Beaconsfield", "Kestrel", "Windmere", "Stonegate",
    "Blue Heron", "Juniper", "Cobalt", "Riverbend", "Starling", "Oakhurst", "Tidewater", "Vantage",
    "Highland", "Meridian", "Foxglove", "Sparrow", "Westbrook",
)  # fmt: skip
_EN_TRADES = (
    "Analytics", "Logistics", "Health", "Foods", "Systems", "Labs", "Retail", "Energy", "Media",
    "Capital", "Robotics", "Software", "Networks", "Manufacturing", "Travel", "Insurance", "Learning",
    "Biotech", "Outfitters", "Freight",
)  # fmt: skip
# (legal form, top-level domain) pairs that belong together in each region.
_EN_FORMS = {
    "north_america": (("Inc.", "com"), ("LLC", "com"), ("Corp.", "com"), ("", "io"), ("Co.", "com")),
    "emea": (("Ltd", "co.uk"), ("plc", "co.uk"), ("GmbH", "de"), ("SAS", "fr"), ("BV", "nl"), ("", "eu")),
    "apac": (("Pte Ltd", "com.sg"), ("Pty Ltd", "com.au"), ("Ltd", "co.nz"), ("", "com")),
    "japan": (("K.K.", "co.jp"), ("Japan", "jp"), ("Inc.", "com")),
}

# (written form, romaji) pairs: the romaji gives the domain and an alias people type in Slack.
_JA_KANJI_STEMS = (
    ("青葉", "aoba"), ("東邦", "toho"), ("北斗", "hokuto"), ("桜井", "sakurai"), ("富士見", "fujimi"),
    ("三葉", "mitsuba"), ("光洋", "koyo"), ("白鷺", "shirasagi"), ("若葉", "wakaba"), ("大和田", "owada"),
    ("朝霧", "asagiri"), ("緑川", "midorikawa"), ("高砂", "takasago"), ("千歳", "chitose"),
    ("瀬戸内", "setouchi"), ("浜松町", "hamamatsucho"), ("日向", "hinata"), ("秋月", "akizuki"),
)  # fmt: skip
_JA_KANJI_TRADES = (
    ("物流", "Logistics"), ("製作所", "Works"), ("商事", "Trading"), ("電機", "Electric"),
    ("食品", "Foods"), ("建設", "Construction"), ("化学", "Chemical"), ("精工", "Precision"),
    ("運輸", "Transport"), ("不動産", "Realty"), ("印刷", "Printing"), ("薬品", "Pharma"),
)  # fmt: skip
_JA_KANA_STEMS = (
    ("サクラ", "sakura"), ("ミライ", "mirai"), ("ヒカリ", "hikari"), ("ソラ", "sora"), ("アオイ", "aoi"),
    ("ツバサ", "tsubasa"), ("ハルカ", "haruka"), ("カエデ", "kaede"), ("ミナト", "minato"),
    ("コハク", "kohaku"), ("ユズ", "yuzu"), ("イロハ", "iroha"),
)  # fmt: skip
_JA_KANA_TRADES = (
    ("テック", "Tech"), ("ソリューションズ", "Solutions"), ("ネットワークス", "Networks"), ("ラボ", "Lab"),
    ("デザイン", "Design"), ("データ", "Data"), ("クラウド", "Cloud"), ("メディカル", "Medical"),
    ("リテール", "Retail"), ("エナジー", "Energy"),
)  # fmt: skip


@dataclass(frozen=True)
class CompanyName:
    name: str
    domain: str
    aliases: tuple[str, ...] = ()


def _slug(*words: str) -> str:
    return "-".join(w.lower().replace(" ", "") for w in words if w)


class CompanyNamer:
    """Hands out company names that differ once normalised, so every demo account is findable."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self._rng = rng
        self._taken: set[str] = set(taken or ())
        self._domains: set[str] = set()

    def reserve(self, name: str, domain: str) -> None:
        self._taken.add(normalise_name(name))
        self._domains.add(domain)

    def english(self, region: str) -> CompanyName:
        def make() -> CompanyName:
            stem, trade = self._rng.choice(_EN_STEMS), self._rng.choice(_EN_TRADES)
            suffix, tld = self._rng.choice(_EN_FORMS[region])
            name = " ".join(part for part in (stem, trade, suffix) if part)
            return CompanyName(name, f"{_slug(stem, trade)}.{tld}")

        return self._unique(make)

    def japanese(self) -> CompanyName:
        def make() -> CompanyName:
            if self._rng.random() < 0.6:
                (stem, romaji), (trade, english) = (
                    self._rng.choice(_JA_KANJI_STEMS),
                    self._rng.choice(_JA_KANJI_TRADES),
                )
            else:
                (stem, romaji), (trade, english) = (
                    self._rng.choice(_JA_KANA_STEMS),
                    self._rng.choice(_JA_KANA_TRADES),
                )
            # Both placements of the legal form occur in real registries (前株 and 後株).
            name = f"株式会社{stem}{trade}" if self._rng.random() < 0.5 else f"{stem}{trade}株式会社"
            alias = f"{romaji.capitalize()} {english}"
            tld = self._rng.choice(("co.jp", "co.jp", "jp"))
            return CompanyName(name, f"{_slug(romaji, english)}.{tld}", (alias,))

        return self._unique(make)

    def _unique(self, make: Callable[[], CompanyName]) -> CompanyName:
        for _ in range(1000):
            candidate = make()
            key = normalise_name(candidate.name)
            if key not in self._taken and candidate.domain not in self._domains:
                self._taken.add(key)
                self._domains.add(candidate.domain)
                return candidate
        raise RuntimeError("ran out of distinct demo company names; lower the number of accounts")


def numbered_company(rng: random.Random, number: int) -> CompanyName:
    """A name for bulk fixtures (tens of thousands of accounts): a number keeps the pooled names distinct."""
    if rng.random() < 0.3:
        (stem, romaji), (trade, english) = rng.choice(_JA_KANJI_STEMS), rng.choice(_JA_KANJI_TRADES)
        return CompanyName(
            f"株式会社{stem}{trade} {number}",
            f"{_slug(romaji, english)}-{number}.co.jp",
            (f"{romaji} {number}",),
        )
    stem, trade = rng.choice(_EN_STEMS), rng.choice(_EN_TRADES)
    suffix, tld = rng.choice(_EN_FORMS[rng.choice(("north_america", "emea", "apac"))])
    name = " ".join(part for part in (stem, trade, str(number), suffix) if part)
    return CompanyName(name, f"{_slug(stem, trade)}-{number}.{tld}")
