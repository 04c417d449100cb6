"""Submissions of the modals csbot opens."""

from slack_bolt import App

from bot import slack_ids
from bot.services import Services
from handlers.errors import guarded
from handlers.views import win_modal


def register(app: App, services: Services) -> None:
    app.view(slack_ids.CUSTOMER_WIN_MODAL)(guarded(services, win_modal.make_listener(services)))
