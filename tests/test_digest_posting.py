"""The monthly digest: when it is due, what it says in both languages, and that it is posted once.

The workspace, checked by hand for October 2026 (Tokyo time):
- Acme Corporation (CSM Emily): ARR 132,000 now; an upsell of +12,000 on 2026-10-15, so 120,000 on Oct 1.
- "<!channel> & Co" (CSM Misaki): 50,000, no movements; health fell from 70 to 40 (the biggest faller).
- Gone Ltd (CSM Emily): churned on 2026-10-31 (−30,000), so 30,000 on Oct 1 and 0 now.
Starting ARR 200,000; expansion 12,000; churned 30,000; ending 182,000.
NRR = (200,000 + 12,000 − 30,000) / 200,000 = 91.0%; GRR = 170,000 / 200,000 = 85.0%;
logo churn = 1 of 3 = 33.3%.
One win, on Acme, recorded by Emily on 2026-10-20, with a story holding `<`, `>` and `&`.
November 2026 starts on a Sunday, so the digest is due on Monday 2026-11-02 at 09:00.
"""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.cli import main as csbot
from bot.config import ConfigError, WorkspaceConfig, load_config
from bot.delivery import Sender
from bot.local import LocalWorkspace
from bot.render import digest as render
from bot.scheduler import (
    DIGEST_CATCH_UP_JOB_ID,
    DIGEST_JOB_ID,
    LEASE_NAME,
    WEEKLY_SUMMARY_JOB_ID,
    Jobs,
    build_scheduler,
)
from domain.clock import MovableClock, fixed_clock
from domain.digest.calendar import BusinessCalendar, digest_due
from domain.digest.content import digest_content
from domain.digest.month import Month
from domain.digest.posting import queue_digest
from localslack import FILE_UPLOAD, LocalSlackServer
from storage import lease
from storage.models import Account, AuditEntry, HealthSnapshot, OutboxMessage, RevenueMovement, TeamMember
from storage.wins import record_win
from tests.factories import add_account

TOKYO = ZoneInfo("Asia/Tokyo")
OCTOBER = Month(2026, 10)
NOVEMBER_2 = date(2026, 11, 2)
CHANNEL = "C0SUCCESS"
EMILY = "U0EMILY"
MISAKI = "U0MISAKI"
HOSTILE_STORY = "Automated <their> weekly report & saved a day <!here>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tokyo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).astimezone(UTC)


def build_october(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            TeamMember(email="emily@example.com", name="Emily Stone", role="csm", slack_user_id=EMILY)
        )
        session.add(
            TeamMember(
                email="misaki@example.com", name="佐藤 美咲", role="csm", slack_user_id=MISAKI, locale="ja"
            )
        )
        # Customers since 2024: the data reaches back far enough for the twelve-month figures.
        since = {"start_date": date(2024, 4, 1)}
        acme = add_account(
            session, "A-1", "Acme Corporation", arr=132_000, csm_email="emily@example.com", **since
        )
        hostile = add_account(
            session, "A-2", "<!channel> & Co", arr=50_000, csm_email="misaki@example.com", **since
        )
        gone = add_account(
            session, "A-3", "Gone Ltd", arr=0, status="churned", csm_email="emily@example.com", **since
        )
        session.add(
            RevenueMovement(account_id=acme.id, moved_on=date(2026, 10, 15), kind="upsell", arr_delta=12_000)
        )
        session.add(
            RevenueMovement(account_id=gone.id, moved_on=date(2026, 10, 31), kind="churn", arr_delta=-30_000)
        )
        for day, score, band in ((date(2026, 9, 30), 60.0, "yellow"), (date(2026, 10, 31), 80.0, "green")):
            session.add(
                HealthSnapshot(account_id=acme.id, day=day, score=score, band=band, scorecard="default")
            )
        for day, score, band in ((date(2026, 9, 30), 70.0, "yellow"), (date(2026, 10, 31), 40.0, "red")):
            session.add(
                HealthSnapshot(account_id=hostile.id, day=day, score=score, band=band, scorecard="default")
            )
        session.commit()
        acme_id = acme.id
    assert acme_id is not None
    record_win(
        engine,
        account_id=acme_id,
        story=HOSTILE_STORY,
        impact="ARR +12,000",
        author_slack_user_id=EMILY,
        recorded_by_slack_user_id=EMILY,
        won_on=date(2026, 10, 20),
        created_at=tokyo(date(2026, 10, 20), 15),
        source="command",
    )


