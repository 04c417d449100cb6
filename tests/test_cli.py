"""The command line as a user runs it: `csbot cmd` through the real HTTP path, against the test database."""

import json

import pytest
from sqlalchemy import Engine

from bot.cli import main
from tests.factories import AE_ID, build_small_workspace


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    build_small_workspace(engine)
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_cmd_json_lists_every_call_with_method_and_body(
    cli_database: Engine, capsys: pytest.CaptureFixture
) -> None:
    assert main(["cmd", "/cs health acme", "--user", AE_ID, "--json"]) == 0
    calls = json.loads(capsys.readouterr().out)
    assert [c["method"] for c in calls if c["method"] == "response_url"] == ["response_url"]
    reply = next(c["body"] for c in calls if c["method"] == "response_url")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "*Acme Corporation*  `A-1`"


def test_cmd_prints_what_a_slack_user_would_see(cli_database: Engine, capsys: pytest.CaptureFixture) -> None:
    assert main(["cmd", "/cs health partners", "--user", "bob.ray@example.com"]) == 0
    out = capsys.readouterr().out
    assert "response_url (visible only to you)" in out
    assert "*<!channel> & <@U123> Partners*" in out  # shown as Slack displays the escaped text
    assert "[Share in channel]" in out


def test_cmd_defaults_to_a_csm_and_speaks_their_language(
    cli_database: Engine, capsys: pytest.CaptureFixture
) -> None:
    assert main(["cmd", "/cs help"]) == 0
    assert "この一覧" in capsys.readouterr().out  # the only CSM, 佐藤 美咲 (U0CSM01), reads Japanese


def test_cmd_rejects_text_that_is_not_a_slash_command(
    cli_database: Engine, capsys: pytest.CaptureFixture
) -> None:
    assert main(["cmd", "health acme"]) == 2
    assert "starts with '/'" in capsys.readouterr().err


def test_cmd_with_an_unknown_email_says_so(cli_database: Engine, capsys: pytest.CaptureFixture) -> None:
    assert main(["cmd", "/cs help", "--user", "nobody@example.com"]) == 2
    assert "nobody@example.com" in capsys.readouterr().err


def test_score_stores_snapshots_for_the_days_asked(
    cli_database: Engine, capsys: pytest.CaptureFixture
) -> None:
    assert main(["score", "--day", "2026-11-23", "--days", "3"]) == 0
    assert "Stored 15 health snapshots for 2026-11-21 to 2026-11-23." in capsys.readouterr().out
    # Acme has data on six measures; the other four accounts on none.
    assert main(["score", "--day", "2026-11-23"]) == 0
    assert "On 2026-11-23: 1 yellow; 4 without enough data for a score." in capsys.readouterr().out


@pytest.mark.parametrize("days", ["0", "-3", "two"])
def test_score_refuses_a_count_of_days_below_one(
    cli_database: Engine, capsys: pytest.CaptureFixture, days: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["score", "--days", days])
    assert exited.value.code == 2
    assert "--days" in capsys.readouterr().err
