"""Customer wins: `/cs win`, `/cs wins` and "Share as customer win", end to end through the signed HTTP path.

The workspace is tests.factories' small one: Acme Corporation (alias ACME, id A-1), 株式会社さくら物流 (A-2),
Globex Japan (A-3), Globex America (A-4) and a hostile name (A-5). Bob (AE, English) and 佐藤 美咲 (CSM,
Japanese) are on the team; the stranger is not. The workspace is in Tokyo; now is noon there, 2026-11-23.
"""

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot import slack_ids
from bot.config import load_config
from bot.local import LocalWorkspace, texts
from domain.clock import fixed_clock
from domain.wins import MAX_STORY, parse_win_text, problem_with
from handlers.slack_text import message_as_plain_text, unescape
from storage.models import AuditEntry, CustomerWin
from storage.wins import record_win, wins_between
from tests.factories import AE_ID, CSM_ID, NOW, STRANGER_ID, TODAY, build_small_workspace

HOSTILE_NAME = "<!channel> & <@U123> Partners"
MESSAGE_TS = "1700000000.000200"


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return build_small_workspace(engine)


@pytest.fixture
def workspace(engine: Engine, ids: dict[str, int]) -> Iterator[LocalWorkspace]:
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        yield workspace


def wins(engine: Engine) -> list[CustomerWin]:
    with Session(engine) as session:
        return list(session.exec(select(CustomerWin).order_by(CustomerWin.id)).all())  # type: ignore[arg-type]


def audit(engine: Engine) -> list[tuple[str, str | None, str, int | None, str | None]]:
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    return [(e.action, e.query, e.outcome, e.account_id, e.slack_user_id) for e in entries]


def add_win(engine: Engine, account_id: int, day: date, story: str, **more: Any) -> int:
    fields: dict[str, Any] = {
        "impact": None,
        "author_slack_user_id": CSM_ID,
        "recorded_by_slack_user_id": CSM_ID,
        "created_at": NOW,
        "source": "command",
    }
    fields.update(more)
    recorded = record_win(engine, account_id=account_id, story=story, won_on=day, **fields)
    assert recorded is not None
    return recorded.id


# --- reading `/cs win` text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "account", "query", "story"),
    [
        ('"Acme Corporation" renewed for two years', "acme", "Acme Corporation", "renewed for two years"),
        ("“Globex Japan” expanded to three teams", "globex_jp", "Globex Japan", "expanded to three teams"),
        ('"Globex Japan": went live', "globex_jp", "Globex Japan", "went live"),
        (
            "「株式会社さくら物流」オンボーディングを3週間に短縮",
            "sakura",
            "株式会社さくら物流",
            "オンボーディングを3週間に短縮",
        ),
    ],
)
def test_a_quoted_account_comes_first(
    engine: Engine, ids: dict[str, int], typed: str, account: str, query: str, story: str
) -> None:
    parsed = parse_win_text(engine, typed)
    assert parsed.lookup is not None and parsed.lookup.match is not None
    assert (parsed.lookup.match.id, parsed.query, parsed.story) == (ids[account], query, story)


@pytest.mark.parametrize(
    ("typed", "account", "query", "story"),
    [
        ("acme: renewed for two years", "acme", "acme", "renewed for two years"),
        ("Globex America - doubled their seats", "globex_us", "Globex America", "doubled their seats"),
        ("globex japan | went live in a week", "globex_jp", "globex japan", "went live in a week"),
        ("さくら物流：オンボーディングを短縮", "sakura", "さくら物流", "オンボーディングを短縮"),
    ],
)
def test_a_separator_ends_the_account(
    engine: Engine, ids: dict[str, int], typed: str, account: str, query: str, story: str
) -> None:
    parsed = parse_win_text(engine, typed)
    assert parsed.lookup is not None and parsed.lookup.match is not None
    assert (parsed.lookup.match.id, parsed.query, parsed.story) == (ids[account], query, story)


