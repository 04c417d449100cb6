"""The `/cs` slash command and its subcommands."""

from slack_bolt import App

from bot import slack_ids
from bot.services import Services
from handlers.commands.router import make_router


def register(app: App, services: Services) -> None:
    app.command(slack_ids.COMMAND)(make_router(services))
