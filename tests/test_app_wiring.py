"""How the app is put together: settings from the environment, the HTTP server, retries on 429."""

import logging
import urllib.error
import urllib.request
from functools import partial

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.app import SettingsError, create_app
from bot.config import load_config
from bot.http import BackgroundServer
from bot.local import LocalWorkspace
from bot.settings import Settings
from domain.clock import fixed_clock
from storage.db import make_engine, reachable
from tests.factories import AE_ID, NOW, build_small_workspace


def test_settings_come_from_the_documented_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("CSBOT_DATABASE_URL", "postgresql+psycopg://db/csbot")
    monkeypatch.setenv("CSBOT_CONFIG", "/etc/csbot.yml")
    monkeypatch.setenv("CSBOT_SLACK_API_URL", "http://127.0.0.1:9/api/")
    settings = Settings()
    assert settings.slack_bot_token == SecretStr("xoxb-1")
    assert settings.port == 8080 and settings.database_url == "postgresql+psycopg://db/csbot"
    assert settings.config_path == "/etc/csbot.yml" and settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert not settings.socket_mode
    assert "s3cret" not in repr(settings)  # secrets never end up in logs
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert Settings().socket_mode


def test_the_default_database_is_a_local_sqlite_file() -> None:
    assert Settings().database_url == "sqlite:///csbot.db"


def test_http_mode_refuses_to_start_without_a_signing_secret(engine: Engine) -> None:
    settings = Settings(SLACK_BOT_TOKEN=SecretStr("xoxb-1"))
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        create_app(settings, config=load_config(), engine=engine)


def test_the_http_server_answers_health_checks_and_only_posts_on_the_events_path(engine: Engine) -> None:
    settings = Settings(SLACK_BOT_TOKEN=SecretStr("xoxb-1"), SLACK_SIGNING_SECRET=SecretStr("s"))
    app = create_app(settings, config=load_config(), engine=engine)
    with BackgroundServer(app, signing_secret="s") as server:
        base = server.url.removesuffix("/slack/events")
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            assert response.status == 200 and response.read() == b"ok"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/elsewhere", timeout=5)
        assert missing.value.code == 404
        unsigned = urllib.request.Request(server.url, data=b"command=%2Fcs&text=help", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=5)
        assert refused.value.code == 401


def test_a_rate_limited_slack_call_is_retried_after_retry_after(engine: Engine) -> None:
    build_small_workspace(engine)
    with LocalWorkspace(engine=engine, config=load_config(), clock=fixed_clock(NOW)) as workspace:
        workspace.slack.rate_limit("users.info", retry_after=1)
        calls = workspace.command("health acme", user_id=AE_ID).calls
    statuses = [c.status for c in calls if c.method == "users.info"]
    assert statuses == [429, 200]
    reply = next(c.body for c in calls if c.method == "response_url")
    assert reply["text"].startswith("Acme Corporation")


def test_starting_with_the_token_in_the_environment_logs_no_client_warning(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    settings = Settings(SLACK_SIGNING_SECRET=SecretStr("s"))
    with caplog.at_level(logging.WARNING):
        create_app(settings, config=load_config(), engine=engine, client=WebClient(token="xoxb-1"))
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]


def test_readiness_says_whether_the_database_answers(engine: Engine) -> None:
    settings = Settings(SLACK_BOT_TOKEN=SecretStr("xoxb-1"), SLACK_SIGNING_SECRET=SecretStr("s"))
    app = create_app(settings, config=load_config(), engine=engine)
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing")  # nothing listens on port 1
    with (
        BackgroundServer(app, signing_secret="s", ready=partial(reachable, engine)) as up_server,
        BackgroundServer(app, signing_secret="s", ready=partial(reachable, down)) as down_server,
    ):
        with urllib.request.urlopen(f"{up_server.base_url}/readyz", timeout=5) as response:
            assert response.status == 200 and response.read() == b"ready"
        with pytest.raises(urllib.error.HTTPError) as unready:
            urllib.request.urlopen(f"{down_server.base_url}/readyz", timeout=10)
        assert unready.value.code == 503
        # Alive all the same: a load balancer keeps the process, and sends it no traffic.
        with urllib.request.urlopen(f"{down_server.base_url}/healthz", timeout=5) as response:
            assert response.status == 200
    down.dispose()