def digest_config(**digest: object) -> WorkspaceConfig:
    config = load_config()
    return config.model_copy(
        update={"digest": config.digest.model_copy(update={"channel": CHANNEL, **digest})}
    )


@pytest.fixture
def slack() -> Iterator[LocalSlackServer]:
    with LocalSlackServer() as server:
        yield server


def client_for(slack: LocalSlackServer) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def completed_uploads(slack: LocalSlackServer) -> list[dict]:  # type: ignore[type-arg]
    return [call.body for call in slack.calls_to("files.completeUploadExternal")]


# --- when it is due ------------------------------------------------------------------------------------


def test_the_first_business_day_skips_weekends_and_configured_holidays() -> None:
    plain = BusinessCalendar()
    assert plain.first_business_day(Month(2026, 11)) == date(2026, 11, 2)  # the 1st is a Sunday
    assert plain.first_business_day(Month(2026, 12)) == date(2026, 12, 1)  # a Tuesday
    new_year = BusinessCalendar(holidays=frozenset({date(2027, 1, 1)}))
    assert new_year.first_business_day(Month(2027, 1)) == date(2027, 1, 4)  # Friday off, then a weekend
    friday_weekend = BusinessCalendar(weekend=frozenset({4, 5}))  # Friday and Saturday off
    assert friday_weekend.first_business_day(Month(2027, 1)) == date(2027, 1, 3)  # Sunday works


def test_last_months_digest_is_due_from_the_first_business_day_at_the_configured_time() -> None:
    calendar, nine = BusinessCalendar(), time(9, 0)

    def due(day: date, hour: int, minute: int = 0) -> Month | None:
        return digest_due(datetime.combine(day, time(hour, minute), tzinfo=TOKYO), calendar, nine)

    assert due(date(2026, 11, 1), 12) is None  # Sunday
    assert due(date(2026, 11, 2), 8, 59) is None
    assert due(date(2026, 11, 2), 9, 0) == OCTOBER
    assert due(date(2026, 11, 30), 23) == OCTOBER  # missed days are caught up all month
    assert due(date(2026, 12, 1), 9) == Month(2026, 11)


def test_the_scheduler_runs_the_digest_daily_at_its_time_with_a_catch_up_and_the_weekly_summary(
    engine: Engine,
) -> None:
    config = digest_config(post_at="10:30")
    scheduler = build_scheduler(Jobs(engine, config, None, MovableClock(tokyo(date(2026, 11, 2), 8))))
    digest_job = scheduler.get_job(DIGEST_JOB_ID)
    assert digest_job is not None and str(digest_job.trigger).startswith("cron[hour='10', minute='30'")
    assert scheduler.get_job(DIGEST_CATCH_UP_JOB_ID) is not None
    summary = scheduler.get_job(WEEKLY_SUMMARY_JOB_ID)
    assert summary is not None and "day_of_week='mon'" in str(summary.trigger)


