"""The command line as a user runs it: `csbot cmd` through the real HTTP path, against the test database."""

import json
from pathlib import Path

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


def test_scores_lists_each_account_with_its_measures(
    cli_database: Engine, capsys: pytest.CaptureFixture
) -> None:
    assert main(["score", "--day", "2026-11-23"]) == 0
    capsys.readouterr()
    assert main(["scores", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    acme = next(row for row in rows if row["account_id"] == "A-1")
    assert acme["day"] == "2026-11-23" and acme["band"] == "yellow" and acme["score"] is not None
    assert acme["measures"]["seat_utilisation"]["points"] is not None
    assert main(["scores", "--csv", "--day", "2026-11-23"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split(",")
    assert header[:6] == ["day", "account_id", "name", "score", "band", "scorecard"]
    assert "seat_utilisation" in header and "seat_utilisation_points" in header
    assert len(lines) == 1 + len(rows)
    acme_line = next(line for line in lines if ",A-1," in line).split(",")
    assert float(acme_line[header.index("score")]) == acme["score"]


def test_scores_before_any_scoring_says_what_to_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["scores"]) == 1
    assert "no health snapshots yet: run `csbot score` first" in capsys.readouterr().err


@pytest.mark.parametrize("days", ["0", "-3", "two"])
def test_score_refuses_a_count_of_days_below_one(
    cli_database: Engine, capsys: pytest.CaptureFixture, days: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["score", "--days", days])
    assert exited.value.code == 2
    assert "--days" in capsys.readouterr().err


# --- operations: one clear line, a non-zero exit -----------------------------------------------------


def one_line_error(capsys: pytest.CaptureFixture, argv: list[str], code: int) -> str:
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_database_that_is_down_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/csbot")
    err = one_line_error(capsys, ["migrate"], 1)
    assert err.startswith("csbot: cannot use the database postgresql+psycopg://postgres@127.0.0.1:1/csbot:")


def test_an_sqlite_file_that_cannot_be_written_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", f"sqlite:///{tmp_path}/no/such/dir/csbot.db")
    err = one_line_error(capsys, ["score"], 1)
    assert "cannot use the database sqlite:///" in err and "unable to open database file" in err


def test_a_url_that_is_not_a_database_url_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", "nonsense")
    assert "CSBOT_DATABASE_URL is not a database URL" in one_line_error(capsys, ["migrate"], 2)


def test_postgres_urls_are_accepted_as_postgresql() -> None:
    from bot.settings import Settings
    from storage.db import make_engine
    from tests.conftest import POSTGRES_ADMIN_URL

    settings = Settings(CSBOT_DATABASE_URL="postgres://reader:secret@db.example.com:5432/csbot")
    assert settings.database_url == "postgresql+psycopg://reader:secret@db.example.com:5432/csbot"
    # And the URL works: the same server as the test database, written the short way.
    short = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgres://")
    engine = make_engine(Settings(CSBOT_DATABASE_URL=short).database_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("select 1").scalar() == 1
    except Exception as error:  # no PostgreSQL here: the rewriting above is what this test is about
        pytest.skip(f"PostgreSQL not reachable: {type(error).__name__}")
    finally:
        engine.dispose()


def test_a_port_that_is_not_a_number_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PORT", "abc")
    err = one_line_error(capsys, ["run"], 2)
    assert err.startswith("csbot: invalid environment: PORT: Input should be a valid integer")


def test_run_names_every_missing_secret_at_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    err = one_line_error(capsys, ["run"], 2)
    assert "SLACK_BOT_TOKEN" in err and "SLACK_SIGNING_SECRET" in err


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CSBOT_"))},
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "secret",
            "PORT": str(port),
            "CSBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        }
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "--no-scheduler"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("csbot:")]
    assert errors == [f"csbot: cannot listen on port {port}: Address already in use"], done.stderr
    assert "Traceback" not in done.stderr and "`token` will be unused" not in done.stderr


def test_sweep_json_prints_only_json_on_standard_output(
    cli_database: Engine, capsys: pytest.CaptureFixture
) -> None:
    assert main(["sweep", "--date", "2026-11-23", "--json"]) == 0
    captured = capsys.readouterr()
    calls = json.loads(captured.out)
    assert isinstance(calls, list)
    assert captured.err.startswith("Sweep for 2026-11-23:")
