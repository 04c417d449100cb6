"""The Home tab: opened → the person's portfolio published to it, fresh each time."""

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.render import home as render
from bot.services import Services
from domain.home import build_home
from handlers.access import outsider


def make_listener(services: Services) -> Callable[..., None]:
    def opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab: nothing to publish
        requester = services.directory.requester(client, event["user"])
        if outsider(services, requester, action="home"):
            view = render.outsider_home(language=requester.language)
        else:
            answer = build_home(
                services.engine,
                health=services.config.health,
                risks=services.config.risks,
                ownership=services.config.ownership,
                member=requester.member,
                today=services.today(),
                slack_user_id=requester.slack_user_id,
                at=services.now(),
            )
            view = render.portfolio_home(
                answer, language=requester.language, currency=services.config.currency
            )
        client.views_publish(user_id=requester.slack_user_id, view=view)

    return opened