def test_the_digest_settings_are_checked_when_the_configuration_loads(tmp_path: Path) -> None:
    missing = tmp_path / "custom.yml"
    missing.write_text("digest:\n  template: /nowhere/digest.j2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(missing)
    every_day = tmp_path / "weekend.yml"
    every_day.write_text("digest:\n  weekend: [mon, tue, wed, thu, fri, sat, sun]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="every day"):
        load_config(every_day)
    holidays = tmp_path / "holidays.yml"
    holidays.write_text("digest:\n  holidays: ['2027-01-01']\n  post_at: '08:15'\n", encoding="utf-8")
    loaded = load_config(holidays).digest
    assert loaded.business_calendar.holidays == {date(2027, 1, 1)} and loaded.post_time == time(8, 15)


# --- what it says -----------------------------------------------------------------------------------


def test_the_digest_reads_the_figures_and_credits_the_win_in_english(engine: Engine) -> None:
    build_october(engine)
    text = render.digest_text(
        digest_content(engine, OCTOBER, today=NOVEMBER_2),
        language="en",
        currency="USD",
        bands=["red", "yellow", "green"],
    )
    assert "Success digest for October 2026" in text
    assert "NRR 91.0%" in text and "GRR 85.0%" in text
    assert "logo churn 33.3% (1 of 3 customers)" in text
    assert "Last 12 months, customers paying on Nov 1, 2025: NRR 91.0% · GRR 85.0%" in text
    assert "$200,000 → $182,000" in text
    assert "Expansion: +$12,000 (upsell $12,000" in text and "Churned: −$30,000" in text
    assert "Acme Corporation 80" not in text and "+20 (60 → 80)" in text  # the biggest riser
    assert f"thanks to <@{EMILY}>" in text
    # The story and the hostile account name arrive escaped: no mention, no link, no channel ping.
    assert "Automated &lt;their&gt; weekly report &amp; saved a day &lt;!here&gt;" in text
    assert "&lt;!channel&gt; &amp; Co −30 (70 → 40)" in text
    assert "<!channel>" not in text and "<!here>" not in text


def test_the_digest_reads_in_japanese(engine: Engine) -> None:
    build_october(engine)
    text = render.digest_text(
        digest_content(engine, OCTOBER, today=NOVEMBER_2),
        language="ja",
        currency="JPY",
        bands=["red", "yellow", "green"],
    )
    assert "2026年10月" in text
    assert "NRR 91.0%" in text
    assert "￥200,000" in text or "¥200,000" in text
    assert f"<@{EMILY}>" in text
    assert "Success digest" not in text and "Churned" not in text  # every line is translated


def test_a_month_without_paying_customers_says_why_there_is_no_nrr(engine: Engine) -> None:
    with Session(engine) as session:
        first = add_account(session, "A-9", "First Customer", arr=10_000)
        session.add(
            RevenueMovement(account_id=first.id, moved_on=date(2026, 10, 1), kind="new", arr_delta=10_000)
        )
        session.commit()
    content = digest_content(engine, OCTOBER, today=NOVEMBER_2)
    english = render.digest_text(content, language="en", currency="USD", bands=["red", "yellow", "green"])
    assert (
        "NRR and GRR: none this month, because no customer was paying at the start of the month." in english
    )
    assert "New: +$10,000" in english
    assert "No wins were logged this month" in english
    japanese = render.digest_text(content, language="ja", currency="USD", bands=["red", "yellow", "green"])
    assert "NRR" in japanese and "because" not in japanese


def test_a_workspace_template_replaces_the_shipped_one_and_still_escapes(
    engine: Engine, tmp_path: Path
) -> None:
    build_october(engine)
    template = tmp_path / "our_digest.j2"
    template.write_text(
        "*{{ _('Success digest for %(month)s', month=month_name) }}* NRR={{ t.percent(figures.nrr, 1) }}\n"
        "---\n"
        "{% for win in wins %}{{ win.account_name }}: {{ win.story }}{% endfor %}\n",
        encoding="utf-8",
    )
    content = digest_content(engine, OCTOBER, today=NOVEMBER_2)
    text = render.digest_text(content, language="ja", currency="USD", bands=["green"], template=str(template))
    assert text.startswith("*2026年10月") and "NRR=91.0%" in text
    assert "&lt;their&gt;" in text
    message = render.digest_message(text, language="ja")
    assert [block["type"] for block in message.payload()["blocks"]] == ["section", "divider", "section"]


def test_long_digests_are_cut_to_slacks_block_and_section_limits() -> None:
    text = "\n---\n".join(f"part {n}\n" + "x" * 2_500 + "\n" + "y" * 2_500 for n in range(40))
    blocks = render.blocks_from_mrkdwn(text, shortened_note="(shortened)")
    assert len(blocks) == render.MAX_BLOCKS
    assert all(len(b.to_dict().get("text", {}).get("text", "")) <= render.MAX_SECTION for b in blocks)
    assert blocks[-1].to_dict()["elements"][0]["text"] == "(shortened)"


# --- posting it once ---------------------------------------------------------------------------------


def test_the_digest_goes_up_once_as_one_message_carrying_the_chart(
    engine: Engine, slack: LocalSlackServer
) -> None:
    build_october(engine)
    clock = MovableClock(tokyo(date(2026, 11, 2), 8, 59))
    jobs = Jobs(engine, digest_config(), client_for(slack), clock)
    assert jobs.monthly_digest() is None and slack.calls_to("files.completeUploadExternal") == []
    clock.moment = tokyo(date(2026, 11, 2), 9)
    assert jobs.monthly_digest() == OCTOBER
    [upload] = completed_uploads(slack)
    assert upload["channel_id"] == CHANNEL
    assert "NRR 91.0%" in json.dumps(upload["blocks"], ensure_ascii=False)
    [file_entry] = upload["files"]
    chart = slack.uploaded_bytes(file_entry["id"])
    assert chart.startswith(PNG_SIGNATURE) and len(chart) > 10_000
    assert len(slack.calls_to(FILE_UPLOAD)) == 1
    # The scheduler fires again, a second replica runs the job, the process restarts: nothing more.
    clock.moment += timedelta(hours=1)
    assert jobs.monthly_digest() is None
    assert Jobs(engine, digest_config(), client_for(slack), clock).monthly_digest() is None
    assert len(completed_uploads(slack)) == 1
    with Session(engine) as session:
        [sent] = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "digest")).all()
    assert sent.status == "sent" and sent.slack_channel == CHANNEL and sent.slack_ts
    assert sent.dedup_key == f"digest:{CHANNEL}:2026-10"


