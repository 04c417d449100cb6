"""Slack listeners only: each acknowledges, parses, calls the domain, renders and responds."""

from slack_bolt import App

from bot.services import Services
from handlers import actions, commands, errors, events, shortcuts, views


def register(app: App, services: Services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    shortcuts.register(app, services)
    views.register(app, services)
    events.register(app, services)
    errors.register(app, services)
