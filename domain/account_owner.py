"""`/cs owner`: who owns an account's renewal and its expansion, and which rule decided; plain data for
the renderer, audited. The assignee shown is also what `/cs renewals` shows as a line's owner."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from domain.accounts import Lookup, find_account
from domain.ownership import (
    MODELS,
    AccountOwners,
    Decision,
    OwnershipConfig,
    expansion_owner,
    renewal_owner,
)
from storage import audit
from storage.owners import OwnerRow, owner_row
from storage.team import Person, people_by_email


@dataclass(frozen=True)
class Assignee:
    """Who the rules picked, and the role to show next to their name."""

    decision: Decision
    person: Person | None  # None: nobody on the account can take it
    role: str | None  # the decision's role, or the team role of someone who took the renewal over


def assignee_for(decision: Decision, people: dict[str, Person]) -> Assignee:
    if decision.email is None:
        return Assignee(decision, None, decision.role)
    # An owner missing from the team table is shown by email rather than dropped.
    person = people.get(decision.email) or Person.by_email_only(decision.email)
    return Assignee(decision, person, decision.role or person.role)


def people_on(rows: list[OwnerRow]) -> set[str]:
    emails: set[str] = set()
    for row in rows:
        emails.update(e for e in (row.csm_email, row.ae_email, row.am_email, row.renewal_owner_email) if e)
    return emails


@dataclass(frozen=True)
class OwnershipView:
    account_id: int
    external_id: str
    name: str
    arr: float
    expansion_potential: bool | None
    status: str  # a churned account has nothing left to renew or expand
    config: OwnershipConfig
    renewal: Assignee
    expansion: Assignee
    # Set under the models where CSMs take expansions up to `config.small_expansion_arr`.
    small_expansion: Assignee | None


@dataclass(frozen=True)
class OwnerAnswer:
    lookup: Lookup
    view: OwnershipView | None


def ownership_view(engine: Engine, config: OwnershipConfig, account_id: int) -> OwnershipView | None:
    row = owner_row(engine, account_id)
    if row is None:
        return None
    owners = AccountOwners.of(row)
    people = people_by_email(engine, people_on([row]))
    small = None
    if MODELS[config.model].csm_takes_small_expansions:
        small = assignee_for(expansion_owner(config, owners, amount=config.small_expansion_arr), people)
    return OwnershipView(
        account_id=row.id,
        external_id=row.external_id,
        name=row.name,
        arr=row.arr,
        expansion_potential=row.expansion_potential,
        status=row.status,
        config=config,
        renewal=assignee_for(renewal_owner(config, owners), people),
        expansion=assignee_for(expansion_owner(config, owners), people),
        small_expansion=small,
    )


def owner_by_name(
    engine: Engine, config: OwnershipConfig, *, query: str, slack_user_id: str, at: datetime
) -> OwnerAnswer:
    lookup = find_account(engine, query)
    view = ownership_view(engine, config, lookup.match.id) if lookup.match else None
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action="owner",
        query=query,
        account_id=lookup.match.id if lookup.match else None,
        outcome=lookup.outcome,
    )
    return OwnerAnswer(lookup=lookup, view=view)
