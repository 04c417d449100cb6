"""What listeners need from the rest of the app, built once by the app factory and passed down."""

from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.access import Directory
from bot.config import WorkspaceConfig
from domain.clock import Clock, today_in


@dataclass(frozen=True)
class Services:
    engine: Engine
    config: WorkspaceConfig
    clock: Clock
    directory: Directory
    client: WebClient  # the bot's own client, for what a listener sends beyond its reply (files, DMs)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return today_in(self.clock, self.config.zone)
