"""Publishing a person's Home tab: when they open it, and again after the daily sweep for everyone who
opened it in the last week, so the tab they come back to shows the morning's scores."""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.access import Directory, Requester
from bot.config import WorkspaceConfig
from bot.render import home as render
from domain.home import HomeFilter, build_home
from storage import home_visits

logger = logging.getLogger(__name__)
RECENT = timedelta(days=7)


def portfolio_view(
    engine: Engine,
    config: WorkspaceConfig,
    requester: Requester,
    *,
    today: date,
    now: datetime,
    choice: HomeFilter | None = None,
) -> dict[str, Any]:
    """The Home view of someone allowed to see account data, narrowed as they chose."""
    answer = build_home(
        engine,
        health=config.health,
        risks=config.risks,
        ownership=config.ownership,
        member=requester.member,
        today=today,
        slack_user_id=requester.slack_user_id,
        at=now,
        choice=choice or HomeFilter(),
    )
    return render.portfolio_home(answer, language=requester.language, currency=config.currency)


def opened_home_view(
    engine: Engine, config: WorkspaceConfig, requester: Requester, *, today: date, now: datetime
) -> dict[str, Any]:
    """The view for someone who just opened the tab; the visit is remembered for the re-publishing."""
    home_visits.record(engine, requester.slack_user_id, now)
    return portfolio_view(engine, config, requester, today=today, now=now)


def republish_homes(
    engine: Engine,
    config: WorkspaceConfig,
    client: WebClient,
    directory: Directory,
    *,
    today: date,
    now: datetime,
) -> int:
    """The Home tab of each person who opened it in the last week, published again; how many were. One
    that Slack refuses is logged and the others still go out."""
    published = 0
    for slack_user_id in home_visits.opened_since(engine, now - RECENT):
        requester = directory.requester(client, slack_user_id)
        if not requester.allowed:
            continue  # their tab says how to get access, which the sweep does not change
        try:
            client.views_publish(
                user_id=slack_user_id, view=portfolio_view(engine, config, requester, today=today, now=now)
            )
        except SlackApiError as error:
            logger.warning("Home tab of %s not re-published: %s", slack_user_id, error.response.get("error"))
            continue
        published += 1
    return published
