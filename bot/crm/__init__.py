"""Reading a CRM through its official client: each object's records as rows of an import kind.

A reader yields `Part`s in the order the kinds depend on each other (team, accounts, contracts,
movements); `bot.sync` imports each through `import_rows`, like any other origin, and saves the part's
cursor once its rows are stored, so the next run asks the CRM only for records modified since.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

Row = dict[str, object]


class CrmError(Exception):
    """The CRM could not be read; the message is safe to log and to send to a person (no token)."""


@dataclass
class Part:
    kind: str
    stream: str  # the CRM object the rows come from, as its cursor is named
    rows: Iterator[Row] | list[Row]
    # The modification time to resume from, read once `rows` are consumed; None: nothing to save.
    cursor: Callable[[], str | None] = lambda: None
    skipped: int = 0  # records left out, with the reason in `note`
    note: str = ""


def mapped(record: dict[str, object], fields: dict[str, str]) -> Row:
    """Our field → the record's value of the CRM property mapped to it ("" when the record lacks it)."""
    return {field: record.get(prop, "") for field, prop in fields.items()}


# The roles of the given emails among those already in the team.
RolesOf = Callable[[list[str]], Mapping[str, str]]


def team_rows(people: Iterable[tuple[str, str]], roles_of: RolesOf, new_role: str) -> list[Row]:
    """CRM users (email, name) as team rows: someone already in the team keeps their role, whatever the
    CRM calls them; someone new gets `new_role` until the team file says otherwise."""
    listed = [(email.strip().casefold(), name) for email, name in people if email]
    known = roles_of([email for email, _ in listed])
    return [{"email": email, "name": name, "role": known.get(email) or new_role} for email, name in listed]
