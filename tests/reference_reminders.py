"""The renewal reminder rules applied by hand, day by day: what a run of sweeps must have recorded."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.config import WorkspaceConfig
from domain.renewals import countdown, reminder_due
from storage.models import Contract


def expected_windows(engine: Engine, config: WorkspaceConfig, sweep_days: list[date]) -> set[tuple[int, int]]:
    """The same rules applied by hand, day by day, to the contracts as they are."""
    with Session(engine) as session:
        contracts = session.exec(select(Contract)).scalars().all()  # type: ignore[call-overload]
    recorded: dict[tuple[int, date], set[int]] = defaultdict(set)
    expected = set()
    for day in sweep_days:
        for contract in contracts:
            if contract.end_date < day:
                continue
            target = countdown(contract.end_date, contract.auto_renew, contract.notice_days).target_date
            window = reminder_due(
                config.renewals.windows_days, (target - day).days, recorded[(contract.id, target)]
            )
            if window is not None:
                recorded[(contract.id, target)].add(window)
                expected.add((contract.id, window))
    return expected
