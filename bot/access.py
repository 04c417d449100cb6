"""Who is asking: their team membership, language, and whether they may see account data.

Slack profile and user-group look-ups are cached for a few minutes: they change rarely and a
slash command has three seconds.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.config import WorkspaceConfig
from bot.i18n import choose_language
from storage.team import Person, link_slack_user, person_by_email, person_by_slack_id

logger = logging.getLogger(__name__)
CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class Requester:
    slack_user_id: str
    language: str
    member: Person | None
    allowed: bool


class _TtlCache:
    def __init__(self, seconds: float, now: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._now = now
        self._items: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def peek(self, key: str) -> Any:
        """The cached value, or None when there is none (or it expired): never loads."""
        with self._lock:
            hit = self._items.get(key)
            return hit[1] if hit and hit[0] > self._now() else None

    def get(self, key: str, load: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] > self._now():
                return hit[1]
        value = load()
        with self._lock:
            self._items[key] = (self._now() + self._seconds, value)
        return value


def is_guest_profile(user: Mapping[str, Any]) -> bool:
    """Whether a `users.info` user is a single- or multi-channel guest of the workspace."""
    return bool(user.get("is_restricted") or user.get("is_ultra_restricted"))


class Directory:
    def __init__(self, engine: Engine, config: WorkspaceConfig, cache_seconds: float = CACHE_SECONDS) -> None:
        self._engine = engine
        self._config = config
        self._profiles = _TtlCache(cache_seconds)
        self._groups = _TtlCache(cache_seconds)

    def _profile(self, client: WebClient, slack_user_id: str) -> dict[str, Any]:
        def load() -> dict[str, Any]:
            try:
                return dict(client.users_info(user=slack_user_id, include_locale=True)["user"])
            except SlackApiError as error:
                logger.warning("users.info failed for %s: %s", slack_user_id, error.response.get("error"))
                return {}

        return self._profiles.get(slack_user_id, load)  # type: ignore[no-any-return]

    def _in_allowed_group(self, client: WebClient, slack_user_id: str) -> bool:
        group = self._config.access.allowed_usergroup
        if not group:
            return False

        def load() -> frozenset[str]:
            try:
                return frozenset(client.usergroups_users_list(usergroup=group)["users"])
            except SlackApiError as error:
                logger.warning("usergroups.users.list failed for %s: %s", group, error.response.get("error"))
                return frozenset()

        return slack_user_id in self._groups.get(group, load)

    def is_guest(self, client: WebClient, slack_user_id: str) -> bool:
        """Whether the person is a single- or multi-channel guest of the workspace (how customers often
        join a vendor's own channel for them); read through the same cache as everything else."""
        return is_guest_profile(self._profile(client, slack_user_id))

    def cached_language(self, slack_user_id: str) -> str:
        """The person's language from what is already known (no Slack call): for replies on error paths."""
        profile = self._profiles.peek(slack_user_id) or {}
        member = person_by_slack_id(self._engine, slack_user_id)
        return choose_language(
            profile.get("locale"), member.locale if member else None, default=self._config.default_locale
        )

    def requester(self, client: WebClient, slack_user_id: str) -> Requester:
        member = person_by_slack_id(self._engine, slack_user_id)
        profile = self._profile(client, slack_user_id)
        if member is None:
            email = (profile.get("profile") or {}).get("email")
            member = person_by_email(self._engine, email) if email else None
            if member is not None and member.slack_user_id is None:
                link_slack_user(self._engine, member.email, slack_user_id)
        allowed = member is not None or self._in_allowed_group(client, slack_user_id)
        language = choose_language(
            profile.get("locale"), member.locale if member else None, default=self._config.default_locale
        )
        return Requester(slack_user_id=slack_user_id, language=language, member=member, allowed=allowed)
