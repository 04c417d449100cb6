"""Customer channel signals through the real Bolt path: signed `message` events in, counts and reply
times out, and never the text. Both databases."""

import json
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, MetaData, select, update
from sqlalchemy.exc import SAWarning
from sqlmodel import Session

from bot.cli import main
from bot.config import SignalsConfig, WorkspaceConfig, load_config
from bot.local import LocalWorkspace
from bot.scheduler import Jobs
from domain.channel_signals import (
    CUSTOMER_MESSAGES,
    DAYS_SINCE_CUSTOMER,
    FIRST_REPLY_MINUTES,
    TEAM_MESSAGES,
    record_channel_days,
)
from domain.clock import fixed_clock
from localslack import LocalSlackServer, event_body
from storage.models import Account, ChannelLink, ChannelMessage, HealthSnapshot, MetricObservation
from tests.factories import AE_ID, CSM_ID, NOW, TODAY, build_small_workspace

TOKYO = ZoneInfo("Asia/Tokyo")
OUR_TEAM = "T0DEMO"  # the team the local Slack server's envelopes come from
ACME_CHANNEL = "C0ACMESHARED"
CUSTOMER = "U0ACMEUSER"  # of Acme's own Slack organisation
BOT_USER = "U0CSBOT"
SECRET_WORDS = "our invoices are wrong again and the CFO is furious"


def _ts(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def _message(at: datetime, user: str, *, outside: bool, channel: str = ACME_CHANNEL, **more: object) -> dict:
    event: dict = {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "text": f"{SECRET_WORDS} ({at:%H:%M})",
        "ts": _ts(at),
        "event_ts": _ts(at),
        "team": OUR_TEAM,
        "user_team": "T0ACME" if outside else OUR_TEAM,
        "files": [{"id": "F0SECRET", "name": "ledger.xlsx", "preview": SECRET_WORDS}],
        **more,
    }
    return event


def _config(**signals: object) -> WorkspaceConfig:
    config = load_config()
    return config.model_copy(update={"signals": SignalsConfig(**signals)})  # type: ignore[arg-type]


def _acme_id(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(Account.id).where(Account.external_id == "A-1")).scalars().one())


def _metrics(engine: Engine, account_id: int) -> dict[tuple[str, str], float]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(MetricObservation.metric, MetricObservation.observed_on, MetricObservation.value).where(
                MetricObservation.account_id == account_id, MetricObservation.metric.startswith("channel_")
            )
        ).all()
    return {(metric, day.isoformat()): value for metric, day, value in rows}


