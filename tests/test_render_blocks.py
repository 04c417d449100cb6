"""The renderers on their own: the Block Kit each one draws for the health card, the scheduled messages
and customer wins, from plain values and without Slack or a database.

Every payload goes through `Message.payload()` or `View.to_dict()`, which validate the blocks against
Slack's limits; the checks here are about what a person sees and which buttons carry which values.
"""

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot import slack_ids
from bot.local import texts
from bot.render import sweep as render_sweep
from bot.render.health import choose_account, health_card
from bot.render.mrkdwn import escape_within
from bot.render.wins import STORY_SHOWN, WINS_LISTED, month_listing, submission_errors, win_modal, win_reply
from domain.accounts import Lookup
from domain.digest.month import Month
from domain.health.card import Drag, Renewal
from domain.health.scoring import MeasureResult
from domain.wins import MAX_STORY, MonthWins, WinOutcome
from storage.accounts import AccountRef
from storage.reminders import ReminderDetail
from storage.wins import WinRecord, WinView
from tests.factories import health_card_of

TODAY = date(2026, 11, 23)
HOSTILE = "<!channel> & <@U123> Partners"
HOSTILE_ESCAPED = "&lt;!channel&gt; &amp; &lt;@U123&gt; Partners"

SEATS = MeasureResult("seat_utilisation", "adoption", 25, 0.1, 0)
TICKETS = MeasureResult("open_tickets", "support", 10, 9, 25)
NPS = MeasureResult("nps", "advocacy", 15, 40, 75)
TOUCH = MeasureResult("days_since_touch", "relationship", 10, None, None)
CARD = health_card_of(
    account_id=7,
    external_id="A-7",
    segment="enterprise",
    renewal=Renewal(date(2027, 1, 31), 69, 120000, False, None, None),
    score=37.5,
    band="red",
    baseline_score=50.0,
    trend_days=30,
    history=[50.0, 45.0, None, 40.0, 37.5],
    drags=[Drag(SEATS, 50.0), Drag(TICKETS, 15.0)],
    strongest=NPS,
    no_data=[TOUCH],
    measures_total=4,
    min_measures=3,
)


def everything(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def block_types(payload: dict[str, Any]) -> list[str]:
    return [block["type"] for block in payload["blocks"]]


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [element for b in payload["blocks"] if b["type"] == "actions" for element in b["elements"]]


# --- the health card ------------------------------------------------------------------------------


def test_the_card_reads_title_figures_drivers_context_then_a_share_button() -> None:
    payload = health_card(CARD, language="en", currency="USD").payload()
    assert block_types(payload) == ["section", "section", "section", "context", "actions"]
    fields = [field["text"].split("\n")[0] for field in payload["blocks"][1]["fields"]]
    assert fields == ["*Health*", "*Trend, last 30 days*", "*ARR*", "*Next renewal*", "*Owners*"]
    drivers = payload["blocks"][2]["text"]["text"]
    # The biggest drag first; the strongest measure and the measures without data are named too.
    assert drivers.index("Seat utilisation") < drivers.index("Open support tickets")
    assert "NPS" in drivers and "Last touch" in drivers
    [share] = buttons(payload)
    assert (share["action_id"], share["value"]) == (slack_ids.SHARE_HEALTH_CARD, "7")
    assert payload["text"] == "Acme Corporation: health 38 (red). Renews Jan 31, 2027."


def test_the_trend_line_marks_days_without_a_score() -> None:
    trend = health_card(CARD, language="en", currency="USD").payload()["blocks"][1]["fields"][1]["text"]
    assert "`▅▄·▄▄`" in trend and "Down 12 points from 50" in trend


def test_a_shared_card_says_who_shared_it_and_offers_no_button() -> None:
    payload = health_card(CARD, language="ja", currency="JPY", shared_by="U0AE01").payload()
    assert "actions" not in block_types(payload)
    context = texts(payload)[-1]
    assert context.startswith("<@U0AE01>さんが共有 · ")
    assert "￥120,000" in everything(payload)


def test_a_card_without_drivers_has_no_drivers_section() -> None:
    quiet = replace(CARD, drags=[], strongest=None, no_data=[])
    assert block_types(health_card(quiet, language="en", currency="USD").payload()) == [
        "section",
        "section",
        "context",
        "actions",
    ]


def test_a_hostile_account_name_is_escaped_in_blocks_and_fallback() -> None:
    payload = health_card(replace(CARD, name=HOSTILE), language="en", currency="USD").payload()
    assert "<!channel>" not in everything(payload) and "<@U123>" not in everything(payload)
    assert texts(payload)[0] == f"*{HOSTILE_ESCAPED}*  `A-7`"
    assert payload["text"].startswith(HOSTILE_ESCAPED)


def test_choosing_an_account_offers_one_button_per_account_and_says_how_many_more() -> None:
    refs = [
        AccountRef(id=1, external_id="A-1", name="<!here> " + "x" * 100, search_name="", domain=None),
        AccountRef(id=2, external_id="A-2", name="Globex & Co", search_name="", domain=None),
    ]
    payload = choose_account("glo", refs, 4, language="en").payload()
    assert block_types(payload) == ["section", "divider", "actions"]
    labels = [button["text"]["text"] for button in buttons(payload)]
    assert labels[1] == "Globex &amp; Co"
    assert labels[0].startswith("&lt;!here&gt; x") and labels[0].endswith("…") and len(labels[0]) <= 75
    assert [(b["action_id"], b["value"]) for b in buttons(payload)] == [
        (f"{slack_ids.PICK_HEALTH_ACCOUNT}:1", "1"),
        (f"{slack_ids.PICK_HEALTH_ACCOUNT}:2", "2"),
    ]
    assert "4 more not shown" in payload["text"]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("a & b", 75, "a &amp; b"), ("&&&&", 12, "&amp;&amp;…"), ("abcdef", 4, "abc…"), ("<<", 5, "&lt;…")],
)
def test_escaping_within_a_limit_never_cuts_an_entity(text: str, limit: int, expected: str) -> None:
    assert escape_within(text, limit) == expected


