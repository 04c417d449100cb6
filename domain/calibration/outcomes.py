"""What customers did: one outcome per account and day, churned or retained.

- An account *churned* on the day of its (last) churn movement or, without one, when its status is
  `churned`, on the end day of its last contract.
- An account was *retained* on the end day of a contract when it went on after it: a later contract,
  the contract's status `renewed`, or (for an account that has not churned) the account still active.

Only days up to `today` count: a contract ending tomorrow has no outcome yet.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from storage.history import AccountColumns, ContractColumns, DatedColumns

CHURNED_STATUS = "churned"
RENEWED_STATUS = "renewed"


@dataclass(frozen=True)
class Outcomes:
    """In day order (then account): the day each outcome is dated, and whether it was a churn."""

    account_ids: NDArray[np.int64]
    days: NDArray[np.datetime64]
    churned: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.account_ids)

    def take(self, rows: NDArray[np.intp] | NDArray[np.bool_]) -> "Outcomes":
        return Outcomes(self.account_ids[rows], self.days[rows], self.churned[rows])


def outcomes_from(
    accounts: AccountColumns, contracts: ContractColumns, churns: DatedColumns, today: date
) -> Outcomes:
    last_day = np.datetime64(today, "D")
    status = dict(zip(accounts.ids.tolist(), accounts.status, strict=True))
    churn_day: dict[int, np.datetime64] = {}
    for account_id, day in zip(churns.account_ids.tolist(), churns.days, strict=True):
        if day <= last_day:
            churn_day[account_id] = day  # movements come in day order: the last one stays
    by_account: dict[int, list[int]] = {}
    for row, account_id in enumerate(contracts.account_ids.tolist()):
        by_account.setdefault(account_id, []).append(row)
    for account_id, rows in by_account.items():
        if status.get(account_id) == CHURNED_STATUS and account_id not in churn_day:
            end = max(contracts.end[row] for row in rows)
            if end <= last_day:
                churn_day[account_id] = end

    found: dict[tuple[int, np.datetime64], bool] = {(a, day): True for a, day in churn_day.items()}
    for account_id, rows in by_account.items():
        churned_on = churn_day.get(account_id)
        for row in rows:
            end = contracts.end[row]
            if end > last_day or (churned_on is not None and end >= churned_on):
                continue
            later = any(
                contracts.start[other] > contracts.start[row] and contracts.end[other] > end
                for other in rows
                if other != row
            )
            still_active = churned_on is None and status.get(account_id) != CHURNED_STATUS
            if later or contracts.status[row] == RENEWED_STATUS or still_active:
                found.setdefault((account_id, end), False)
    ordered = sorted(found.items(), key=lambda item: (item[0][1], item[0][0]))
    return Outcomes(
        account_ids=np.array([key[0] for key, _ in ordered], dtype=np.int64),
        days=np.array([key[1] for key, _ in ordered], dtype="datetime64[D]"),
        churned=np.array([churned for _, churned in ordered], dtype=bool),
    )
