"""Whose accounts a person's listings cover: their own, their team's, or every account.

A CSM, AE or AM sees the accounts they are on; a manager also sees those of the people who report to
them; CS Ops sees every account.
"""

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine

from storage.team import Person, direct_reports

# Twenty lines read at a glance in Slack; beyond that a listing pages with a "Show the next" button.
MAX_LINES = 20

ScopeKind = Literal["own", "team", "all", "none"]


@dataclass(frozen=True)
class Scope:
    """Whose accounts a listing covers. `none`: the asker is allowed in (a user group) but is not on
    the team list, so no account names them."""

    kind: ScopeKind
    emails: frozenset[str] = frozenset()

    @property
    def filter(self) -> frozenset[str] | None:
        return None if self.kind == "all" else self.emails


def scope_for(engine: Engine, member: Person | None) -> Scope:
    if member is None:
        return Scope("none")
    if member.role == "cs_ops":
        return Scope("all")
    if member.role == "manager":
        return Scope("team", frozenset({member.email, *direct_reports(engine, member.email)}))
    return Scope("own", frozenset({member.email}))
