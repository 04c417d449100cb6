"""The tour's last stops: a CSM's Home tab, and a customer going quiet in their shared channel."""

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from bot import slack_ids
from bot.cli.printing import calls_as_text
from bot.config import SignalsConfig, WorkspaceConfig
from bot.demo.generate import ACME_ID
from bot.i18n import translator
from bot.local import LocalWorkspace
from bot.render import health as render_health
from bot.render import labels
from domain.channel_signals import record_channel_days
from domain.health.lookup import health_by_id
from domain.health.refresh import refresh_snapshots
from domain.health.scoring import MeasureResult
from localslack import event_body
from storage.accounts import ids_by_external_id
from storage.models import ChannelMessage
from storage.snapshots import latest_snapshots

DEMO_CUSTOMER_CHANNEL = "C0ACMESHARED"
ACME_PERSON = "U0ACMEJANE"  # Acme's own admin, in Acme's Slack organisation
ACME_TEAM = "T0ACMECORP"
HOME_LINES = 28  # enough to see the menus, the alerts and the worst accounts


def with_customer_channel(config: WorkspaceConfig) -> WorkspaceConfig:
    """The demo configuration, with Acme's shared channel linked to it."""
    signals = SignalsConfig(channels={DEMO_CUSTOMER_CHANNEL: ACME_ID})
    return config.model_copy(update={"signals": signals})


def show_home(workspace: LocalWorkspace, *, tour_user: str, names: dict[str, str]) -> None:
    """The tour CSM opens csbot's Home tab, then acknowledges the first alert waiting there."""
    print(f"━━ {names.get(tour_user)} opens csbot's Home tab\n")
    opened = workspace.open_home(tour_user)
    lines = calls_as_text(opened.calls, names).splitlines()
    print("\n".join(lines[:HOME_LINES]))
    if len(lines) > HOME_LINES:
        print(f"   … {len(lines) - HOME_LINES} more lines: the rest of the page, its pages and the renewals")
    print(f"\n   ({opened.elapsed_ms:.0f} ms from the event to views.publish)\n")
    [published] = [c for c in opened.calls if c.method == "views.publish"]
    view: dict[str, Any] = published.body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    acknowledge = [
        block
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == slack_ids.HOME_ACKNOWLEDGE
    ]
    if not acknowledge:
        return
    first = acknowledge[0]
    account = first["text"]["text"].split("*")[1]
    print(f"━━ {names.get(tour_user)} presses [Acknowledge] beside {account}'s alert\n")
    pressed = workspace.press_on_view(
        view, slack_ids.HOME_ACKNOWLEDGE, user_id=tour_user, value=first["accessory"]["value"]
    )
    [again] = [c for c in pressed.calls if c.method == "views.publish"]
    after = again.body["view"] if isinstance(again.body["view"], dict) else json.loads(again.body["view"])
    heading = next((b["text"]["text"] for b in after["blocks"] if "waiting for" in str(b.get("text"))), "")
    still = heading.strip("*").split(" ")[0] if heading else "no"
    print(f"The tab is published again without {account}'s alert; {still} others still wait.\n")


def show_quiet_customer(
    workspace: LocalWorkspace, config: WorkspaceConfig, today: date, *, tour_user: str, names: dict[str, str]
) -> None:
    """Acme writes in its shared channel every few days and gets answers within the hour, then goes
    quiet: the channel measure lowers Acme's score from one day to the next. Only times are kept."""
    print("━━ Customer channel signals: Acme goes quiet in its shared Slack Connect channel\n")
    workspace.slack.add_user(
        ACME_PERSON, email="jane.admin@acme.com", real_name="Jane (Acme)", team_id=ACME_TEAM
    )
    zone = config.zone
    last_wrote = today - timedelta(days=14)
    sent = 0
    for back in range(44, 13, -3):  # every third day, until two weeks ago
        day = today - timedelta(days=back)
        question = datetime.combine(day, time(10, 0), tzinfo=zone)
        for at, user, outside in (
            (question, ACME_PERSON, True),
            (question + timedelta(minutes=35), tour_user, False),
        ):
            event = {
                "type": "message",
                "channel": DEMO_CUSTOMER_CHANNEL,
                "channel_type": "channel",
                "user": user,
                "user_team": ACME_TEAM if outside else "T0DEMO",
                "text": "(what they wrote: read by nobody, stored nowhere)",
                "ts": f"{at.timestamp():.6f}",
            }
            workspace.send(event_body(event))
            sent += 1
    with workspace.engine.connect() as connection:
        counted = connection.scalar(select(func.count()).select_from(ChannelMessage))
    print(
        f"{sent} signed message events in {DEMO_CUSTOMER_CHANNEL} (Acme asks, {names.get(tour_user)} "
        f"answers 35 minutes later), the last on {last_wrote}; {counted} counted. The database keeps each "
        "message's time and whether the customer or the team wrote it, never its text.\n"
    )
    acme = ids_by_external_id(workspace.engine, [ACME_ID])[ACME_ID.lower()]
    tomorrow = today + timedelta(days=1)
    for day in (today, tomorrow):
        record_channel_days(workspace.engine, [day - timedelta(days=1), day], zone)
        refresh_snapshots(workspace.engine, config.health, [day], account_ids=[acme])
        moment = datetime.combine(day, time(9, 0), tzinfo=zone).astimezone(UTC)
        card = health_by_id(
            workspace.engine, config.health, account_id=acme, slack_user_id=tour_user, today=day, at=moment
        )
        assert card is not None
        message = render_health.health_card(card, language="en", currency=config.currency)
        snapshot = latest_snapshots(workspace.engine, [acme], day)[acme]
        [quiet] = [
            MeasureResult.from_dict(m) for m in snapshot.measures if m["id"] == "customer_channel_quiet"
        ]
        tr = translator("en")
        value = labels.measure_value(quiet, tr)
        channel = f"{labels.measure_label(quiet.id, tr)}: {value} → {quiet.score or 0:.0f}/100"
        label = "today" if day == today else "tomorrow's sweep"
        print(f"/cs health acme, {label}: {message.text.splitlines()[0]}\n   {channel}")
    print()
