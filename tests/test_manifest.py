from pathlib import Path

import yaml
from sqlalchemy import Engine

from bot import slack_ids
from bot.cli import build_parser

ROOT = Path(__file__).parent.parent


def test_manifest_declares_the_command_interactivity_socket_mode_and_only_the_scopes_we_use() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [slack_ids.COMMAND]
    assert "health" in commands[0]["usage_hint"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == slack_ids.BOT_SCOPES


def test_manifest_declares_the_share_as_win_shortcut_the_app_listens_for() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    shortcuts = manifest["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("message", slack_ids.SHARE_AS_WIN)]
    assert shortcuts[0]["name"] == "Share as customer win" and shortcuts[0]["description"]
    usage = manifest["features"]["slash_commands"][0]["usage_hint"]
    assert "win <account> <story>" in usage and "wins" in usage


def test_the_usage_hint_is_the_registrys_every_subcommand() -> None:
    from handlers.commands.registry import SUBCOMMANDS, usage_hint

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    usage = manifest["features"]["slash_commands"][0]["usage_hint"]
    assert usage == usage_hint()
    assert [part.split()[0] for part in usage.split(" · ")] == [s.name for s in SUBCOMMANDS]


def test_readme_justifies_every_scope_and_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for scope in slack_ids.BOT_SCOPES:
        assert f"`{scope}`" in readme
    head = "\n".join(readme.splitlines()[:15])
    assert "make demo" in head and "make test" in head


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == "make test"


def test_cli_offers_every_documented_subcommand() -> None:
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"run", "migrate", "import", "score", "demo", "cmd", "shell"} <= set(subcommands)


def test_manifest_subscribes_to_the_events_the_app_listens_for_and_enables_the_home_tab() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert tuple(manifest["settings"]["event_subscriptions"]["bot_events"]) == slack_ids.BOT_EVENTS
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def _event_for(subscription: str) -> dict:
    """A minimal event of the kind a manifest subscription delivers (message.channels: a `message`
    event from a public channel)."""
    kind, _, source = subscription.partition(".")
    event: dict = {"type": kind, "user": "U0CSM01", "event_ts": "1795400000.000100"}
    if kind == "message":
        event |= {
            "channel": "C0SOMEWHERE",
            "channel_type": {"channels": "channel", "groups": "group"}[source],
        }
        event |= {"ts": "1795400000.000100", "text": "hello"}
    return event


def test_the_app_has_a_listener_for_every_event_the_manifest_subscribes_to(engine: Engine) -> None:
    from bot.config import load_config
    from bot.local import LocalWorkspace
    from localslack import event_body

    with LocalWorkspace(engine=engine, config=load_config()) as workspace:
        answered = {s: workspace.send(event_body(_event_for(s))).status for s in slack_ids.BOT_EVENTS}
        # Bolt answers 404 to an event nothing listens for: the check above could fail.
        unheard = workspace.send(event_body({"type": "reaction_added", "user": "U0CSM01"})).status
    assert answered == dict.fromkeys(slack_ids.BOT_EVENTS, 200)
    assert unheard == 404
