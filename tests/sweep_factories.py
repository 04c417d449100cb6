"""A workspace whose contracts renew throughout a year, for sweep and reminder tests."""

import random
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from storage.models import Contract, TeamMember
from tests.factories import add_account

START = date(2027, 1, 1)
CSM = ("csm@example.com", "U0CSM01")
CSM2 = ("csm2@example.com", "U0CSM02")
AE = ("ae@example.com", "U0AE01")
AM = ("am@example.com", "U0AM01")
OPS = ("ops@example.com", "U0OPS01")
MANAGER = ("lead@example.com", "U0LEAD01")


def build_renewal_workspace(engine: Engine, accounts: int = 24, seed: int = 3) -> None:
    rng = random.Random(seed)
    with Session(engine) as session:
        session.add(TeamMember(email=MANAGER[0], name="Lee Lead", role="manager", slack_user_id=MANAGER[1]))
        for (email, slack_id), name, role in (
            (CSM, "Casey CSM", "csm"),
            (CSM2, "佐藤 美咲", "csm"),
            (AE, "Alex AE", "ae"),
            (AM, "Morgan AM", "am"),
            (OPS, "Ops Admin", "cs_ops"),
        ):
            session.add(
                TeamMember(
                    email=email,
                    name=name,
                    role=role,
                    slack_user_id=slack_id,
                    manager_email=MANAGER[0],
                    locale="ja" if email == CSM2[0] else "en",
                )
            )
        for number in range(accounts):
            account = add_account(
                session,
                f"R-{number:03d}",
                f"Renewal Account {number}",
                segment="enterprise" if number % 4 == 0 else "smb",
                arr=200_000 if number % 4 == 0 else 30_000,
                seats=10,
                csm_email=(CSM if number % 2 else CSM2)[0],
                ae_email=AE[0],
                am_email=AM[0] if number % 3 else None,
                expansion_potential=False if number % 5 == 0 else None,
            )
            end = START + timedelta(days=rng.randint(20, 400))
            auto = number % 3 == 0
            session.add(
                Contract(
                    external_id=f"RC-{number:03d}",
                    account_id=account.id,
                    start_date=end - timedelta(days=365),  # type: ignore[arg-type]
                    end_date=end,
                    arr=account.arr,
                    auto_renew=auto,
                    notice_days=60 if auto else None,
                )
            )
        session.commit()