@pytest.mark.parametrize(
    ("typed", "account", "query", "story"),
    [
        ("globex japan expanded to three teams", "globex_jp", "globex japan", "expanded to three teams"),
        ("Acme Corp renewed early", "acme", "Acme Corp", "renewed early"),
        ("株式会社さくら物流 大型更新を獲得", "sakura", "株式会社さくら物流", "大型更新を獲得"),
        ("A-1 renewed early", "acme", "A-1", "renewed early"),  # a dash inside an id is no separator
        ("acme :tada: renewed", "acme", "acme", ":tada: renewed"),  # nor is an emoji's colon
        ("acme renewed: two more years", "acme", "acme", "renewed: two more years"),
    ],
)
def test_otherwise_the_longest_leading_words_that_find_one_account(
    engine: Engine, ids: dict[str, int], typed: str, account: str, query: str, story: str
) -> None:
    parsed = parse_win_text(engine, typed)
    assert parsed.lookup is not None and parsed.lookup.match is not None
    assert (parsed.lookup.match.id, parsed.query, parsed.story) == (ids[account], query, story)
    assert problem_with(parsed) is None


def test_what_is_wrong_with_a_win_text(engine: Engine, ids: dict[str, int]) -> None:
    assert problem_with(parse_win_text(engine, "  ")) == "no_account"
    assert problem_with(parse_win_text(engine, "acme")) == "no_story"
    assert problem_with(parse_win_text(engine, '"Acme Corporation"')) == "no_story"
    ambiguous = parse_win_text(engine, "globex expanded")
    assert problem_with(ambiguous) == "ambiguous" and ambiguous.query == "globex"
    assert [ref.name for ref in ambiguous.lookup.choices] == ["Globex America", "Globex Japan"]  # type: ignore[union-attr]
    assert problem_with(parse_win_text(engine, "globex: expanded")) == "ambiguous"
    unknown = parse_win_text(engine, "acmee renewed for two years")
    assert problem_with(unknown) == "not_found" and unknown.query == "acmee"
    assert unknown.lookup.suggestions == ["Acme Corporation"]  # type: ignore[union-attr]
    too_long = parse_win_text(engine, "acme " + "x" * (MAX_STORY + 1))
    assert problem_with(too_long) == "story_too_long"
    assert problem_with(parse_win_text(engine, "acme " + "x" * MAX_STORY)) is None
    assert problem_with(parse_win_text(engine, "acme fine"), impact="y" * 501) == "impact_too_long"


def test_slack_text_is_turned_back_into_what_was_typed() -> None:
    assert unescape("a &lt;b&gt; &amp;lt; c") == "a <b> &lt; c"
    assert (
        message_as_plain_text(
            "Thanks <@U0AE01>! <!here> see <https://acme.com/x|the deck> in <#C1|wins> &amp; <https://a.io>"
        )
        == "Thanks @U0AE01! @here see the deck (https://acme.com/x) in #wins & https://a.io"
    )


# --- storage ----------------------------------------------------------------------------------------


def test_wins_between_includes_both_ends_in_day_order(engine: Engine, ids: dict[str, int]) -> None:
    add_win(engine, ids["acme"], date(2026, 10, 31), "october")
    last = add_win(engine, ids["acme"], date(2026, 11, 30), "last day", author_slack_user_id="U0GONE")
    first = add_win(engine, ids["sakura"], date(2026, 11, 1), "first day", impact="+20% seats")
    add_win(engine, ids["acme"], date(2026, 12, 1), "december")
    found = wins_between(engine, date(2026, 11, 1), date(2026, 11, 30))
    assert [(w.id, w.story) for w in found] == [(first, "first day"), (last, "last day")]
    sakura, acme = found
    assert (sakura.account_name, sakura.external_id, sakura.impact, sakura.author_name) == (
        "株式会社さくら物流",
        "A-2",
        "+20% seats",
        "佐藤 美咲",
    )
    assert (acme.author_slack_user_id, acme.author_name, acme.won_on, acme.source) == (
        "U0GONE",
        None,
        date(2026, 11, 30),
        "command",
    )
    assert wins_between(engine, date(2026, 11, 2), date(2026, 11, 29)) == []


def test_a_message_is_one_win_per_account_but_typed_wins_never_clash(
    engine: Engine, ids: dict[str, int]
) -> None:
    shared = {"source": "shortcut", "source_channel": "C1", "source_ts": MESSAGE_TS}
    add_win(engine, ids["acme"], TODAY, "from a message", **shared)
    again = record_win(
        engine,
        account_id=ids["acme"],
        story="the same message again",
        impact=None,
        author_slack_user_id=CSM_ID,
        recorded_by_slack_user_id=AE_ID,
        won_on=TODAY,
        created_at=NOW,
        **shared,
    )
    assert again is None
    add_win(engine, ids["sakura"], TODAY, "the same message, another account", **shared)
    add_win(engine, ids["acme"], TODAY, "typed")
    add_win(engine, ids["acme"], TODAY, "typed")
    assert [w.story for w in wins(engine)] == [
        "from a message",
        "the same message, another account",
        "typed",
        "typed",
    ]


