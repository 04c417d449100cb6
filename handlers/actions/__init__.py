"""Button presses on the messages csbot sends."""

import re

from slack_bolt import App

from bot import slack_ids
from bot.services import Services
from handlers.actions import (
    home_card,
    home_controls,
    listing_page,
    pick_account,
    playbook_buttons,
    scheduled_buttons,
    share_card,
)
from handlers.errors import guarded


def register(app: App, services: Services) -> None:
    app.action(slack_ids.SHARE_HEALTH_CARD)(guarded(services, share_card.make_listener(services)))
    pick = guarded(services, pick_account.make_listener(services))
    app.action(re.compile(slack_ids.PICK_HEALTH_ACCOUNT_PATTERN))(pick)
    playbook = guarded(services, playbook_buttons.make_listener(services))
    app.action(re.compile(slack_ids.PLAYBOOK_REFINE_PATTERN))(playbook)
    app.action(re.compile(slack_ids.PLAYBOOK_TOPIC_PATTERN))(playbook)
    app.action(slack_ids.LISTING_MORE)(guarded(services, listing_page.make_listener(services)))
    app.action(slack_ids.HOME_OPEN_CARD)(guarded(services, home_card.make_listener(services)))
    controls = guarded(services, home_controls.make_listener(services))
    for action_id in (slack_ids.HOME_PICK_BAND, slack_ids.HOME_PICK_RENEWAL_DAYS, slack_ids.HOME_ACKNOWLEDGE):
        app.action(action_id)(controls)
    app.action(re.compile(slack_ids.HOME_PAGE_PATTERN))(controls)
    scheduled = guarded(services, scheduled_buttons.make_listener(services))
    for action_id in (*slack_ids.RENEWAL_ACTIONS, slack_ids.RISK_ACKNOWLEDGE):
        app.action(action_id)(scheduled)
