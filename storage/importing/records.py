"""Turn one row's parsed cells into a database record, with the checks that need more than one cell.

References to other tables are resolved here from maps loaded once per import: the account external-id map
(a few thousand entries even when the file has a million rows) and, for team and accounts, the team table.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from storage.models import Account, MovementKind, TeamMember
from storage.names import normalise_name

_UNKNOWN_ACCOUNT = 'is not a known account (import it with "csbot import accounts" first)'
_UNKNOWN_OWNER = (
    'is not in the team table (import it with "csbot import team" first, or leave the cell empty)'
)
_NEGATIVE_KINDS = frozenset({MovementKind.DOWNSELL.value, MovementKind.CHURN.value})


@dataclass
class Record:
    line: int
    values: dict[str, Any]
    # None when the file has no aliases column: the account's aliases are then left as they are.
    aliases: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


@dataclass(frozen=True)
class PendingManager:
    line: int
    email: str


@dataclass
class References:
    account_ids: dict[str, int] = field(default_factory=dict)
    team_slack_ids: dict[str, str | None] = field(default_factory=dict)  # email -> Slack id
    team_by_slack: dict[str, str] = field(default_factory=dict)
    # What the team file itself has said so far: Slack ids may move between people within one file.
    file_slack_owner: dict[str, str] = field(default_factory=dict)
    file_emails: set[str] = field(default_factory=set)
    pending_managers: dict[str, PendingManager] = field(default_factory=dict)

    @classmethod
    def load(cls, connection: Connection, kind: str) -> "References":
        refs = cls()
        if kind not in ("team", "accounts"):
            refs.account_ids = dict(connection.execute(select(Account.external_id, Account.id)).all())
        else:
            rows = connection.execute(select(TeamMember.email, TeamMember.slack_user_id)).all()
            refs.team_slack_ids = {email.casefold(): slack for email, slack in rows}
            refs.team_by_slack = {slack: email.casefold() for email, slack in rows if slack}
        return refs

    def unresolved_managers(self) -> list[PendingManager]:
        """Managers named in the file who are neither in the team table nor anywhere in the file."""
        return [pending for email, pending in self.pending_managers.items() if email not in self.file_emails]


Builder = Callable[[int, dict[str, Any], References, list[Problem]], Record]


def _account(values: dict[str, Any], refs: References, problems: list[Problem]) -> int | None:
    account_id = refs.account_ids.get(values["account_id"])
    if account_id is None:
        problems.append(Problem("account_id", _UNKNOWN_ACCOUNT))
    return account_id


def build_team(line: int, values: dict[str, Any], refs: References, problems: list[Problem]) -> Record:
    email = values["email"]
    slack = values.get("slack_user_id")
    if slack is not None:
        owner = refs.file_slack_owner.get(slack)
        if owner is None:
            owner = refs.team_by_slack.get(slack)
            # Someone already listed in this file with another Slack id has given this one up.
            if owner in refs.file_emails:
                owner = None
        if owner is not None and owner != email:
            problems.append(Problem("slack_user_id", f"already belongs to {owner} (Slack ids are unique)"))
        else:
            refs.file_slack_owner[slack] = email
    manager = values.get("manager_email")
    if manager and manager not in refs.team_slack_ids and manager not in refs.file_emails:
        refs.pending_managers.setdefault(manager, PendingManager(line, manager))
    refs.file_emails.add(email)
    return Record(line, dict(values))


def build_account(line: int, values: dict[str, Any], refs: References, problems: list[Problem]) -> Record:
    record = {("external_id" if name == "account_id" else name): value for name, value in values.items()}
    aliases = record.pop("aliases", None)
    record["search_name"] = normalise_name(values["name"])
    if refs.team_slack_ids:  # with no team imported yet there is nothing to check owners against
        for name in ("csm_email", "ae_email", "am_email"):
            owner = values.get(name)
            if owner is not None and owner not in refs.team_slack_ids:
                problems.append(Problem(name, _UNKNOWN_OWNER))
    # An empty aliases cell removes the account's aliases; a file without the column leaves them alone.
    return Record(line, record, (aliases or ()) if "aliases" in values else None)


def build_contract(line: int, values: dict[str, Any], refs: References, problems: list[Problem]) -> Record:
    record = dict(values)
    record["external_id"] = record.pop("contract_id")
    record["account_id"] = _account(values, refs, problems)
    if values["end_date"] < values["start_date"]:
        problems.append(Problem("end_date", f"is before start_date {values['start_date'].isoformat()}"))
    return Record(line, record)


def build_metric(line: int, values: dict[str, Any], refs: References, problems: list[Problem]) -> Record:
    account_id = _account(values, refs, problems)
    return Record(
        line,
        {
            "account_id": account_id,
            "metric": values["metric"],
            "observed_on": values["date"],
            "value": values["value"],
        },
    )


def build_milestone(line: int, values: dict[str, Any], refs: References, problems: list[Problem]) -> Record:
    record = dict(values)
    record["account_id"] = _account(values, refs, problems)
    return Record(line, record)


def build_movement(line: int, values: dict[str, Any], refs: References, problems: list[Problem]) -> Record:
    account_id = _account(values, refs, problems)
    kind, delta = values["kind"], values["arr_delta"]
    # Revenue reports add deltas up, so a churn booked as a positive amount would count as growth.
    if kind in _NEGATIVE_KINDS and delta > 0:
        problems.append(
            Problem("arr_delta", f"is positive, but a {kind} lowers ARR (expected e.g. -1,200,000)")
        )
    elif kind not in _NEGATIVE_KINDS and delta < 0:
        problems.append(Problem("arr_delta", f"is negative, but {kind} adds ARR (expected e.g. 1,200,000)"))
    return Record(
        line, {"account_id": account_id, "moved_on": values["date"], "kind": kind, "arr_delta": delta}
    )


BUILDERS: dict[str, Builder] = {
    "team": build_team,
    "accounts": build_account,
    "contracts": build_contract,
    "metrics": build_metric,
    "milestones": build_milestone,
    "movements": build_movement,
}
