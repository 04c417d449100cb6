"""The Home tab: opened → the person's portfolio published to it, fresh each time."""

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.home import opened_home_view
from bot.render import home as render
from bot.services import Services
from handlers.access import outsider


def make_listener(services: Services) -> Callable[..., None]:
    def opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab: nothing to publish
        requester = services.directory.requester(client, event["user"])
        if outsider(services, requester, action="home"):
            view = render.outsider_home(language=requester.language)
        else:
            view = opened_home_view(
                services.engine, services.config, requester, today=services.today(), now=services.now()
            )
        client.views_publish(user_id=requester.slack_user_id, view=view)

    return opened