# --- renewal reminders ----------------------------------------------------------------------------

REMINDER = ReminderDetail(
    id=11,
    contract_id=3,
    account_id=7,
    account_name=HOSTILE,
    external_id="A-7",
    target_date=date(2026, 12, 3),
    end_date=date(2027, 1, 31),
    auto_renew=True,
    notice_days=60,
    window_days=30,
    arr=120000,
    owner_email="emily@example.com",
    owner_name="Emily Carter",
    rule="model:fell_back",
    handled=None,
    handled_by=None,
    contract_status="active",
    score=65.3,
    band="yellow",
)
RENEWED = replace(
    REMINDER,
    id=12,
    account_name="Crest Labs",
    external_id="A-13",
    target_date=date(2027, 1, 10),
    end_date=date(2027, 1, 10),
    auto_renew=False,
    notice_days=None,
    rule="taken",
    handled="renewed",
    handled_by="U0EMILY",
    score=None,
    band=None,
)


def test_a_renewal_dm_offers_four_buttons_per_open_reminder_and_notes_handled_ones() -> None:
    payload = render_sweep.renewal_dm(
        [REMINDER, RENEWED], outbox_id=42, language="en", currency="USD", today=TODAY
    ).payload()
    assert block_types(payload) == ["section", "section", "actions", "section", "context"]
    assert texts(payload)[0] == "*2 renewals to act on*"
    assert [(b["action_id"], b["value"]) for b in buttons(payload)] == [
        (slack_ids.RENEWAL_MARK_RENEWED, "42:11"),
        (slack_ids.RENEWAL_FLAG_AT_RISK, "42:11"),
        (slack_ids.RENEWAL_SNOOZE, "42:11"),
        (slack_ids.RENEWAL_TAKE_OWNERSHIP, "42:11"),
    ]
    first = texts(payload)[1]
    assert first.startswith(f"*{HOSTILE_ESCAPED}* `A-7` · notice due by Dec 3, 2026 (10 days left)")
    assert "Owner: Emily Carter (the ownership model)" in first and "so it fell back" in first
    assert texts(payload)[2].startswith("*Crest Labs* `A-13` · renews Jan 10, 2027 (48 days left)")
    assert "no health data" in texts(payload)[2]
    assert texts(payload)[3] == ":white_check_mark: Marked renewed by <@U0EMILY>"


def test_the_notification_text_of_a_renewal_dm_cannot_ping_a_channel() -> None:
    payload = render_sweep.renewal_dm(
        [REMINDER], outbox_id=1, language="en", currency="USD", today=TODAY
    ).payload()
    assert payload["text"] == f"1 renewal to act on · {HOSTILE_ESCAPED}"
    assert "<!channel>" not in everything(payload)


def test_a_renewal_dm_longer_than_one_message_says_what_is_left_and_where() -> None:
    many = [replace(REMINDER, id=n, account_name=f"Account {n}") for n in range(render_sweep.MAX_ITEMS + 3)]
    payload = render_sweep.renewal_dm(many, outbox_id=1, language="en", currency="USD", today=TODAY).payload()
    assert len(payload["blocks"]) <= 50
    assert texts(payload)[-1] == "…and 3 more, not shown here: `/cs renewals` lists them all."
    assert len(buttons(payload)) == 4 * render_sweep.MAX_ITEMS


