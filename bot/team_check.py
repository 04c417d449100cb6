"""`csbot team check`: the mismatches between the team list, Slack and the accounts that silently drop
reminders: members Slack does not know, Slack ids that no longer resolve, and owners not on the team."""

from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from storage.team import everyone, link_slack_user, owner_emails_not_in_team


@dataclass
class TeamCheck:
    linked: list[tuple[str, str]] = field(default_factory=list)  # (email, Slack id) found by email, saved
    not_on_slack: list[str] = field(default_factory=list)  # emails Slack has no account for
    stale_ids: list[tuple[str, str]] = field(default_factory=list)  # (email, Slack id) gone or deactivated
    owners_missing: dict[str, int] = field(default_factory=dict)  # owner email → accounts naming it

    @property
    def ok(self) -> bool:
        return not (self.not_on_slack or self.stale_ids or self.owners_missing)


def check_team(engine: Engine, client: WebClient) -> TeamCheck:
    """Every member checked against Slack: a stored id must still resolve to an active user; a member
    without one is looked up by email (users.lookupByEmail) and linked when found."""
    report = TeamCheck(owners_missing=owner_emails_not_in_team(engine))
    for person in everyone(engine):
        if person.slack_user_id:
            if not _resolves(client, person.slack_user_id):
                report.stale_ids.append((person.email, person.slack_user_id))
            continue
        found = _by_email(client, person.email)
        if found is None:
            report.not_on_slack.append(person.email)
        else:
            link_slack_user(engine, person.email, found)
            report.linked.append((person.email, found))
    return report


def _resolves(client: WebClient, slack_user_id: str) -> bool:
    try:
        user = client.users_info(user=slack_user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found"):
            return False
        raise
    return not user.get("deleted", False)


def _by_email(client: WebClient, email: str) -> str | None:
    try:
        return str(client.users_lookupByEmail(email=email)["user"]["id"])
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
