"""Shortcuts people start from Slack's menus."""

from slack_bolt import App

from bot import slack_ids
from bot.services import Services
from handlers.errors import guarded
from handlers.shortcuts import share_win


def register(app: App, services: Services) -> None:
    app.shortcut({"type": "message_action", "callback_id": slack_ids.SHARE_AS_WIN})(
        guarded(services, share_win.make_listener(services))
    )
