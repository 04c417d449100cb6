"""Who may see a listing, what is audited, and how listings are cut to fit Slack."""

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import load_config
from bot.local import LocalWorkspace
from bot.render.listings import pack
from domain.clock import fixed_clock
from domain.scope import Scope, scope_for
from storage.models import AuditEntry
from tests.factories import EMILY, MISAKI, NOW, STRANGER_ID, member


@pytest.mark.parametrize(
    ("typed", "action"),
    [("owner acme", "owner"), ("renewals", "renewals"), ("risks", "risks"), ("更新 30", "renewals")],
)
def test_people_outside_the_team_are_refused_and_audited(
    workspace: LocalWorkspace, typed: str, action: str
) -> None:
    workspace.slack.add_user(STRANGER_ID, email="visitor@example.org", locale="en-US")
    reply = workspace.reply_to(typed, STRANGER_ID)
    assert reply["text"].startswith("Sorry, account details are only available to the Customer Success team.")
    for secret in ("Acme", "Blue Harbor", "480,000", "Emily"):
        assert secret not in json.dumps(reply)
    with Session(workspace.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.slack_user_id == STRANGER_ID)).one()
    assert (entry.action, entry.outcome, entry.account_id) == (action, "refused", None)


def test_user_group_members_off_the_team_list_are_told_why_the_list_is_empty(
    engine: Engine, ids: dict[str, int]
) -> None:
    config = load_config()
    config.access.allowed_usergroup = "S0CSLEADS"
    with LocalWorkspace(engine=engine, config=config, clock=fixed_clock(NOW)) as workspace:
        workspace.slack.add_user(STRANGER_ID, email="lead@example.org")
        workspace.slack.set_usergroup("S0CSLEADS", [STRANGER_ID])
        for typed in ("renewals", "risks"):
            assert workspace.reply_to(typed, STRANGER_ID)["text"] == (
                "You are not on the team list, so no accounts name you as an owner. "
                "Ask your CS Ops admin to add you."
            )
        assert workspace.reply_to("owner acme", STRANGER_ID)["text"].startswith("Acme Corporation:")


def test_listings_are_audited(workspace: LocalWorkspace) -> None:
    workspace.reply_to("renewals 30", EMILY)
    workspace.reply_to("risks", EMILY)
    with Session(workspace.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.query, e.outcome, e.slack_user_id) for e in entries] == [
        ("renewals", "30", "listed", EMILY),
        ("risks", None, "listed", EMILY),
    ]


@pytest.mark.parametrize(
    ("user", "expected"), [(EMILY, "`/cs renewals [days]`"), (MISAKI, "`/cs renewals [日数]`")]
)
def test_help_lists_the_new_subcommands(workspace: LocalWorkspace, user: str, expected: str) -> None:
    text = workspace.reply_to("help", user)["text"]
    assert expected in text and "`/cs risks`" in text and "`/cs owner <" in text


def test_scope_follows_the_role(engine: Engine, ids: dict[str, int]) -> None:
    assert scope_for(engine, None) == Scope("none")
    assert scope_for(engine, member(engine, "olga@example.com")) == Scope("all")
    assert scope_for(engine, member(engine, "emily@example.com")) == Scope(
        "own", frozenset({"emily@example.com"})
    )
    grace = scope_for(engine, member(engine, "grace@example.com"))
    assert grace == Scope(
        "team",
        frozenset({"grace@example.com", "emily@example.com", "misaki@example.com", "mal@example.com"}),
    )
    assert Scope("all").filter is None and grace.filter == grace.emails


def test_the_next_page_of_a_listing_is_refused_to_people_outside_the_team(workspace: LocalWorkspace) -> None:
    pressed = workspace.click("listing_more", "risks::20", user_id=STRANGER_ID).calls
    [reply] = [c.body for c in pressed if c.method == "response_url"]
    assert reply["text"].startswith("Sorry, account details are only available")


def test_pack_keeps_lines_whole_and_sections_short() -> None:
    lines = ["a" * 1000, "b" * 1000, "c" * 1500, "d"]
    packed = pack(lines)
    assert packed == ["a" * 1000 + "\n" + "b" * 1000, "c" * 1500 + "\nd"]
    assert pack([]) == []