# --- /cs win, end to end -----------------------------------------------------------------------------


def test_win_records_credits_the_author_and_names_the_digest(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    reply = workspace.reply_to("win acme Renewed for two years with 20 more seats", AE_ID)
    assert reply["text"] == (
        ":tada: Customer win recorded for *Acme Corporation*. It will appear in the digest for November."
    )
    [win] = wins(workspace.engine)
    assert (win.account_id, win.story, win.impact, win.source) == (
        ids["acme"],
        "Renewed for two years with 20 more seats",
        None,
        "command",
    )
    assert (win.author_slack_user_id, win.recorded_by_slack_user_id, win.won_on) == (AE_ID, AE_ID, TODAY)
    assert win.created_at.replace(tzinfo=UTC) == NOW
    assert (win.source_channel, win.source_ts) == (None, None)
    assert audit(workspace.engine) == [("win", "acme", "recorded", ids["acme"], AE_ID)]


def test_win_in_japanese(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    reply = workspace.reply_to("成功事例 「株式会社さくら物流」オンボーディングを3週間に短縮", CSM_ID)
    assert reply["text"] == (
        ":tada: *株式会社さくら物流* の成功事例を記録しました。11月のダイジェストに掲載されます。"
    )
    [win] = wins(workspace.engine)
    assert (win.account_id, win.story, win.author_slack_user_id) == (
        ids["sakura"],
        "オンボーディングを3週間に短縮",
        CSM_ID,
    )


def test_win_on_an_unknown_account_suggests_and_records_nothing(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("win acmee renewed for two years", AE_ID)
    assert (
        reply["text"] == "No account matches “acmee”. Did you mean: Acme Corporation?\nNothing was recorded."
    )
    assert wins(workspace.engine) == []
    assert audit(workspace.engine) == [("win", "acmee", "not_found", None, AE_ID)]


def test_win_on_several_accounts_lists_them_and_records_nothing(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("win globex expanded to three teams", AE_ID)
    assert texts(reply) == [
        "Several accounts match “globex”:\n"
        "• Globex America  `A-4`\n"
        "• Globex Japan  `A-3`\n"
        'Nothing was recorded. Put the exact name in quotes, e.g. `/cs win "Globex America" …`.'
    ]
    assert wins(workspace.engine) == []


def test_win_without_account_story_or_within_limits_explains(workspace: LocalWorkspace) -> None:
    usage = workspace.reply_to("win", AE_ID)["text"]
    assert usage.startswith("Record a customer win: `/cs win &lt;account&gt; &lt;story&gt;`")
    assert workspace.reply_to("win acme", AE_ID)["text"] == (
        "What happened at *Acme Corporation*? Put the story after the name, "
        "e.g. `/cs win acme Renewed for two years`."
    )
    too_long = workspace.reply_to("win acme " + "x" * 2001, AE_ID)["text"]
    assert too_long == "The story is 2001 characters long; the limit is 2000. Please shorten it."
    assert wins(workspace.engine) == []


def test_win_is_refused_to_people_outside_the_team(workspace: LocalWorkspace) -> None:
    reply = workspace.reply_to("win acme we renewed", STRANGER_ID)
    assert reply["text"].startswith("Sorry, account details are only available to the Customer Success team.")
    assert wins(workspace.engine) == []
    assert audit(workspace.engine) == [("win", "acme we renewed", "refused", None, STRANGER_ID)]
    assert workspace.reply_to("wins", STRANGER_ID)["text"].startswith("Sorry,")


def test_win_escapes_hostile_names_and_stories(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    reply = workspace.reply_to("win partners <!channel> they renewed & grew", AE_ID)
    assert "<!channel>" not in json.dumps(reply) and "<@U123>" not in json.dumps(reply)
    assert "*&lt;!channel&gt; &amp; &lt;@U123&gt; Partners*" in reply["text"]
    [win] = wins(workspace.engine)
    assert (win.account_id, win.story) == (ids["hostile"], "<!channel> they renewed & grew")
    # Slack sends what people type with &, < and > as entities: stored as typed, escaped once when shown.
    workspace.reply_to("win acme &lt;!here&gt; &amp; co signed", AE_ID)
    assert wins(workspace.engine)[-1].story == "<!here> & co signed"
    listed = workspace.reply_to("wins", AE_ID)
    body = json.dumps(listed)
    assert "<!channel>" not in body and "<!here>" not in body and "<@U123>" not in body
    assert "&lt;!channel&gt; they renewed &amp; grew" in texts(listed)[1]
    unknown = workspace.reply_to("win <!here> did it", AE_ID)
    assert unknown["text"].startswith("No account matches “&lt;!here&gt;”.")


# --- /cs wins, end to end ----------------------------------------------------------------------------


def test_wins_lists_this_months_wins_with_impact_person_and_day(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    add_win(workspace.engine, ids["acme"], date(2026, 10, 31), "last month")
    add_win(workspace.engine, ids["acme"], date(2026, 11, 3), "Renewed for two years", impact="+20% seats")
    add_win(workspace.engine, ids["sakura"], TODAY, "Went live\nin a week", author_slack_user_id=AE_ID)
    reply = workspace.reply_to("wins", AE_ID)
    assert texts(reply) == [
        "*2 customer wins so far in November 2026*",
        "• *Acme Corporation* — Renewed for two years · :chart_with_upwards_trend: +20% seats · "
        "credited to <@U0CSM01> · Nov 3, 2026\n"
        "• *株式会社さくら物流* — Went live in a week · credited to <@U0AE01> · Nov 23, 2026",
        "These wins go into the monthly success digest.",
    ]
    assert audit(workspace.engine) == [("wins", "2026-11", "listed", None, AE_ID)]


def test_wins_of_an_earlier_month_a_future_one_and_a_month_it_cannot_read(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    add_win(workspace.engine, ids["acme"], date(2026, 10, 31), "Went live on Halloween")
    october = workspace.reply_to("wins 2026-10", AE_ID)
    assert texts(october)[:2] == [
        "*1 customer win in October 2026*",
        "• *Acme Corporation* — Went live on Halloween · credited to <@U0CSM01> · Oct 31, 2026",
    ]
    assert (
        workspace.reply_to("wins 2026-09", AE_ID)["text"]
        == "No customer wins were recorded in September 2026."
    )
    assert workspace.reply_to("wins 2026-12", AE_ID)["text"] == (
        "December 2026 has not begun, so it has no wins yet."
    )
    assert workspace.reply_to("wins october", AE_ID)["text"].startswith("Which month? For example `/cs wins")


def test_a_month_with_many_wins_is_listed_page_by_page(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    for number in range(35):
        add_win(
            workspace.engine, ids["acme"], date(2026, 11, 1) + timedelta(days=number % 20), f"win {number}"
        )
    first = workspace.reply_to("wins", AE_ID)
    assert texts(first)[-1] == "Showing 1–30 of 35."
    [button] = first["blocks"][-1]["elements"]
    pressed = workspace.click(button["action_id"], button["value"], user_id=AE_ID).calls
    [second] = [c.body for c in pressed if c.method == "response_url"]
    assert second["replace_original"] is True
    assert texts(second)[-1] == "Showing 31–35 of 35."
    shown = "\n".join(texts(first)[1:-2] + texts(second)[1:-2])
    assert sorted(int(n) for n in re.findall(r"— win (\d+) ·", shown)) == list(range(35))


def test_wins_on_an_empty_month_says_how_to_add_one(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    add_win(workspace.engine, ids["acme"], date(2026, 10, 31), "last month")
    assert workspace.reply_to("wins", AE_ID)["text"] == (
        "No customer wins recorded in November 2026 yet. Record one with "
        "`/cs win &lt;account&gt; &lt;story&gt;`, or use “Share as customer win” on a message."
    )
    assert workspace.reply_to("成功事例一覧", CSM_ID)["text"].startswith("2026年11月")


def test_the_month_turns_at_midnight_in_the_workspace_time_zone(engine: Engine, ids: dict[str, int]) -> None:
    # 23:00 in Tokyo on 30 November, then 00:30 on 1 December: still 30 November in UTC both times.
    moments = [datetime(2026, 11, 30, 14, 0, tzinfo=UTC)]
    with LocalWorkspace(engine=engine, config=load_config(), clock=lambda: moments[-1]) as workspace:
        late = workspace.reply_to("win acme Renewed just before midnight", AE_ID)["text"]
        moments.append(moments[0] + timedelta(minutes=90))
        early = workspace.reply_to("win globex japan Went live just after midnight", AE_ID)["text"]
        december = texts(workspace.reply_to("wins", AE_ID))
        moments.append(moments[0])
        november = texts(workspace.reply_to("wins", AE_ID))
    assert late.endswith("in the digest for November.") and early.endswith("in the digest for December.")
    assert [w.won_on for w in wins(engine)] == [date(2026, 11, 30), date(2026, 12, 1)]
    assert december[0] == "*1 customer win so far in December 2026*"
    assert "Globex Japan" in december[1] and "Acme" not in december[1]
    assert november[0] == "*1 customer win so far in November 2026*"
    assert "Acme Corporation" in november[1] and "Globex" not in november[1]


# --- "Share as customer win", end to end -------------------------------------------------------------


def open_modal(workspace: LocalWorkspace, *, text: str, author: str | None, user: str) -> dict[str, Any]:
    exchange = workspace.shortcut(
        slack_ids.SHARE_AS_WIN, message_text=text, message_user=author, user_id=user, message_ts=MESSAGE_TS
    )
    assert exchange.status == 200
    opened = [c.body for c in exchange.calls if c.method == "views.open"]
    assert len(opened) == 1, [c.method for c in exchange.calls]
    assert opened[0]["trigger_id"]
    return opened[0]["view"]  # type: ignore[no-any-return]


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def form(account: str, story: str, impact: str | None = None) -> dict[str, dict[str, str | None]]:
    return {
        slack_ids.WIN_ACCOUNT_BLOCK: {slack_ids.WIN_ACCOUNT_INPUT: account},
        slack_ids.WIN_STORY_BLOCK: {slack_ids.WIN_STORY_INPUT: story},
        slack_ids.WIN_IMPACT_BLOCK: {slack_ids.WIN_IMPACT_INPUT: impact},
    }


def test_the_shortcut_opens_a_form_prefilled_with_the_message(workspace: LocalWorkspace) -> None:
    view = open_modal(
        workspace, text="Acme signed! Thanks <@U0AE01> &amp; <!here>", author=CSM_ID, user=AE_ID
    )
    assert (view["type"], view["callback_id"]) == ("modal", slack_ids.CUSTOMER_WIN_MODAL)
    assert json.loads(view["private_metadata"]) == {"channel": "C0DEMO", "ts": MESSAGE_TS, "author": CSM_ID}
    fields = inputs(view)
    assert list(fields) == [
        slack_ids.WIN_ACCOUNT_BLOCK,
        slack_ids.WIN_STORY_BLOCK,
        slack_ids.WIN_IMPACT_BLOCK,
    ]
    assert "initial_value" not in fields[slack_ids.WIN_ACCOUNT_BLOCK]["element"]
    story = fields[slack_ids.WIN_STORY_BLOCK]["element"]
    assert (story["multiline"], story["initial_value"]) == (True, "Acme signed! Thanks @U0AE01 & @here")
    assert fields[slack_ids.WIN_IMPACT_BLOCK]["optional"] is True
    assert [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"] == [
        "The win will be credited to <@U0CSM01>."
    ]
    assert (view["title"]["text"], view["submit"]["text"]) == ("Customer win", "Record win")
    assert wins(workspace.engine) == []


def test_the_form_speaks_the_pressers_language_and_cuts_a_long_message(workspace: LocalWorkspace) -> None:
    view = open_modal(workspace, text="長い" * 1500, author=None, user=CSM_ID)
    assert view["title"]["text"] == "成功事例"
    story = inputs(view)[slack_ids.WIN_STORY_BLOCK]["element"]["initial_value"]
    assert len(story) == MAX_STORY and story.endswith("…")
    # A bot's message has nobody to credit: the person who shared it is.
    assert json.loads(view["private_metadata"])["author"] == CSM_ID


def test_the_shortcut_refuses_people_outside_the_team_in_a_modal(workspace: LocalWorkspace) -> None:
    view = open_modal(workspace, text="Acme signed", author=CSM_ID, user=STRANGER_ID)
    assert "callback_id" not in view and "submit" not in view and inputs(view) == {}
    assert view["blocks"][0]["text"]["text"].startswith("Sorry, account details are only available")
    assert audit(workspace.engine) == [("win", None, "refused", None, STRANGER_ID)]


def test_a_submission_on_an_unknown_account_shows_the_error_under_the_field(
    workspace: LocalWorkspace,
) -> None:
    view = open_modal(workspace, text="Acme signed", author=CSM_ID, user=AE_ID)
    submitted = workspace.submit_view(view, form("acmee", "Acme signed"), user_id=AE_ID)
    assert submitted.exchange.status == 200
    assert submitted.response == {
        "response_action": "errors",
        "errors": {
            slack_ids.WIN_ACCOUNT_BLOCK: "No account matches “acmee”. Did you mean: Acme Corporation?"
        },
    }
    ambiguous = workspace.submit_view(view, form("globex", "Acme signed"), user_id=AE_ID).response
    assert ambiguous["errors"] == {
        slack_ids.WIN_ACCOUNT_BLOCK: "Several accounts match “globex”: Globex America and Globex Japan. "
        "Type the exact name."
    }
    empty_story = workspace.submit_view(view, form("acme", "  "), user_id=AE_ID).response
    assert empty_story["errors"] == {slack_ids.WIN_STORY_BLOCK: "Tell the story: what happened?"}
    assert wins(workspace.engine) == []


def test_a_good_submission_credits_the_message_author_not_the_presser(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    view = open_modal(workspace, text="Acme signed", author=CSM_ID, user=AE_ID)
    submitted = workspace.submit_view(
        view, form("Acme", "Acme signed for two more years", "renewed +20%"), user_id=AE_ID
    )
    response = submitted.response
    assert response["response_action"] == "update"
    assert response["view"]["type"] == "modal" and "submit" not in response["view"]
    assert response["view"]["blocks"][0]["text"]["text"] == (
        ":tada: Customer win recorded for *Acme Corporation*. It will appear in the digest for November."
    )
    [win] = wins(workspace.engine)
    assert (win.account_id, win.story, win.impact) == (
        ids["acme"],
        "Acme signed for two more years",
        "renewed +20%",
    )
    assert (win.author_slack_user_id, win.recorded_by_slack_user_id) == (CSM_ID, AE_ID)
    assert (win.source, win.source_channel, win.source_ts, win.won_on) == (
        "shortcut",
        "C0DEMO",
        MESSAGE_TS,
        TODAY,
    )
    assert audit(workspace.engine) == [("win", "Acme", "recorded", ids["acme"], AE_ID)]


def test_the_same_message_shared_twice_for_an_account_is_recorded_once(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    view = open_modal(workspace, text="Acme signed", author=CSM_ID, user=AE_ID)
    workspace.submit_view(view, form("acme", "Acme signed"), user_id=AE_ID)
    again = open_modal(workspace, text="Acme signed", author=CSM_ID, user=CSM_ID)
    second = workspace.submit_view(again, form("acme", "Acme signed, told again"), user_id=CSM_ID).response
    assert second["response_action"] == "update"
    assert second["view"]["blocks"][0]["text"]["text"] == (
        "このメッセージは *Acme Corporation* の成功事例として記録済みのため、追加していません。"
    )
    other_account = workspace.submit_view(view, form("さくら物流", "Acme signed"), user_id=AE_ID).response
    assert other_account["response_action"] == "update"
    assert [(w.account_id, w.story) for w in wins(workspace.engine)] == [
        (ids["acme"], "Acme signed"),
        (ids["sakura"], "Acme signed"),
    ]
    assert [entry[2] for entry in audit(workspace.engine)] == ["recorded", "already_recorded", "recorded"]


def test_a_submission_from_someone_outside_the_team_records_nothing(workspace: LocalWorkspace) -> None:
    view = open_modal(workspace, text="Acme signed", author=CSM_ID, user=AE_ID)
    response = workspace.submit_view(view, form("acme", "Acme signed"), user_id=STRANGER_ID).response
    assert response["response_action"] == "update"
    assert response["view"]["blocks"][0]["text"]["text"].startswith("Sorry, account details")
    assert wins(workspace.engine) == []
