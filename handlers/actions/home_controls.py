"""Presses on the Home tab's own controls: the band and renewal-window menus, the page buttons, and
Acknowledge beside an alert. Each redraws the tab with what the person chose, which the view keeps."""

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import slack_ids
from bot.home import portfolio_view
from bot.render import home as render
from bot.services import Services
from domain.home import HomeFilter, acknowledge_in_scope
from handlers.access import outsider
from handlers.errors import int_value


def _chosen(action: dict[str, Any], before: HomeFilter) -> HomeFilter:
    """The tab's new state after this press; Acknowledge keeps the one it had."""
    action_id = action["action_id"]
    if action_id == slack_ids.HOME_PICK_BAND:
        band = (action.get("selected_option") or {}).get("value")
        return before.with_band(None if band in (None, render.ALL_BANDS) else band)
    if action_id == slack_ids.HOME_PICK_RENEWAL_DAYS:
        return before.with_renewal_days(int_value((action.get("selected_option") or {}).get("value")))
    if action_id.startswith(slack_ids.HOME_PAGE):
        return before.at(int_value(action.get("value")))
    return before


def make_listener(services: Services) -> Callable[..., None]:
    def press(ack: Ack, action: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        ack()
        requester = services.directory.requester(client, body["user"]["id"])
        if outsider(services, requester, action=action["action_id"]):
            client.views_publish(
                user_id=requester.slack_user_id, view=render.outsider_home(language=requester.language)
            )
            return
        choice = _chosen(action, render.home_choice(body.get("view")))
        if action["action_id"] == slack_ids.HOME_ACKNOWLEDGE:
            acknowledge_in_scope(
                services.engine,
                requester.member,
                int_value(action.get("value")),
                slack_user_id=requester.slack_user_id,
                today=services.today(),
                at=services.now(),
            )
        view = portfolio_view(
            services.engine,
            services.config,
            requester,
            today=services.today(),
            now=services.now(),
            choice=choice,
        )
        client.views_publish(user_id=requester.slack_user_id, view=view)

    return press