def test_a_sender_killed_after_the_digest_went_up_does_not_post_it_again(
    engine: Engine, slack: LocalSlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import outbox

    class Killed(BaseException):
        pass

    def die(*_args: object, **_kwargs: object) -> None:
        raise Killed

    build_october(engine)
    clock = MovableClock(tokyo(date(2026, 11, 2), 9))
    monkeypatch.setattr(outbox, "mark_sent", die)
    with pytest.raises(Killed):
        Jobs(engine, digest_config(), client_for(slack), clock).monthly_digest()
    monkeypatch.undo()
    clock.moment += timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    Sender(engine, client_for(slack), digest_config(), clock=clock, sleep=lambda _s: None).deliver_due()
    assert len(completed_uploads(slack)) == 1  # found by its chart in the channel, not uploaded twice
    assert len(slack.calls_to("conversations.history")) == 1
    with Session(engine) as session:
        [sent] = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "digest")).all()
    assert sent.status == "sent" and sent.slack_ts


def test_a_digest_missed_while_the_bot_was_down_goes_out_when_it_is_back(
    engine: Engine, slack: LocalSlackServer
) -> None:
    build_october(engine)
    clock = MovableClock(tokyo(date(2026, 11, 5), 7))  # down from the 2nd to the 5th, back before 09:00
    jobs = Jobs(engine, digest_config(), client_for(slack), clock)
    assert jobs.monthly_digest() == OCTOBER
    assert len(completed_uploads(slack)) == 1
    clock.moment = tokyo(date(2026, 12, 1), 9)  # next month: November's digest, once
    assert jobs.monthly_digest() == Month(2026, 11)
    assert jobs.monthly_digest() is None
    assert len(completed_uploads(slack)) == 2


def test_another_channel_gets_its_own_copy_once(engine: Engine, slack: LocalSlackServer) -> None:
    build_october(engine)
    clock = MovableClock(tokyo(date(2026, 11, 2), 9))
    first = Jobs(engine, digest_config(), client_for(slack), clock)
    first.monthly_digest()
    lease.release(engine, LEASE_NAME, first.holder)  # the same replica, restarted with a new channel
    other = digest_config(channel="C0LEADERS", language="ja")
    assert Jobs(engine, other, client_for(slack), clock).monthly_digest() == OCTOBER
    channels = [upload["channel_id"] for upload in completed_uploads(slack)]
    assert channels == [CHANNEL, "C0LEADERS"]
    assert "2026年10月" in json.dumps(completed_uploads(slack)[1]["blocks"], ensure_ascii=False)


def test_without_the_files_scope_the_digest_is_posted_without_its_chart(
    engine: Engine, slack: LocalSlackServer
) -> None:
    build_october(engine)
    slack.fail("files.getUploadURLExternal", "missing_scope")
    jobs = Jobs(engine, digest_config(), client_for(slack), MovableClock(tokyo(date(2026, 11, 2), 9)))
    assert jobs.monthly_digest() == OCTOBER
    [posted] = slack.calls_to("chat.postMessage")
    assert posted.body["channel"] == CHANNEL and "NRR 91.0%" in json.dumps(posted.body["blocks"])
    assert completed_uploads(slack) == []