def test_one_part_of_a_channel_reminder_says_which_items_it_holds() -> None:
    payload = render_sweep.renewal_channel(
        [REMINDER, RENEWED], language="ja", currency="USD", today=TODAY, part=render_sweep.Part(21, 40)
    ).payload()
    assert texts(payload)[:2] == [
        "*本日の更新リマインダー: 40件*",
        "全40件のうち21〜22件目です。残りは一緒に送った別のメッセージにあります。",
    ]
    lines = texts(payload)[2].split("\n")
    assert lines[0].startswith(f"• *{HOSTILE_ESCAPED}* · 解約通知の期限は2026/12/03（残り10日）")
    assert lines[1].startswith("• *Crest Labs* · 2027/01/10に更新（残り48日）")


def test_a_very_long_channel_list_is_cut_into_sections_and_says_how_many_were_left_out() -> None:
    many = [replace(REMINDER, id=n, account_name=f"Account {n}") for n in range(1000)]
    payload = render_sweep.renewal_channel(many, language="en", currency="USD", today=TODAY).payload()
    sections = [b["text"]["text"] for b in payload["blocks"][1:] if b["type"] == "section"]
    assert len(sections) == render_sweep.MAX_LINE_SECTIONS
    assert all(len(s) <= 3000 and len(s.split("\n")) <= 20 for s in sections)
    shown = sum(len(s.split("\n")) for s in sections)
    assert texts(payload)[-1] == f"…and {1000 - shown} more, not shown here: `/cs renewals` lists them all."
    assert len(payload["blocks"]) <= 50


# --- at-risk alerts -------------------------------------------------------------------------------

ALERT: dict[str, Any] = {
    "id": 5,
    "account_id": 7,
    "account_name": HOSTILE,
    "external_id": "A-7",
    "score": 30.0,
    "band": "red",
    "reasons": ["turned_red", "renewal_not_green"],
    "measures": [SEATS.as_dict(), NPS.as_dict()],
    "acknowledged_on": None,
    "acknowledged_by": None,
}
ACKNOWLEDGED = ALERT | {
    "id": 6,
    "account_name": "Beta",
    "external_id": "A-8",
    "score": None,
    "reasons": ["dropped"],
    "measures": [],
    "acknowledged_on": date(2026, 11, 22),
    "acknowledged_by": "U0EMILY",
}


def test_a_risk_dm_names_reasons_and_drags_with_one_acknowledge_button_per_open_alert() -> None:
    payload = render_sweep.risk_dm([ALERT, ACKNOWLEDGED], outbox_id=9, language="en").payload()
    assert block_types(payload) == ["section", "section", "actions", "section", "context"]
    assert texts(payload)[0] == "*2 accounts need attention*"
    assert texts(payload)[1] == (
        f"*{HOSTILE_ESCAPED}* `A-7` · 30 (red)\nturned red and renews soon and is not green\n"
        "Pulling it down: Seat utilisation and NPS"
    )
    assert [(b["action_id"], b["value"]) for b in buttons(payload)] == [(slack_ids.RISK_ACKNOWLEDGE, "9:5")]
    assert texts(payload)[2] == "*Beta* `A-8` · — (red)\nfell sharply over the trend window"
    assert texts(payload)[3] == ":white_check_mark: Acknowledged by <@U0EMILY> on Nov 22, 2026"


def test_an_escalation_says_nobody_acknowledged_the_alerts() -> None:
    payload = render_sweep.risk_dm([ALERT], outbox_id=9, language="ja", escalated=True).payload()
    assert payload["text"] == "誰も確認していないリスクアラートが1件あり、あなたに回しました"


def test_a_risk_channel_post_gives_each_alert_one_line_in_japanese() -> None:
    payload = render_sweep.risk_channel([ALERT, ACKNOWLEDGED], language="ja").payload()
    assert texts(payload) == [
        "*本日の新しいリスクアラート: 2件*",
        f"• *{HOSTILE_ESCAPED}* `A-7` · 30（赤） · 赤になった、更新が近いのに緑ではない\n"
        "• *Beta* `A-8` · —（赤） · 推移期間中に大きく低下",
    ]
    assert buttons(payload) == []


def test_the_weekly_summary_lists_accounts_without_a_score_as_no_data() -> None:
    rows = [{"account_name": "Nova", "external_id": "A-17", "score": None, "band": None}]
    payload = render_sweep.risk_summary(rows, language="en").payload()
    assert texts(payload) == ["*Weekly risk summary: 1 account at risk*", "• *Nova* `A-17` · — (no data)"]


# --- customer wins --------------------------------------------------------------------------------

ACME = AccountRef(id=7, external_id="A-7", name=HOSTILE, search_name="", domain=None)


