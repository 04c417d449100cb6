"""Events Slack sends the app: the Home tab being opened, and messages in channels."""

from slack_bolt import App

from bot import slack_ids
from bot.services import Services
from handlers.errors import guarded
from handlers.events import home, messages


def register(app: App, services: Services) -> None:
    app.event(slack_ids.HOME_OPENED)(guarded(services, home.make_listener(services)))
    app.event(slack_ids.MESSAGE)(guarded(services, messages.make_listener(services)))