def test_no_channel_configured_means_no_digest(engine: Engine, slack: LocalSlackServer) -> None:
    build_october(engine)
    config = load_config()
    jobs = Jobs(engine, config, client_for(slack), MovableClock(tokyo(date(2026, 11, 2), 9)))
    assert jobs.monthly_digest() is None
    assert slack.calls == []


def test_a_channel_the_bot_is_not_in_fails_once_and_tells_the_admins(
    engine: Engine, slack: LocalSlackServer
) -> None:
    build_october(engine)
    with Session(engine) as session:
        session.add(TeamMember(email="olga@example.com", name="Olga", role="cs_ops", slack_user_id="U0OLGA"))
        session.commit()
    slack.fail("files.completeUploadExternal", "not_in_channel")
    clock = MovableClock(tokyo(date(2026, 11, 2), 9))
    sender = Sender(engine, client_for(slack), digest_config(), clock=clock, sleep=lambda _s: None)
    jobs = Jobs(engine, digest_config(), client_for(slack), clock)
    jobs.sender = sender
    jobs.monthly_digest()
    sender.deliver_due()
    notices = [c for c in slack.calls_to("chat.postMessage") if c.body["channel"] == "DU0OLGA"]
    assert len(notices) == 1 and CHANNEL in json.dumps(notices[0].body["blocks"])