def win(number: int, **more: Any) -> WinView:
    fields: dict[str, Any] = {
        "id": number,
        "account_id": 7,
        "account_name": "Acme Corporation",
        "external_id": "A-7",
        "story": f"Story {number}",
        "impact": None,
        "author_slack_user_id": "U0EMILY",
        "author_name": "Emily Carter",
        "recorded_by_slack_user_id": "U0EMILY",
        "won_on": TODAY,
        "source": "command",
    }
    return WinView(**(fields | more))


def test_a_recorded_win_names_the_account_escaped_and_the_digest_month() -> None:
    record = WinRecord(
        id=1, account_id=7, story="s", impact=None, author_slack_user_id="U1", won_on=TODAY, source="command"
    )
    outcome = WinOutcome("recorded", query="acme", lookup=Lookup(query="acme", match=ACME), win=record)
    payload = win_reply(outcome, language="ja").payload()
    assert (
        payload["text"]
        == f":tada: *{HOSTILE_ESCAPED}* の成功事例を記録しました。11月のダイジェストに掲載されます。"
    )
    assert block_types(payload) == ["section"]


def test_the_months_wins_are_listed_a_page_at_a_time_with_stories_shortened() -> None:
    wins = [win(n) for n in range(WINS_LISTED + 5)]
    wins[0] = win(
        0, story="Saved <b> a day. " * 40, impact="+$5k", author_slack_user_id="", author_name="Mal <x>"
    )
    month = MonthWins(month=Month(2026, 11), wins=wins, in_progress=True)
    payload = month_listing(month, language="en").payload()
    assert texts(payload)[0] == "*35 customer wins so far in November 2026*"
    first = texts(payload)[1].split("\n")[0]
    story = first.split(" — ", 1)[1].split(" · ")[0]
    assert story.startswith("Saved &lt;b&gt; a day.") and story.endswith("…")
    assert len(story.replace("&lt;", "<").replace("&gt;", ">")) <= STORY_SHOWN
    assert "credited to Mal &lt;x&gt;" in first and ":chart_with_upwards_trend: +$5k" in first
    assert sum(text.count("\n• ") + 1 for text in texts(payload)[1:] if text.startswith("• ")) == WINS_LISTED
    [more] = buttons(payload)
    assert (more["action_id"], more["value"]) == (slack_ids.LISTING_MORE, "wins:2026-11:30")
    assert more["text"]["text"] == "Show the next 5"


def test_a_month_without_wins_is_one_section_and_the_current_one_says_how_to_add_one() -> None:
    october = month_listing(MonthWins(month=Month(2026, 10), wins=[], in_progress=False), language="en")
    assert block_types(october.payload()) == ["section"]
    assert october.text == "No customer wins were recorded in October 2026."
    november = month_listing(MonthWins(month=Month(2026, 11), wins=[], in_progress=True), language="en")
    assert "November 2026 yet" in november.text
    assert "`/cs win &lt;account&gt; &lt;story&gt;`" in november.text


def test_the_win_modal_asks_for_account_story_and_optional_impact() -> None:
    view = win_modal(language="en", story="We <!channel> won", author="U0EMILY", private_metadata="C1:123.4")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [
        slack_ids.WIN_ACCOUNT_BLOCK,
        slack_ids.WIN_STORY_BLOCK,
        slack_ids.WIN_IMPACT_BLOCK,
    ]
    assert [b.get("optional", False) for b in inputs] == [False, False, True]
    # The story is the message's own text, offered for editing in a plain-text input.
    assert inputs[1]["element"]["initial_value"] == "We <!channel> won"
    assert inputs[1]["element"]["max_length"] == MAX_STORY
    assert view["blocks"][-1]["elements"][0]["text"] == "The win will be credited to <@U0EMILY>."
    assert (view["callback_id"], view["private_metadata"]) == (slack_ids.CUSTOMER_WIN_MODAL, "C1:123.4")


@pytest.mark.parametrize(
    ("outcome", "block"),
    [
        (WinOutcome("no_account"), slack_ids.WIN_ACCOUNT_BLOCK),
        (WinOutcome("not_found", query="acmx", lookup=Lookup(query="acmx")), slack_ids.WIN_ACCOUNT_BLOCK),
        (WinOutcome("no_story"), slack_ids.WIN_STORY_BLOCK),
        (WinOutcome("story_too_long", length=5000), slack_ids.WIN_STORY_BLOCK),
        (WinOutcome("impact_too_long", length=900), slack_ids.WIN_IMPACT_BLOCK),
    ],
)
def test_a_modal_error_sits_under_the_field_it_is_about(outcome: WinOutcome, block: str) -> None:
    errors = submission_errors(outcome, language="en")
    assert errors is not None and list(errors) == [block] and errors[block]


def test_a_recorded_win_leaves_the_modal_without_errors() -> None:
    assert submission_errors(WinOutcome("recorded"), language="en") is None
