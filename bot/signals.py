"""Customer channel signals, the Slack side: which message events count, which account a channel
belongs to, and the scan behind `csbot signals channels`.

What counts is a person's message as posted: a plain message, a file shared with a comment, a thread
reply sent to the channel. Edits (`message_changed`) and deletions do not add or remove a message (a
message counts when it was posted, once); bot messages, csbot's own included, and joins, topics and
other channel notices are not anyone writing. The customer is whoever writes from another
organisation (Slack Connect) or as a guest of this workspace. Only the time and whether the customer
or the team wrote are stored: the event's text and files are read by nobody here and dropped with the
event.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.access import is_guest_profile
from bot.config import SignalsConfig
from storage import channel_signals
from storage.accounts import ids_by_external_id

logger = logging.getLogger(__name__)

COUNTED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})
CHANNEL_TYPES = frozenset({"channel", "group"})  # message.channels and message.groups


def counts(event: Mapping[str, Any], *, bot_user_id: str | None) -> bool:
    """Whether the message event is a person writing in a channel (see the module's note)."""
    if event.get("channel_type") not in CHANNEL_TYPES or event.get("subtype") not in COUNTED_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        return False
    return event.get("user") != bot_user_id and bool(event.get("ts")) and bool(event.get("channel"))


def from_outside(event: Mapping[str, Any], team_id: str) -> bool:
    """Whether someone of another organisation wrote it: Slack Connect events name the writer's team."""
    writer_team = event.get("user_team") or event.get("team") or team_id
    return writer_team != team_id


def configured_links(engine: Engine, signals: SignalsConfig, *, now: datetime) -> list[str]:
    """The configuration's channel links, stored; the account ids it names that no account has."""
    if not signals.channels:
        return []
    ids = ids_by_external_id(engine, sorted(set(signals.channels.values())))
    unknown: set[str] = set()
    for channel_id, external_id in signals.channels.items():
        account_id = ids.get(external_id.strip().lower())
        if account_id is None:
            unknown.add(external_id)
        elif channel_signals.linked_account(engine, channel_id) != account_id:
            channel_signals.link(engine, channel_id, account_id, by="config", at=now)
    return sorted(unknown)


def _outside_domain(client: WebClient, slack_user_id: str, team_id: str) -> str | None:
    """The email domain of a customer: someone from another organisation, or a guest of ours; None for
    our own people, bots, and anyone whose profile Slack does not give."""
    try:
        user = client.users_info(user=slack_user_id)["user"]
    except SlackApiError as error:
        logger.warning("users.info failed for %s: %s", slack_user_id, error.response.get("error"))
        return None
    email = str((user.get("profile") or {}).get("email") or "")
    ours = user.get("team_id", team_id) == team_id and not is_guest_profile(user)
    if user.get("is_bot") or ours or "@" not in email:
        return None
    return email.rpartition("@")[2].lower()


def _account_for_domains(engine: Engine, domains: set[str]) -> int | None:
    """The one account these outside emails point to; None when none does, or more than one."""
    found = channel_signals.accounts_by_domain(engine, domains)
    accounts = {account for ids in found.values() for account in ids}
    return accounts.pop() if len(accounts) == 1 else None


def linked_account(engine: Engine, signals: SignalsConfig, channel_id: str, *, now: datetime) -> int | None:
    """The account the channel is linked to: by a link made before, or by the configuration. The
    configuration's links are stored at start and at each sweep (it only changes with a restart), so
    a message reads one row; only a configured channel not stored yet stores them here."""
    account_id = channel_signals.linked_account(engine, channel_id)
    if account_id is None and channel_id in signals.channels:
        configured_links(engine, signals, now=now)
        account_id = channel_signals.linked_account(engine, channel_id)
    return account_id


def link_by_domain(
    engine: Engine, client: WebClient, channel_id: str, writer: str, *, team_id: str, now: datetime
) -> int | None:
    """Link the channel to the one account whose domain the customer writer's email is on, if any."""
    domain = _outside_domain(client, writer, team_id)
    account_id = _account_for_domains(engine, {domain}) if domain else None
    if account_id is not None:
        channel_signals.link(engine, channel_id, account_id, by="domain", at=now)
        logger.info("channel %s linked by domain %s to account %s", channel_id, domain, account_id)
    return account_id


def record_message_event(
    engine: Engine,
    signals: SignalsConfig,
    client: WebClient,
    event: Mapping[str, Any],
    *,
    team_id: str,
    bot_user_id: str | None,
    now: datetime,
    is_guest: Callable[[str], bool] = lambda _user: False,
) -> bool:
    """Count the message once if it is a person writing in a linked channel; True when it was counted
    now (False: not counted, or counted already, as a retried event is). The customer is whoever
    writes from another organisation, or as a guest of this workspace (`is_guest`, asked only when
    the answer matters: the workspace's own channels carry most messages)."""
    if not counts(event, bot_user_id=bot_user_id):
        return False
    channel_id, writer = str(event["channel"]), str(event["user"])
    account_id = linked_account(engine, signals, channel_id, now=now)
    if account_id is None and not signals.link_by_domain:
        return False
    from_customer = from_outside(event, team_id) or is_guest(writer)
    if account_id is None and from_customer:
        account_id = link_by_domain(engine, client, channel_id, writer, team_id=team_id, now=now)
    if account_id is None:
        return False
    return channel_signals.record_message(
        engine,
        channel_id=channel_id,
        ts=str(event["ts"]),
        account_id=account_id,
        posted_at=datetime.fromtimestamp(float(event["ts"]), tz=UTC),
        from_customer=from_customer,
    )


@dataclass(frozen=True)
class SharedChannel:
    channel_id: str
    name: str
    outside_domains: list[str]
    account_id: int | None = None  # set when the scan linked it


@dataclass(frozen=True)
class ChannelScan:
    """What `csbot signals channels` reports: the links, and the shared channels left unlinked."""

    links: list[channel_signals.LinkRow]
    linked_now: list[SharedChannel] = field(default_factory=list)
    unlinked: list[SharedChannel] = field(default_factory=list)
    unknown_accounts: list[str] = field(default_factory=list)  # named by the configuration, not found


def _pages(call: Any, key: str, **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = ""
    while True:
        page = call(cursor=cursor or None, limit=200, **params)
        items += page.get(key, [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return items


def scan_channels(
    engine: Engine, signals: SignalsConfig, client: WebClient, *, team_id: str, now: datetime
) -> ChannelScan:
    """Store the configured links, then look through the shared channels the bot is in: each one not
    linked yet whose outside members' emails point to one account is linked to it."""
    unknown = configured_links(engine, signals, now=now)
    linked = {link.channel_id for link in channel_signals.links(engine)}
    shared = [
        c
        for c in _pages(client.conversations_list, "channels", types="public_channel,private_channel")
        if c.get("is_ext_shared") and c["id"] not in linked
    ]
    linked_now: list[SharedChannel] = []
    unlinked: list[SharedChannel] = []
    for channel in shared:
        members = _pages(client.conversations_members, "members", channel=channel["id"])
        domains = {d for d in (_outside_domain(client, m, team_id) for m in members) if d}
        account_id = _account_for_domains(engine, domains) if signals.link_by_domain else None
        found = SharedChannel(channel["id"], channel.get("name", ""), sorted(domains), account_id)
        if account_id is not None:
            channel_signals.link(engine, channel["id"], account_id, by="domain", at=now)
            linked_now.append(found)
        else:
            unlinked.append(found)
    return ChannelScan(
        links=channel_signals.links(engine),
        linked_now=linked_now,
        unlinked=unlinked,
        unknown_accounts=unknown,
    )
