"""`csbot team check` against the local Slack server: members linked by email, members Slack does not
know, Slack ids that no longer resolve, and account owners missing from the team list."""

import json

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.cli import main
from localslack import LocalSlackServer
from storage.models import TeamMember
from tests.factories import AE_ID, CSM_ID, add_account, add_person, build_small_workspace


def test_the_check_links_by_email_and_names_every_mismatch(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_small_workspace(engine)
    with Session(engine) as session:
        add_person(session, "kenji.abe@example.com", "Kenji Abe", "am", None)  # on Slack, id not imported
        add_person(session, "nobody@example.com", "No Body", "csm", None)  # not on Slack at all
        add_account(session, "Z-1", "Orphan Ltd", csm_email="left.company@example.com")
        add_account(session, "Z-2", "Orphan Two", ae_email="left.company@example.com")
        session.commit()
    with LocalSlackServer() as slack:
        slack.add_user(CSM_ID, email="misaki.sato@example.com")  # AE_ID is gone from the workspace
        slack.add_user("U0KENJI", email="Kenji.Abe@example.com")
        monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-local")
        monkeypatch.setenv("CSBOT_SLACK_API_URL", slack.api_url)
        code = main(["team", "check", "--json"])
        asked = [call.method for call in slack.calls]
    found = json.loads(capsys.readouterr().out)

    assert code == 1
    assert found["linked"] == [{"email": "kenji.abe@example.com", "slack_user_id": "U0KENJI"}]
    assert found["not_on_slack"] == ["nobody@example.com"]
    assert found["stale_slack_ids"] == [{"email": "bob.ray@example.com", "slack_user_id": AE_ID}]
    assert found["owners_not_in_team"] == {"left.company@example.com": 2}
    assert "users.lookupByEmail" in asked and "users.info" in asked
    with Session(engine) as session:
        kenji = (
            session.exec(select(TeamMember).where(TeamMember.email == "kenji.abe@example.com"))
            .scalars()
            .one()
        )
    assert kenji.slack_user_id == "U0KENJI"  # reminders to Kenji now reach him


def test_an_agreeing_team_passes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    build_small_workspace(engine)
    with LocalSlackServer() as slack:
        slack.add_user(CSM_ID, email="misaki.sato@example.com")
        slack.add_user(AE_ID, email="bob.ray@example.com")
        monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-local")
        monkeypatch.setenv("CSBOT_SLACK_API_URL", slack.api_url)
        code = main(["team", "check"])
    assert code == 0
    assert "agree" in capsys.readouterr().out