# --- the command line ---------------------------------------------------------------------------------


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_csbot_digest_json_prints_the_figures_as_fractions(
    cli_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    build_october(cli_database)
    assert csbot(["digest", "--month", "2026-10", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["starting_arr"] == 200_000 and figures["ending_arr"] == 182_000
    assert figures["expansion_arr"] == 12_000 and figures["churned_arr"] == 30_000
    assert figures["nrr"] == 0.91 and figures["grr"] == 0.85 and figures["logo_churn_rate"] == 0.3333


def test_csbot_digest_prints_the_digest_and_writes_the_chart(
    cli_database: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    build_october(cli_database)
    chart = tmp_path / "digest.png"
    assert csbot(["digest", "--month", "2026-10", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "Success digest for October 2026" in out and "@Emily Stone" in out
    assert chart.read_bytes().startswith(PNG_SIGNATURE)


def test_csbot_digest_rejects_a_bad_month(cli_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert csbot(["digest", "--month", "2026-13"]) == 2
    assert "--month" in capsys.readouterr().err


def test_csbot_digest_post_goes_to_the_local_slack_once(
    cli_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    build_october(cli_database)
    assert csbot(["digest", "--month", "2026-10", "--post", "--channel", CHANNEL]) == 0
    first = capsys.readouterr().out
    assert "Sent 1" in first and "files.completeUploadExternal" in first
    assert csbot(["digest", "--month", "2026-10", "--post", "--channel", CHANNEL]) == 0
    second = capsys.readouterr().out
    assert "already posted" in second and "Sent 0" in second


def test_a_template_with_a_syntax_error_stops_the_configuration_from_loading(tmp_path: Path) -> None:
    broken = tmp_path / "broken.j2"
    broken.write_text("{% for win in wins %}\n{{ win.story }}\n", encoding="utf-8")
    config = tmp_path / "config.yml"
    config.write_text(f"digest:\n  template: {broken}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line"):
        load_config(config)


def test_a_template_failing_at_render_time_fails_the_digest_tells_the_admins_and_blocks_nothing_else(
    engine: Engine, slack: LocalSlackServer, tmp_path: Path
) -> None:
    build_october(engine)
    with Session(engine) as session:
        session.add(TeamMember(email="olga@example.com", name="Olga", role="cs_ops", slack_user_id="U0OLGA"))
        session.commit()
    failing = tmp_path / "failing.j2"
    failing.write_text("{{ figures.no_such_figure }}", encoding="utf-8")
    config = digest_config(template=str(failing))
    clock = MovableClock(tokyo(date(2026, 11, 2), 9))
    jobs = Jobs(engine, config, client_for(slack), clock)
    assert jobs.monthly_digest() == OCTOBER
    assert completed_uploads(slack) == []
    with Session(engine) as session:
        digest = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "digest")).one()
    assert digest.status == "failed" and "no_such_figure" in (digest.last_error or "")
    jobs.deliver()  # the admin notice queued by the failure
    [notice] = [c for c in slack.calls_to("chat.postMessage") if c.body["channel"] == "DU0OLGA"]
    assert "digest.template" in notice.body["text"] and "not_in_channel" not in notice.body["text"]
    # Fixed, it is posted by hand: the failed digest is queued again, once.
    failing.write_text("*{{ month_name }}* NRR {{ t.percent(figures.nrr, 1) }}", encoding="utf-8")
    assert queue_digest(engine, month=OCTOBER, channel=CHANNEL, language="en", now=clock(), retry_failed=True)
    assert not queue_digest(engine, month=OCTOBER, channel=CHANNEL, language="en", now=clock())
    jobs.deliver()
    [upload] = completed_uploads(slack)
    assert "NRR 91.0%" in json.dumps(upload["blocks"])
    assert not queue_digest(
        engine, month=OCTOBER, channel=CHANNEL, language="en", now=clock(), retry_failed=True
    )


# --- a private preview in Slack ----------------------------------------------------------------------


def test_cs_digest_previews_last_month_privately_to_the_team_and_refuses_others(engine: Engine) -> None:
    build_october(engine)
    clock = fixed_clock(tokyo(date(2026, 11, 20), 10))
    with LocalWorkspace(engine=engine, config=digest_config(), clock=clock) as workspace:
        workspace.slack.add_user("U0STRANGE")
        shown = workspace.reply_to("digest", EMILY)
        japanese = workspace.reply_to("digest 2026-10", MISAKI)
        refused = workspace.reply_to("digest", "U0STRANGE")
        usage = workspace.reply_to("digest octobre", EMILY)
    body = json.dumps(shown["blocks"], ensure_ascii=False)
    assert shown["response_type"] == "ephemeral"
    assert "Preview, visible only to you" in body and f"<#{CHANNEL}>" in body
    assert "NRR 91.0%" in body and "Success digest for October 2026" in body
    assert "2026年10月" in json.dumps(japanese["blocks"], ensure_ascii=False)
    assert "NRR" not in json.dumps(refused, ensure_ascii=False)
    assert "digest [YYYY-MM]" in usage["text"]
    with Session(engine) as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "digest")).all()
    assert sorted((a.outcome, a.query) for a in audited if a.outcome == "previewed") == [
        ("previewed", "2026-10"),
        ("previewed", "2026-10"),
    ]


# --- months the data does not reach, and the month in progress --------------------------------------


def test_a_future_month_and_a_month_before_the_data_have_no_digest(engine: Engine) -> None:
    build_october(engine)
    clock = fixed_clock(tokyo(date(2026, 11, 20), 10))
    with LocalWorkspace(engine=engine, config=digest_config(), clock=clock) as workspace:
        future = workspace.reply_to("digest 2030-01", EMILY)
        next_month = workspace.reply_to("digest 2026-12", EMILY)
        ancient = workspace.reply_to("digest 1999-01", EMILY)
        japanese = workspace.reply_to("digest 1999-01", MISAKI)
    assert future["text"] == "There is no digest for January 2030: the month has not begun."
    assert next_month["text"] == "There is no digest for December 2026: the month has not begun."
    # The accounts have been customers since 1 April 2024: nothing is known of 1999.
    assert ancient["text"] == "There is no digest for January 1999: the data starts on Apr 1, 2024."
    assert japanese["text"] == "1999年1月のレポートはありません。データは2024/04/01から始まっています。"
    assert "NRR" not in json.dumps([future, ancient])
    with Session(engine) as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "digest")).all()
    assert sorted(a.outcome for a in audited) == [
        "no_digest:before_data",
        "no_digest:before_data",
        "no_digest:future",
        "no_digest:future",
    ]


def test_an_empty_workspace_has_no_digest_at_all(engine: Engine) -> None:
    from domain.digest.content import MonthUnavailable

    with pytest.raises(MonthUnavailable) as raised:
        digest_content(engine, OCTOBER, today=NOVEMBER_2)
    assert raised.value.reason == "no_data"


def test_the_month_in_progress_is_labelled_and_counts_only_what_was_due_so_far(engine: Engine) -> None:
    from storage.models import Milestone

    build_october(engine)
    with Session(engine) as session:
        acme = session.exec(select(Account).where(Account.external_id == "A-1")).one()
        for name, due, achieved in (
            ("kick-off", date(2026, 11, 5), date(2026, 11, 4)),
            ("first report", date(2026, 11, 12), None),  # missed
            ("go-live", date(2026, 11, 27), None),  # not due yet on the 20th
        ):
            session.add(Milestone(account_id=acme.id, name=name, due_date=due, achieved_date=achieved))
        session.commit()
    content = digest_content(engine, Month(2026, 11), today=date(2026, 11, 20))
    assert content.figures.partial and content.figures.through == date(2026, 11, 20)
    assert (content.figures.value_points.due, content.figures.value_points.on_time) == (2, 1)
    text = render.digest_text(content, language="en", currency="USD", bands=["red", "yellow", "green"])
    assert "_The month is not over: these figures count Nov 1, 2026 to Nov 20, 2026" in text
    assert "50% (1 of 2 due so far)" in text and "ARR per CSM on Nov 20, 2026" in text
    whole = digest_content(engine, Month(2026, 11), today=date(2026, 12, 1))
    assert not whole.figures.partial and whole.figures.value_points.due == 3
    assert "not over" not in render.digest_text(whole, language="en", currency="USD", bands=["red"])


def test_csbot_digest_refuses_a_future_month_and_one_before_the_data(
    cli_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    build_october(cli_database)
    assert csbot(["digest", "--month", "2099-05", "--json"]) == 1
    assert capsys.readouterr().err.strip() == (
        "csbot: There is no digest for May 2099: the month has not begun."
    )
    assert csbot(["digest", "--month", "1999-01", "--post", "--channel", CHANNEL]) == 1
    assert "the data starts on Apr 1, 2024" in capsys.readouterr().err
    with Session(cli_database) as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_the_retention_trend_has_no_figures_for_months_before_the_data(engine: Engine) -> None:
    build_october(engine)
    content = digest_content(engine, OCTOBER, today=NOVEMBER_2)
    before = [point for point in content.trend if point.month.last < date(2024, 4, 1)]
    assert before == []  # twelve months back from October 2026 is still after April 2024
    with Session(engine) as session:
        for account in session.exec(select(Account)).all():
            account.start_date = date(2026, 6, 10)
        session.commit()
    trend = digest_content(engine, OCTOBER, today=NOVEMBER_2).trend
    # 2025-11 … 2026-05 ended before the first data day: nothing is claimed about them.
    assert [str(p.month) for p in trend if p.nrr is None][:7] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
    ]
    assert trend[-1].nrr is not None
    year = digest_content(engine, OCTOBER, today=NOVEMBER_2).year
    assert year.nrr is None and year.grr is None


def test_the_scheduler_posts_no_digest_for_a_month_before_the_data(
    engine: Engine, slack: LocalSlackServer
) -> None:
    build_october(engine)
    with Session(engine) as session:
        for account in session.exec(select(Account)).all():
            account.start_date = date(2026, 12, 1)
        for snapshot in session.exec(select(HealthSnapshot)).all():
            session.delete(snapshot)
        for movement in session.exec(select(RevenueMovement)).all():
            session.delete(movement)
        session.commit()
    jobs = Jobs(engine, digest_config(), client_for(slack), MovableClock(tokyo(date(2026, 12, 1), 9)))
    assert jobs.monthly_digest() is None  # customers since today: there is no November to tell of
    assert Jobs(
        engine, digest_config(), client_for(slack), MovableClock(tokyo(date(2027, 1, 4), 9))
    ).monthly_digest() == Month(2026, 12)


def test_a_score_move_is_told_between_the_scores_as_shown() -> None:
    from bot.i18n import translator
    from bot.render.digest import _score_change
    from domain.digest.figures import ScoreMove

    english = translator("en")
    # 73.4 → 32.6 is a raw fall of 40.8 (−41 rounded), but the reader sees 73 → 33 and expects −40.
    assert _score_change(english, ScoreMove(2, "A-2", "Oak", 73.4, 32.6, 32.6 - 73.4)) == "−40 (73 → 33)"
    assert _score_change(english, ScoreMove(3, "A-3", "Elm", 40.5, 69.4, 69.4 - 40.5)) == "+28 (41 → 69)"
    assert _score_change(translator("ja"), ScoreMove(3, "A-3", "Elm", 40.5, 69.4, 28.9)) == "+28（41 → 69）"
