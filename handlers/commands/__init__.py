"""The `/cs` slash command and its subcommands."""

from slack_bolt import App

from bot import slack_ids
from bot.services import Services
from handlers.commands.router import make_router
from handlers.errors import guarded


def register(app: App, services: Services) -> None:
    app.command(slack_ids.COMMAND)(guarded(services, make_router(services)))