def _at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A time in Tokyo on TODAY + day_offset."""
    day = TODAY + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


def _every_stored_value(engine: Engine) -> str:
    """Every row of every table, as one text: what a database dump would show."""
    metadata = MetaData()
    with warnings.catch_warnings():  # SQLite's expression indexes are not reflected; rows are all we read
        warnings.simplefilter("ignore", SAWarning)
        metadata.reflect(bind=engine)
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in connection.execute(table.select())
        )


def test_a_known_day_of_messages_gives_the_counts_and_reply_times_worked_out_by_hand(engine: Engine) -> None:
    build_small_workspace(engine)
    config = _config(channels={ACME_CHANNEL: "A-1"})
    yesterday = -1
    counted = [
        _message(_at(yesterday, 9, 0), CUSTOMER, outside=True),  # a wait starts
        _message(_at(yesterday, 9, 10), CUSTOMER, outside=True),  # the same wait goes on
        _message(_at(yesterday, 9, 40), CSM_ID, outside=False),  # answered after 40 minutes
        _message(_at(yesterday, 13, 0), CUSTOMER, outside=True, subtype="file_share"),
        _message(_at(yesterday, 15, 0), AE_ID, outside=False, thread_ts=_ts(_at(yesterday, 13, 0))),  # 120
        _message(_at(yesterday, 15, 5), CSM_ID, outside=False),  # nobody was waiting
        _message(_at(yesterday, 23, 30), CUSTOMER, outside=True),
        _message(_at(0, 0, 30), CSM_ID, outside=False),  # after midnight: 60 minutes, for yesterday's wait
    ]
    not_counted = [
        _message(_at(yesterday, 9, 5), CUSTOMER, outside=True, subtype="message_changed"),  # an edit
        _message(_at(yesterday, 9, 6), CUSTOMER, outside=True, subtype="message_deleted"),
        _message(_at(yesterday, 9, 7), "U0SOMEBOT", outside=False, subtype="bot_message", bot_id="B0OTHER"),
        _message(_at(yesterday, 9, 8), BOT_USER, outside=False, bot_id="B0CSBOT"),  # csbot's own post
        _message(_at(yesterday, 9, 9), CUSTOMER, outside=True, subtype="channel_join"),
        _message(_at(yesterday, 9, 11), CUSTOMER, outside=True, channel="C0NOTLINKED"),  # another channel
    ]
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        statuses = [workspace.send(event_body(event)).status for event in counted + not_counted]
        # Nothing is answered in the channel: the events are only counted.
        assert [c.method for c in workspace.slack.calls if c.method.startswith("chat.")] == []
    assert statuses == [200] * len(statuses)
    acme = _acme_id(engine)
    with engine.connect() as connection:
        stored = connection.execute(select(ChannelMessage.from_customer)).scalars().all()
    assert sorted(stored) == [False] * 4 + [True] * 4

    record_channel_days(engine, [TODAY - timedelta(days=1), TODAY], TOKYO)
    day_before, today = (TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()
    assert _metrics(engine, acme) == {
        (CUSTOMER_MESSAGES, day_before): 4,
        (TEAM_MESSAGES, day_before): 3,
        (FIRST_REPLY_MINUTES, day_before): 60.0,  # the median of 40, 120 and 60
        (DAYS_SINCE_CUSTOMER, day_before): 0,
        (CUSTOMER_MESSAGES, today): 0,
        (TEAM_MESSAGES, today): 1,
        (DAYS_SINCE_CUSTOMER, today): 1,  # no wait began today, so no reply time
    }
    # Only counts and times: the words and the file are nowhere in the database.
    dump = _every_stored_value(engine)
    assert "invoices" not in dump and "ledger" not in dump and "F0SECRET" not in dump
    assert CUSTOMER not in dump  # nor who wrote


def test_a_retried_event_and_a_repeated_event_id_count_once(engine: Engine) -> None:
    build_small_workspace(engine)
    config = _config(channels={ACME_CHANNEL: "A-1"})
    body = event_body(_message(_at(-1, 10), CUSTOMER, outside=True), event_id="Ev0SAME")
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        first = workspace.send(body)
        retried = workspace.send(
            body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )
        again = workspace.send(body)
    assert (first.status, retried.status, again.status) == (200, 200, 200)
    with engine.connect() as connection:
        assert len(connection.execute(select(ChannelMessage.id)).all()) == 1


def test_a_slack_connect_channel_is_linked_by_its_outside_members_email_domain(engine: Engine) -> None:
    build_small_workspace(engine)
    with engine.begin() as connection:
        connection.execute(
            update(Account).where(Account.external_id == "A-2").values(domain="sakura-logi.co.jp")
        )
    config = _config()
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user("U0SAKURA1", email="taro@Sakura-Logi.co.jp", team_id="T0SAKURA")
        counted = workspace.send(
            event_body(_message(_at(-1, 11), "U0SAKURA1", outside=True, channel="C0SAKURA"))
        )
        # Our own people writing first in an unlinked channel do not link it: their domain is ours.
        ours = workspace.send(event_body(_message(_at(-1, 12), CSM_ID, outside=False, channel="C0OTHER")))
    assert counted.status == ours.status == 200
    with engine.connect() as connection:
        links = connection.execute(
            select(ChannelLink.channel_id, ChannelLink.account_id, ChannelLink.linked_by)
        ).all()
        sakura = connection.execute(select(Account.id).where(Account.external_id == "A-2")).scalar()
        messages = connection.execute(select(ChannelMessage.account_id, ChannelMessage.from_customer)).all()
    assert links == [("C0SAKURA", sakura, "domain")]
    assert messages == [(sakura, True)]


def test_signals_channels_lists_the_links_and_the_shared_channels_no_account_claims(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    build_small_workspace(engine)
    with engine.begin() as connection:
        connection.execute(
            update(Account).where(Account.external_id == "A-2").values(domain="sakura-logi.co.jp")
        )
    config_file = tmp_path / "csbot.yml"
    config_file.write_text(
        f"signals:\n  channels: {{{ACME_CHANNEL}: A-1, C0GONE: NO-SUCH}}\n", encoding="utf-8"
    )
    with LocalSlackServer() as slack:
        slack.add_user(CSM_ID, email="misaki.sato@example.com")
        slack.add_user("U0SAKURA1", email="taro@sakura-logi.co.jp", team_id="T0SAKURA")
        slack.add_user("U0STRANGER", email="someone@unknown-co.example", team_id="T0UNKNOWN")
        slack.add_channel("C0SAKURA", name="sakura-shared", members=[CSM_ID, "U0SAKURA1"], is_ext_shared=True)
        slack.add_channel(
            "C0MYSTERY",
            name="mystery-shared",
            members=[CSM_ID, "U0STRANGER"],
            is_private=True,
            is_ext_shared=True,
        )
        slack.add_channel("C0INTERNAL", name="cs-team", members=[CSM_ID])
        monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-local")
        monkeypatch.setenv("CSBOT_SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("CSBOT_CONFIG", str(config_file))
        code = main(["signals", "channels", "--json"])
    found = json.loads(capsys.readouterr().out)
    assert code == 0
    assert found["links"] == [
        {"channel": ACME_CHANNEL, "account_id": "A-1", "account": "Acme Corporation", "linked_by": "config"},
        {"channel": "C0SAKURA", "account_id": "A-2", "account": "株式会社さくら物流", "linked_by": "domain"},
    ]
    assert found["unlinked_shared_channels"] == [
        {"channel": "C0MYSTERY", "name": "mystery-shared", "outside_domains": ["unknown-co.example"]}
    ]
    assert found["unknown_accounts"] == ["NO-SUCH"]


def _scores(engine: Engine, account_id: int) -> dict[str, tuple[float | None, dict]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(HealthSnapshot.day, HealthSnapshot.score, HealthSnapshot.measures).where(
                HealthSnapshot.account_id == account_id
            )
        ).all()
    return {day.isoformat(): (score, {m["id"]: m for m in measures}) for day, score, measures in rows}


def test_a_customer_going_quiet_lowers_the_score_the_next_day_and_unlinked_accounts_do_not_change(
    engine: Engine,
) -> None:
    build_small_workspace(engine)
    config = _config(channels={ACME_CHANNEL: "A-1"})
    last_wrote = NOW - timedelta(days=14)
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(last_wrote)) as workspace:
        workspace.send(event_body(_message(last_wrote.astimezone(TOKYO), CUSTOMER, outside=True)))
        assert workspace.app is not None
        client = workspace.app.client
        Jobs(engine, config, client, clock=fixed_clock(NOW)).sweep()
        Jobs(engine, config, client, clock=fixed_clock(NOW + timedelta(days=1))).sweep()
    acme = _scores(engine, _acme_id(engine))
    today, tomorrow = TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat()
    quiet_today = acme[today][1]["customer_channel_quiet"]
    quiet_tomorrow = acme[tomorrow][1]["customer_channel_quiet"]
    assert (quiet_today["value"], quiet_today["score"]) == (14, 75)
    assert (quiet_tomorrow["value"], quiet_tomorrow["score"]) == (15, 50)
    assert acme[tomorrow][0] < acme[today][0]  # type: ignore[operator]
    # Globex has no channel: no channel measure at all, and the score the scorecard alone gives.
    with engine.connect() as connection:
        globex = connection.execute(select(Account.id).where(Account.external_id == "A-3")).scalar()
    for _, measures in _scores(engine, int(globex)).values():  # type: ignore[arg-type]
        assert "customer_channel_quiet" not in measures and "channel_reply_time" not in measures


def test_in_a_channel_of_our_own_a_guest_writes_as_the_customer_and_links_it_by_domain(
    engine: Engine,
) -> None:
    build_small_workspace(engine)
    with engine.begin() as connection:
        connection.execute(
            update(Account).where(Account.external_id == "A-2").values(domain="sakura-logi.co.jp")
        )
    with LocalWorkspace(engine=engine, config=_config(), clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user("U0GUEST", email="hanako@sakura-logi.co.jp", is_guest=True)
        workspace.slack.add_user(CSM_ID, email="misaki.sato@example.com")
        for at, user in ((_at(-1, 9), "U0GUEST"), (_at(-1, 10), CSM_ID)):
            event = _message(at, user, outside=False, channel="C0SAKURAGUESTS")
            assert workspace.send(event_body(event)).status == 200
    with engine.connect() as connection:
        link = connection.execute(select(ChannelLink.channel_id, ChannelLink.linked_by)).all()
        kinds = connection.execute(
            select(ChannelMessage.from_customer).order_by(ChannelMessage.posted_at)
        ).all()
    assert link == [("C0SAKURAGUESTS", "domain")]
    assert [k for (k,) in kinds] == [True, False]  # the guest is the customer, 佐藤 the team
