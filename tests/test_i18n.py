"""The message catalogue: every user-facing string has a Japanese translation with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import choose_language, translator
from bot.render.mrkdwn import Trusted, escape

ROOT = Path(__file__).parent.parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "safe_gettext": None,
    "safe_ngettext": (1, 2),
}
METHOD_MAP = [
    ("bot/templates/**.j2", "jinja2"),
    ("playbooks/templates/**.j2", "jinja2"),
    ("bot/**.py", "python"),
    ("handlers/**.py", "python"),
    ("domain/**.py", "python"),
    ("playbooks/**.py", "python"),
]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    found = set()
    jinja = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True"}
    options = {"bot/templates/**.j2": jinja, "playbooks/templates/**.j2": jinja}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), METHOD_MAP, options_map=options, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def test_every_message_has_a_japanese_translation_with_the_same_placeholders() -> None:
    with (ROOT / "bot/locale/ja/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    messages = source_messages()
    assert len(messages) > 50
    missing = []
    for message in sorted(messages):
        entry = catalog.get(message)
        translated = entry.string if entry else None
        if isinstance(translated, tuple | list):
            translated = translated[0]
        if not translated:
            missing.append(message)
            continue
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(translated)), message
    assert missing == [], f"untranslated: {missing}"


def test_language_follows_the_slack_locale_then_the_member_then_the_workspace() -> None:
    assert choose_language("ja-JP", "en", default="en") == "ja"
    assert choose_language("fr-FR", "ja", default="en") == "ja"
    assert choose_language(None, None, default="ja") == "ja"
    assert choose_language("en-GB", "ja", default="ja") == "en"


def test_safe_gettext_escapes_values_but_keeps_trusted_mentions() -> None:
    tr = translator("en")
    assert (
        tr.safe_gettext("Shared by %(user)s", user="<!channel> & co") == "Shared by &lt;!channel&gt; &amp; co"
    )
    assert tr.safe_gettext("Shared by %(user)s", user=Trusted("<@U1>")) == "Shared by <@U1>"
    assert translator("ja").safe_gettext("Shared by %(user)s", user=Trusted("<@U1>")) == "<@U1>さんが共有"


def test_escape_only_touches_the_three_characters_slack_reserves() -> None:
    assert escape("a < b > c & \"d\" 'e'") == "a &lt; b &gt; c &amp; \"d\" 'e'"


def test_money_and_dates_follow_the_language() -> None:
    from datetime import date

    assert translator("en").money(1200000, "USD") == "$1,200,000"
    assert translator("ja").money(1200000, "JPY") == "￥1,200,000"
    assert translator("ja").date(date(2027, 1, 31)) == "2027/01/31"


def test_scores_are_shown_rounded_half_up() -> None:
    tr = translator("en")
    assert [tr.whole(v) for v in (65.3, 66.5, 67.5, 99.49, 0.5)] == [65, 67, 68, 99, 1]


def test_a_person_is_a_mention_or_their_name_escaped_once() -> None:
    from bot.render.mrkdwn import person

    assert person("U0EMILY", "Emily") == "<@U0EMILY>"
    assert person(None, "Tom & <Jerry>") == "Tom &amp; &lt;Jerry&gt;"
    assert escape(person(None, "Tom & <Jerry>")) == "Tom &amp; &lt;Jerry&gt;"  # not escaped twice
    assert person(None, None) == "—"


def test_segment_and_region_names_are_translated_however_the_crm_wrote_them() -> None:
    from bot.render.labels import region_label, scorecard_label, segment_label

    ja, en = translator("ja"), translator("en")
    assert [segment_label(s, ja) for s in ("Mid-Market", "mid market", "ENTERPRISE")] == [
        "ミッドマーケット",
        "ミッドマーケット",
        "エンタープライズ",
    ]
    assert region_label("North America", ja) == "北米"
    # A workspace's own names win, per language; a language it did not name keeps the built-in one.
    own = {"SMB": {"ja": "中小企業"}, "public_sector": {"ja": "官公庁", "en": "Public sector"}}
    assert segment_label("smb", ja, own) == "中小企業" and segment_label("smb", en, own) == "SMB"
    assert segment_label("Public Sector", ja, own) == "官公庁"
    assert segment_label("retail", ja, own) == "retail"  # unknown everywhere: shown as written
    assert scorecard_label("default", ja, {}, {}) == "標準"
    assert scorecard_label("enterprise", ja, {}, {}) == "エンタープライズ"
    assert scorecard_label("public_sector", ja, {}, own) == "官公庁"


def test_display_names_in_an_unknown_language_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from bot.config import ConfigError, load_config

    path = tmp_path / "csbot.yml"
    path.write_text("labels:\n  segments:\n    smb: {fr: PME}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"labels\.segments\.smb\.fr"):
        load_config(path)
