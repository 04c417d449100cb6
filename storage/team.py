"""The team: the people csbot serves and routes work to, read one way everywhere.

`Person` is the one type for a team member (or an owner email that names no member yet); every query
that needs people goes through the functions here, on an engine or on a connection already open in a
transaction.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select, update

from storage.tables import ACCOUNTS, MEMBERS

# Large IN lists are sent in slices: SQLite caps the number of bound parameters.
_SLICE = 5000


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str | None = None  # csm | ae | am | cs_ops | manager; None for an owner not on the team list
    slack_user_id: str | None = None
    manager_email: str | None = None
    timezone: str | None = None
    locale: str | None = None

    @classmethod
    def by_email_only(cls, email: str) -> "Person":
        """An owner named by an email the team list does not hold: shown by that email."""
        return cls(email=email, name=email)

    def language(self, default: str) -> str:
        """`ja-JP` → `ja`; the renderer falls back to English for a language it does not have."""
        return (self.locale or default).split("-")[0].lower()


_COLUMNS = (
    MEMBERS.c.email,
    MEMBERS.c.name,
    MEMBERS.c.role,
    MEMBERS.c.slack_user_id,
    MEMBERS.c.manager_email,
    MEMBERS.c.timezone,
    MEMBERS.c.locale,
)


@contextmanager
def _connected(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as connection:
            yield connection


def _people(bind: Engine | Connection, *conditions: object, order: bool = False) -> list[Person]:
    statement = select(*_COLUMNS).where(*conditions)  # type: ignore[arg-type]
    if order:
        statement = statement.order_by(MEMBERS.c.id)
    with _connected(bind) as connection:
        return [Person(*row) for row in connection.execute(statement)]


def people_by_email(bind: Engine | Connection, emails: Iterable[str | None]) -> dict[str, Person]:
    wanted = sorted({e for e in emails if e})
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), _SLICE):
        found |= {p.email: p for p in _people(bind, MEMBERS.c.email.in_(wanted[start : start + _SLICE]))}
    return found


def person_by_email(bind: Engine | Connection, email: str) -> Person | None:
    found = _people(bind, MEMBERS.c.email == email.strip().lower())
    return found[0] if found else None


def person_by_slack_id(bind: Engine | Connection, slack_user_id: str) -> Person | None:
    found = _people(bind, MEMBERS.c.slack_user_id == slack_user_id)
    return found[0] if found else None


def people_with_role(bind: Engine | Connection, role: str) -> list[Person]:
    return _people(bind, MEMBERS.c.role == role, order=True)


def people_on_slack(bind: Engine | Connection) -> list[Person]:
    """Everyone with a Slack user id, in the order they were imported."""
    return _people(bind, MEMBERS.c.slack_user_id.is_not(None), order=True)


def direct_reports(bind: Engine | Connection, manager_email: str) -> list[str]:
    with _connected(bind) as connection:
        return list(
            connection.scalars(
                select(MEMBERS.c.email)
                .where(MEMBERS.c.manager_email == manager_email)
                .order_by(MEMBERS.c.email)
            )
        )


def link_slack_user(engine: Engine, email: str, slack_user_id: str) -> None:
    """Remember the Slack id found through the member's email, so the next lookup is one query."""
    with engine.begin() as connection:
        connection.execute(
            update(MEMBERS)
            .where(MEMBERS.c.email == email, MEMBERS.c.slack_user_id.is_(None))
            .values(slack_user_id=slack_user_id)
        )


def everyone(bind: Engine | Connection) -> list[Person]:
    """The whole team list, in the order it was imported."""
    return _people(bind, order=True)


def owner_emails_not_in_team(bind: Engine | Connection) -> dict[str, int]:
    """Owner emails live accounts name (CSM, AE or AM) that no team member has: email → accounts naming
    it. Reminders to those owners have nobody to go to."""
    counts: dict[str, int] = {}
    with _connected(bind) as connection:
        known = set(connection.scalars(select(MEMBERS.c.email)))
        for column in (ACCOUNTS.c.csm_email, ACCOUNTS.c.ae_email, ACCOUNTS.c.am_email):
            rows = connection.execute(
                select(column, func.count())
                .where(column.is_not(None), ACCOUNTS.c.status != "churned")
                .group_by(column)
            )
            for email, count in rows:
                if email not in known:
                    counts[email] = counts.get(email, 0) + int(count)
    return dict(sorted(counts.items()))
