"""The workspace's own shape, for advice drawn from its data: accounts, ARR, team, segments, regions."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from storage.tables import ACCOUNTS, MEMBERS


@dataclass(frozen=True)
class WorkspaceFacts:
    active_accounts: int
    average_arr: float | None
    team_by_role: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)

    @property
    def cs_headcount(self) -> int:
        """People doing customer success work: CSMs, CS Ops and their managers (not sales)."""
        return sum(self.team_by_role.get(role, 0) for role in ("csm", "cs_ops", "manager"))


def workspace_facts(engine: Engine) -> WorkspaceFacts:
    with engine.connect() as connection:
        count, average = connection.execute(
            select(func.count(), func.avg(ACCOUNTS.c.arr)).where(ACCOUNTS.c.status != "churned")
        ).one()
        roles = Counter(
            dict(connection.execute(select(MEMBERS.c.role, func.count()).group_by(MEMBERS.c.role)).all())
        )
        segments = dict(
            connection.execute(
                select(ACCOUNTS.c.segment, func.count())
                .where(ACCOUNTS.c.status != "churned", ACCOUNTS.c.segment.is_not(None))
                .group_by(ACCOUNTS.c.segment)
            ).all()
        )
        regions = dict(
            connection.execute(
                select(ACCOUNTS.c.region, func.count())
                .where(ACCOUNTS.c.status != "churned", ACCOUNTS.c.region.is_not(None))
                .group_by(ACCOUNTS.c.region)
            ).all()
        )
    return WorkspaceFacts(
        active_accounts=int(count or 0),
        average_arr=float(average) if average is not None else None,
        team_by_role=dict(roles),
        segments=segments,
        regions=regions,
    )
