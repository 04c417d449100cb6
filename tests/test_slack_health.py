"""`/cs health` end to end: signed HTTP request in, every Slack call out, through the real Bolt app."""

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot import slack_ids
from bot.config import WorkspaceConfig, load_config
from bot.local import LocalWorkspace, texts
from domain.clock import fixed_clock
from domain.health.refresh import refresh_snapshots
from storage.models import AuditEntry
from tests.factories import AE_ID, CSM_ID, NOW, STRANGER_ID, TODAY, build_small_workspace


@pytest.fixture
def config() -> WorkspaceConfig:
    return load_config()


@pytest.fixture
def ids(engine: Engine, config: WorkspaceConfig) -> dict[str, int]:
    ids = build_small_workspace(engine)
    refresh_snapshots(engine, config.health, [TODAY])
    return ids


@pytest.fixture
def workspace(engine: Engine, config: WorkspaceConfig, ids: dict[str, int]) -> Iterator[LocalWorkspace]:
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        yield workspace


def all_text(body: dict) -> str:
    """Every string the message carries (fallback and blocks), for checks that must hold anywhere in it."""
    return json.dumps(body, ensure_ascii=False)


def test_card_in_english_shows_every_figure_worked_out_by_hand(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health acme", user_id=AE_ID).reply

    assert reply["response_type"] == "ephemeral"
    # Measures with data: seat utilisation 50 (w25), logins 50 (w10), features 75 (w10), value points 100
    # (w20), NPS 75 (w15), open tickets 25 (w10); last touch has none and is left out of the weighting.
    # (25·50 + 10·50 + 10·75 + 20·100 + 15·75 + 10·25) / 90 = 5875 / 90 = 65.3 → yellow.
    assert reply["text"] == "Acme Corporation: health 65 (yellow). Renews Jan 31, 2027."
    title, health, trend, arr, renewal, owners, drivers, context = texts(reply)
    assert title == "*Acme Corporation*  `A-1`"
    assert health == "*Health*\n:large_yellow_circle: *65* / 100 · yellow"
    # 80 stored 30 days ago and nothing in between: the line stays at 80 (▇) until today's 65.3 (▆);
    # the change is told in the whole points the card shows: 80 → 65.
    assert trend == "*Trend, last 30 days*\n`▇▇▇▇▇▇▆`\n:arrow_lower_right: Down 15 points from 80"
    assert arr == "*ARR*\n$120,000\nLifecycle: adoption"
    # Ends 2027-01-31: 69 days from 2026-11-23; 60 days' notice → by 2026-12-02, 9 days away.
    assert (
        renewal
        == "*Next renewal*\nJan 31, 2027 · 69 days left\nAuto-renews; notice by Dec 2, 2026 (9 days left)"
    )
    assert owners == "*Owners*\nCSM: 佐藤 美咲\nAE: Bob Ray\nAM: —"
    # Points lost = weight share × (100 − score): seats 25/90·50 = 13.9, tickets 10/90·75 = 8.3,
    # logins 10/90·50 = 5.6 (then NPS 4.2 and features 2.8, not shown).
    assert drivers == (
        "*Pulling the score down*\n"
        "• Seat utilisation: 40% of seats active → 50/100 (−13.9 points)\n"
        "• Open support tickets: 8 open → 25/100 (−8.3 points)\n"
        "• Login frequency: 6 logins per seat in 30 days → 50/100 (−5.6 points)\n"
        "*Strongest*: Value points on time: 100% on time → 100/100\n"
        "_6 of 7 measures have data. No data: Last touch_"
    )
    assert context == "Segment: SMB · Region: Japan · Scored Nov 23, 2026 with the default scorecard"
    actions = reply["blocks"][-1]
    assert actions["type"] == "actions"
    assert actions["elements"][0]["action_id"] == slack_ids.SHARE_HEALTH_CARD
    assert actions["elements"][0]["text"]["text"] == "Share in channel"


def test_card_in_japanese_for_a_japanese_user(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health acme", user_id=CSM_ID).reply
    text = all_text(reply)
    assert reply["text"] == "Acme Corporation: ヘルススコア65（黄）。更新日は2027/01/31です。"
    assert "残り69日" in text
    assert "自動更新。解約通知の期限は2026/12/02（残り9日）" in text
    assert "スコアを下げている要因" in text
    assert "チャンネルで共有" in text
    assert "Pulling the score down" not in text


@pytest.mark.parametrize("typed", ["acme", "ACME", "Acme Corp", "acme.com", "A-1", "  acme  "])
def test_loose_names_find_acme(workspace: LocalWorkspace, typed: str) -> None:
    reply = workspace.command(f"health {typed}", user_id=AE_ID).reply
    assert reply["text"].startswith("Acme Corporation: health 65")


def test_japanese_name_by_substring(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health さくら", user_id=AE_ID).reply
    assert reply["blocks"][0]["text"]["text"] == "*株式会社さくら物流*  `A-2`"


def test_several_matches_offer_buttons_and_a_press_shows_that_card(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    reply = workspace.command("health globex", user_id=AE_ID).reply
    assert reply["text"] == "Several accounts match “globex”. Which one?"
    buttons = reply["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Globex America", "Globex Japan"]
    assert {b["value"] for b in buttons} == {str(ids["globex_jp"]), str(ids["globex_us"])}

    japan = next(b for b in buttons if b["text"]["text"] == "Globex Japan")
    picked = workspace.click(japan["action_id"], japan["value"], user_id=AE_ID).reply
    assert picked["replace_original"] is True
    assert picked["blocks"][0]["text"]["text"] == "*Globex Japan*  `A-3`"


def test_unknown_name_suggests_close_ones(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health acmee", user_id=AE_ID).reply
    assert reply["text"] == "No account matches “acmee”. Did you mean: Acme Corporation?"


def test_nothing_close_says_so(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health zzqqxx", user_id=AE_ID).reply
    assert reply["text"] == "No account matches “zzqqxx”."


def test_mentions_and_ampersands_in_names_arrive_escaped(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health partners", user_id=AE_ID).reply
    text = all_text(reply)
    assert "<!channel>" not in text and "<@U123>" not in text and " & " not in text
    assert reply["blocks"][0]["text"]["text"] == "*&lt;!channel&gt; &amp; &lt;@U123&gt; Partners*  `A-5`"
    assert reply["text"].startswith("&lt;!channel&gt; &amp; &lt;@U123&gt; Partners:")


def test_typed_text_is_escaped_when_echoed(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health <!here> & co", user_id=AE_ID).reply
    assert "<!here>" not in all_text(reply)
    assert "&lt;!here&gt; &amp; co" in reply["text"]
    unknown = workspace.command("<!everyone>", user_id=AE_ID).reply
    assert "<!everyone>" not in all_text(unknown)


def test_people_outside_the_team_are_refused_and_the_refusal_is_audited(
    workspace: LocalWorkspace, engine: Engine
) -> None:
    workspace.slack.add_user(STRANGER_ID, email="visitor@example.org", locale="en-US")
    reply = workspace.command("health acme", user_id=STRANGER_ID).reply
    assert reply["text"].startswith("Sorry, account details are only available to the Customer Success team.")
    assert "Acme Corporation" not in all_text(reply) and "120,000" not in all_text(reply)
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.slack_user_id == STRANGER_ID)).one()
    assert (entry.action, entry.outcome, entry.query, entry.account_id) == ("health", "refused", "acme", None)


def test_members_of_the_configured_user_group_are_allowed(engine: Engine, ids: dict[str, int]) -> None:
    config = load_config()
    config.access.allowed_usergroup = "S0CSLEADS"
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user(STRANGER_ID, email="lead@example.org")
        workspace.slack.set_usergroup("S0CSLEADS", [STRANGER_ID])
        reply = workspace.command("health acme", user_id=STRANGER_ID).reply
    assert reply["text"].startswith("Acme Corporation: health 65")


def test_a_team_member_without_a_slack_id_is_recognised_by_email(
    workspace: LocalWorkspace, engine: Engine
) -> None:
    from storage.models import TeamMember

    with Session(engine) as session:
        session.add(TeamMember(email="new.csm@example.com", name="New CSM", role="csm"))
        session.commit()
    workspace.slack.add_user("U0NEWCSM", email="new.csm@example.com")
    reply = workspace.command("health acme", user_id="U0NEWCSM").reply
    assert reply["text"].startswith("Acme Corporation: health 65")
    with Session(engine) as session:
        linked = session.exec(select(TeamMember).where(TeamMember.email == "new.csm@example.com")).one()
    assert linked.slack_user_id == "U0NEWCSM"


def test_every_lookup_is_audited(workspace: LocalWorkspace, engine: Engine, ids: dict[str, int]) -> None:
    workspace.command("health acme", user_id=AE_ID)
    workspace.command("health globex", user_id=AE_ID)
    workspace.command("health nothing-like-it", user_id=AE_ID)
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.query, e.outcome, e.account_id) for e in entries] == [
        ("acme", "shown", ids["acme"]),
        ("globex", "ambiguous", None),
        ("nothing-like-it", "not_found", None),
    ]
    assert all(
        e.slack_user_id == AE_ID and e.at.replace(tzinfo=None) == NOW.replace(tzinfo=None) for e in entries
    )


def test_share_posts_the_card_in_the_channel_naming_who_shared_it(
    workspace: LocalWorkspace, ids: dict[str, int], engine: Engine
) -> None:
    card = workspace.command("health acme", user_id=AE_ID).reply
    share = card["blocks"][-1]["elements"][0]
    calls = workspace.click(share["action_id"], share["value"], user_id=AE_ID).calls
    replies = [c.body for c in calls if c.method == "response_url"]
    posted, deleted = replies
    assert posted["response_type"] == "in_channel" and posted["replace_original"] is False
    assert posted["text"] == "Acme Corporation: health 65 (yellow). Renews Jan 31, 2027."
    context = posted["blocks"][-1]
    assert context["type"] == "context"
    assert context["elements"][0]["text"].startswith(f"Shared by <@{AE_ID}> · Segment: SMB")
    assert all(b["type"] != "actions" for b in posted["blocks"])  # nothing to press in the channel
    assert deleted["delete_original"] is True
    with Session(engine) as session:
        shared = session.exec(select(AuditEntry).where(AuditEntry.action == "share")).one()
    assert (shared.account_id, shared.slack_user_id) == (ids["acme"], AE_ID)


def test_share_by_someone_outside_the_team_is_refused(workspace: LocalWorkspace, ids: dict[str, int]) -> None:
    reply = workspace.click(slack_ids.SHARE_HEALTH_CARD, str(ids["acme"]), user_id=STRANGER_ID).reply
    assert reply.get("response_type") != "in_channel"
    assert reply["text"].startswith("Sorry")
    assert "Acme" not in all_text(reply)
    with Session(workspace.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.slack_user_id == STRANGER_ID)).one()
    assert (entry.action, entry.outcome, entry.account_id) == ("share", "refused", ids["acme"])


@pytest.mark.parametrize(
    ("user", "expected"), [(AE_ID, "`/cs health <account>`"), (CSM_ID, "`/cs health <アカウント>`")]
)
def test_help_lists_subcommands_in_the_users_language(
    workspace: LocalWorkspace, user: str, expected: str
) -> None:
    for typed in ("help", ""):
        reply = workspace.command(typed, user_id=user).reply
        assert expected in reply["text"]
        assert "`/cs help`" in reply["text"]


def test_unknown_subcommand_points_to_help_and_keeps_the_word_as_typed(workspace: LocalWorkspace) -> None:
    reply = workspace.command("Frobnicate", user_id=AE_ID).reply
    assert reply["text"] == "I don't know “Frobnicate”. Try `/cs help`."


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("heath acme", "/cs health acme"),
        ("renewalz", "/cs renewals"),
        ("Renwals 30", "/cs renewals 30"),
        ("rsiks", "/cs risks"),
        ("ownr acme corp", "/cs owner acme corp"),
        ("dgest 2026-10", "/cs digest 2026-10"),
    ],
)
def test_a_mistyped_subcommand_gets_did_you_mean(workspace: LocalWorkspace, typed: str, meant: str) -> None:
    reply = workspace.command(typed, user_id=AE_ID).reply
    word = typed.split()[0]
    assert reply["text"] == f"I don't know “{word}”. Did you mean `{meant}`? (`/cs help` lists everything.)"


def test_a_mistyped_subcommand_in_japanese(workspace: LocalWorkspace) -> None:
    reply = workspace.command("heath acme", user_id=CSM_ID).reply
    assert (
        reply["text"]
        == "「heath」はわかりません。`/cs health acme` のことですか？（`/cs help` で一覧を表示します）"
    )


@pytest.mark.parametrize(
    "typed",
    [
        "導入社数が120社です。CSは何人必要?",
        "who should own renewals at a seed-stage company with $150k contracts",
        "How big should our CS team be?",
        "team size for 120 customers",
    ],
)
def test_a_question_without_ask_is_answered(workspace: LocalWorkspace, typed: str) -> None:
    reply = workspace.command(typed, user_id=AE_ID).reply
    cited = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "I don't know" not in reply["text"] and ("Sources" in cited or "出典" in cited)


def test_health_without_a_name_asks_which_account(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health", user_id=AE_ID).reply
    assert reply["text"] == "Which account? For example: `/cs health acme`"


def test_a_failure_inside_the_bot_gets_a_polite_answer(
    workspace: LocalWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.commands.health as health

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(health, "health_by_name", broken)
    exchange = workspace.command("health acme", user_id=AE_ID)
    assert exchange.status == 200
    reply = exchange.reply
    assert reply["text"].startswith("Something went wrong on our side")
    assert "database on fire" not in all_text(reply)
    # It promises nothing that does not happen: the failure is logged, nobody is told by the bot.
    assert "has been told" not in reply["text"] and "logged" in reply["text"] and "CS Ops" in reply["text"]


def test_every_reply_fits_slack_limits_and_has_a_fallback(workspace: LocalWorkspace) -> None:
    for typed in ("help", "health acme", "health globex", "health acmee", "health partners"):
        reply = workspace.command(typed, user_id=AE_ID).reply
        assert reply["text"].strip()
        assert 0 < len(reply["blocks"]) <= 50
        for block in reply["blocks"]:
            for text in texts({"blocks": [block]}):
                assert len(text) <= 3000


def test_a_full_width_space_separates_the_subcommand(workspace: LocalWorkspace) -> None:
    reply = workspace.command("health\u3000acme", user_id=AE_ID).reply
    assert reply["text"].startswith("Acme Corporation: health 65")


def test_a_card_with_one_measure_of_data_says_it_is_not_enough(
    workspace: LocalWorkspace, ids: dict[str, int]
) -> None:
    from storage.models import MetricObservation

    with Session(workspace.engine) as session:
        session.add(MetricObservation(account_id=ids["globex_jp"], metric="nps", observed_on=TODAY, value=10))
        session.commit()
    refresh_snapshots(workspace.engine, load_config().health, [TODAY])
    reply = workspace.command("health globex japan", user_id=AE_ID).reply
    lines = texts(reply)
    assert (
        lines[1] == "*Health*\n:white_circle: Not enough data yet\n1 of 7 measures has data; a score needs 3"
    )
    drivers = lines[6]
    assert "Strongest" not in drivers
    assert drivers.endswith(
        "_1 of 7 measures has data. No data: Seat utilisation, Login frequency, Feature breadth, "
        "Value points on time, Open support tickets, and Last touch_"
    )
    assert reply["text"] == "Globex Japan: no health data yet."


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("share_health_card", "abc"),
        ("pick_health_account:5", "x"),
        ("risk_acknowledge", "zzz"),
        ("renewal_snooze", "1"),
        ("listing_more", "bogus"),
    ],
)
def test_a_button_with_a_malformed_value_is_answered_at_once_and_politely(
    workspace: LocalWorkspace, action_id: str, value: str
) -> None:
    exchange = workspace.click(action_id, value, user_id=AE_ID)
    # Acknowledged within Slack's three seconds, however the listener fares after it.
    assert exchange.status == 200 and exchange.elapsed_ms < 2500
    reply = exchange.reply
    assert reply["replace_original"] is False and reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("That button no longer works")


def test_sharing_the_card_of_an_account_since_removed_leaves_the_card_in_place(
    workspace: LocalWorkspace,
) -> None:
    reply = workspace.click("share_health_card", "99999", user_id=AE_ID).reply
    assert reply["replace_original"] is False and reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("That account is no longer in csbot")


def test_a_megabyte_of_text_is_refused_without_a_lookup(workspace: LocalWorkspace) -> None:
    huge = workspace.command("health " + "a" * 1_000_000, user_id=AE_ID).reply
    assert huge["text"] == "That is 1000007 characters; I read at most 4000. Please shorten it."
    long_name = workspace.command("health " + "%_" * 1000, user_id=AE_ID).reply
    assert long_name["text"] == (
        "That is 2000 characters; account names and ids have at most 255. Nothing was looked up."
    )


def test_the_card_uses_the_workspaces_own_names_for_segments(engine: Engine, ids: dict[str, int]) -> None:
    config = load_config()
    config.labels.segments = {"smb": {"ja": "中小企業"}}
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        reply = workspace.command("health acme", user_id=CSM_ID).reply
    assert "セグメント: 中小企業 · 地域: 日本 · 2026/11/23時点、スコアカード「標準」で算出" in all_text(reply)


@pytest.mark.parametrize("typed", ["サクラ", "ｻｸﾗ", "さくら物流", "サクラ物流"])
def test_kana_are_folded_so_hiragana_and_katakana_find_the_same_account(
    workspace: LocalWorkspace, typed: str
) -> None:
    reply = workspace.command(f"health {typed}", user_id=AE_ID).reply
    assert reply["blocks"][0]["text"]["text"] == "*株式会社さくら物流*  `A-2`"


@pytest.mark.parametrize("typed", ["a-1", "A-1", " a-1 "])
def test_account_ids_are_found_in_any_case(workspace: LocalWorkspace, typed: str) -> None:
    reply = workspace.command(f"health {typed}", user_id=AE_ID).reply
    assert reply["text"].startswith("Acme Corporation: health 65")


@pytest.mark.parametrize("user", [AE_ID, CSM_ID])
def test_help_lists_every_subcommand_of_the_registry(workspace: LocalWorkspace, user: str) -> None:
    from handlers.commands.registry import SUBCOMMANDS

    text = workspace.command("help", user_id=user).reply["text"]
    listed = [line.split("`")[1].split()[1] for line in text.splitlines() if line.startswith("• `")]
    assert listed == [subcommand.name for subcommand in SUBCOMMANDS]
    for subcommand in SUBCOMMANDS:
        for alias in subcommand.aliases:
            assert workspace_routes(workspace, alias, user) == workspace_routes(
                workspace, subcommand.name, user
            )


def workspace_routes(workspace: LocalWorkspace, word: str, user: str) -> str:
    """The first line of the reply to `/cs <word>` alone: the same for a subcommand and its aliases."""
    return workspace.command(word, user_id=user).reply["text"].splitlines()[0]
