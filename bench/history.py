"""A workspace history where churn has a known cause, for calibration tests and `bench.calibrate`.

Each account has a hidden health drawn once. Contracts run a year at a time from its start; at each
contract end the account churns with a probability that falls with its health. Its metrics show the
health: seat use (`active_users` per seat) and NPS follow it, open tickets rise as it falls; in the
180 days before a churn, seat use slides and tickets pile up, so the cause is visible at the lead day.
`noise` is a metric unrelated to anything. With `signal=False` the metrics ignore the health: no
scorecard can then tell churners apart.

Rows go in through bulk Core inserts (a fixture, not an import).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from storage.models import MovementKind
from storage.tables import ACCOUNTS, CONTRACTS, MILESTONES, MOVEMENTS, OBSERVATIONS

OBSERVATION_EVERY_DAYS = 14
SLIDE_DAYS = 180
_BATCH = 500


@dataclass(frozen=True)
class HistoryCounts:
    accounts: int
    churned: int
    observations: int


def build_churn_history(
    engine: Engine,
    accounts: int,
    *,
    today: date,
    seed: int = 5,
    signal: bool = True,
    first_start: date = date(2022, 1, 1),
    last_start: date | None = None,
    every_days: int = OBSERVATION_EVERY_DAYS,
) -> HistoryCounts:
    rng = random.Random(seed)
    last_start = last_start or today - timedelta(days=400)
    span = (last_start - first_start).days
    churned = observations = 0
    with engine.begin() as connection:
        for first in range(1, accounts + 1, _BATCH):
            rows: dict[str, list[dict[str, Any]]] = {"a": [], "c": [], "m": [], "o": [], "v": []}
            for number in range(first, min(first + _BATCH, accounts + 1)):
                start = first_start + timedelta(days=rng.randrange(span))
                gone = _account(rng, rows, number, start, today, signal, every_days)
                churned += gone
            observations += len(rows["o"])
            _insert(connection, rows)
    return HistoryCounts(accounts, churned, observations)


def _insert(connection: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    for table, key in (
        (ACCOUNTS, "a"),
        (CONTRACTS, "c"),
        (MOVEMENTS, "m"),
        (OBSERVATIONS, "o"),
        (MILESTONES, "v"),
    ):
        if rows[key]:
            connection.execute(table.insert(), rows[key])


def _account(
    rng: random.Random,
    rows: dict[str, list[dict[str, Any]]],
    number: int,
    start: date,
    today: date,
    signal: bool,
    every_days: int,
) -> bool:
    health = rng.random()
    seats = rng.choice((10, 20, 50, 100))
    arr = seats * 1200
    end = start
    churned_on: date | None = None
    term = 0
    while True:
        term_start, end = end, end + timedelta(days=365)
        term += 1
        rows["c"].append(
            {
                "external_id": f"K-{number}-{term}",
                "account_id": number,
                "start_date": term_start,
                "end_date": end,
                "arr": arr,
                "status": "active",
            }
        )
        if end > today:
            break
        if rng.random() < 0.02 + 0.4 * (1 - health) ** 3:
            churned_on = end
            rows["c"][-1]["status"] = "churned"
            break
        rows["c"][-1]["status"] = "renewed"
    rows["a"].append(
        {
            "id": number,
            "external_id": f"H-{number:06d}",
            "name": f"History {number}",
            "search_name": f"history {number}",
            "seats": seats,
            "arr": 0 if churned_on else arr,
            "status": "churned" if churned_on else "active",
            "start_date": start,
        }
    )
    rows["m"].append(
        {"account_id": number, "moved_on": start, "kind": MovementKind.NEW.value, "arr_delta": arr}
    )
    if churned_on:
        rows["m"].append(
            {
                "account_id": number,
                "moved_on": churned_on,
                "kind": MovementKind.CHURN.value,
                "arr_delta": -arr,
            }
        )
    last = min(today, churned_on or today)
    felt = health if signal else rng.random()
    day = start
    while day <= last:
        slide = 0.0
        if signal and churned_on and (churned_on - day).days < SLIDE_DAYS:
            slide = 1 - (churned_on - day).days / SLIDE_DAYS
        use = max(0.0, 0.15 + 0.75 * felt - 0.5 * slide + rng.gauss(0, 0.08))
        observed = [
            ("active_users", round(seats * use)),
            ("open_tickets", max(0, round(6 * (1 - felt) + 6 * slide + rng.gauss(0, 1.5)))),
            ("noise", round(rng.random() * 100)),
        ]
        if (day - start).days % 90 < every_days:
            observed.append(("nps", max(-100, min(100, round(-40 + 110 * felt + rng.gauss(0, 15))))))
        rows["o"] += [
            {"account_id": number, "metric": metric, "observed_on": day, "value": float(value)}
            for metric, value in observed
        ]
        day += timedelta(days=every_days)
    for point in range(3):
        due = start + timedelta(days=30 * (point + 1))
        reached = rng.random() < (0.3 + 0.6 * felt)
        rows["v"].append(
            {
                "account_id": number,
                "name": f"Value point {point + 1}",
                "due_date": due,
                "achieved_date": due - timedelta(days=3) if reached and due <= last else None,
            }
        )
    return churned_on is not None
