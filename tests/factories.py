"""The workspaces tests are built on, and the helpers that add one row of each kind.

- `build_small_workspace`: Acme and a few awkward names; every figure on Acme's card works out by hand.
- `build_book`: a book of accounts for `/cs owner`, `/cs renewals` and `/cs risks`.
- `build_renewal_workspace`: contracts renewing throughout 2027, for the sweeps and reminder buttons.
"""

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from domain.health.card import Drag, HealthCard, Renewal
from domain.health.scoring import MeasureResult
from storage.models import (
    Account,
    AccountAlias,
    Contract,
    HealthSnapshot,
    MetricObservation,
    Milestone,
    RiskAlert,
    TeamMember,
)
from storage.names import normalise_name

TODAY = date(2026, 11, 23)
# Noon in Tokyo: the workspace's "today" is unambiguous.
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

CSM_ID = "U0CSM01"  # 佐藤 美咲, Japanese
AE_ID = "U0AE01"  # Bob Ray, English
STRANGER_ID = "U0OTHER"


def add_account(session: Session, external_id: str, name: str, **fields: object) -> Account:
    account = Account(external_id=external_id, name=name, search_name=normalise_name(name), **fields)  # type: ignore[arg-type]
    session.add(account)
    session.flush()
    return account


def health_card_of(**changes: Any) -> HealthCard:
    """A health card as the lookup builds it, for renderer tests: Acme, 65 yellow, renewing today,
    seat utilisation the one drag and two measures without data; `changes` replace any field."""
    fields: dict[str, Any] = {
        "account_id": 1,
        "external_id": "A-1",
        "name": "Acme Corporation",
        "segment": "smb",
        "region": "japan",
        "lifecycle_stage": "adoption",
        "status": "active",
        "churned_on": None,
        "arr": 120000,
        "csm": None,
        "ae": None,
        "am": None,
        "renewal": Renewal(TODAY, 0, 120000, True, TODAY.replace(day=24), 1),
        "as_of": TODAY,
        "score": 65.0,
        "band": "yellow",
        "scorecard": "default",
        "baseline_score": 64.0,
        "trend_days": 1,
        "history": [64.0] * 6 + [65.0],
        "drags": [Drag(MeasureResult("seat_utilisation", "adoption", 25, 0.4, 50), 1.0)],
        "strongest": None,
        "no_data": [
            MeasureResult("nps", "advocacy", 15, None, None),
            MeasureResult("days_since_touch", "relationship", 10, None, None),
        ],
        "measures_total": 3,
        "min_measures": 1,
    }
    return HealthCard(**(fields | changes))


def build_small_workspace(engine: Engine) -> dict[str, int]:
    """Acme Corporation plus a few accounts that exercise loose, Japanese, ambiguous and hostile names."""
    with Session(engine) as session:
        session.add(
            TeamMember(
                email="misaki.sato@example.com",
                name="佐藤 美咲",
                role="csm",
                slack_user_id=CSM_ID,
                locale="ja",
                timezone="Asia/Tokyo",
            )
        )
        session.add(
            TeamMember(
                email="bob.ray@example.com",
                name="Bob Ray",
                role="ae",
                slack_user_id=AE_ID,
                locale="en",
                timezone="America/Los_Angeles",
            )
        )
        acme = add_account(
            session,
            "A-1",
            "Acme Corporation",
            domain="acme.com",
            segment="smb",
            region="japan",
            arr=120000,
            seats=50,
            csm_email="misaki.sato@example.com",
            ae_email="bob.ray@example.com",
            lifecycle_stage="adoption",
        )
        session.add(AccountAlias(account_id=acme.id, alias="ACME", search_alias="acme"))  # type: ignore[arg-type]
        sakura = add_account(session, "A-2", "株式会社さくら物流", segment="mid_market", arr=50000, seats=20)
        globex_jp = add_account(session, "A-3", "Globex Japan", arr=10000, seats=5)
        globex_us = add_account(session, "A-4", "Globex America", arr=20000, seats=5)
        hostile = add_account(session, "A-5", "<!channel> & <@U123> Partners", arr=1000, seats=2)

        acme_id = acme.id
        # Seat utilisation: 20 active of 50 seats = 0.4 → 50. Logins: 10 a day × 30 = 300 / 50 = 6 → 50.
        for offset in range(30):
            day = TODAY - timedelta(days=offset)
            session.add(
                MetricObservation(account_id=acme_id, metric="active_users", observed_on=day, value=20)
            )  # type: ignore[arg-type]
            session.add(MetricObservation(account_id=acme_id, metric="logins", observed_on=day, value=10))  # type: ignore[arg-type]
        # Feature breadth 6 → 75; NPS 40 → 75; open tickets 8 → 25; no touch rows → "no data".
        session.add(MetricObservation(account_id=acme_id, metric="features_used", observed_on=TODAY, value=6))  # type: ignore[arg-type]
        session.add(
            MetricObservation(
                account_id=acme_id, metric="nps", observed_on=TODAY - timedelta(days=40), value=40
            )
        )  # type: ignore[arg-type]
        session.add(
            MetricObservation(
                account_id=acme_id, metric="open_tickets", observed_on=TODAY - timedelta(days=2), value=8
            )
        )  # type: ignore[arg-type]
        # Three value points, all achieved by their deadline → 1.0 → 100.
        for number, due in enumerate((date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1)), start=1):
            session.add(
                Milestone(
                    account_id=acme_id,
                    name=f"Value point {number}",
                    due_date=due,  # type: ignore[arg-type]
                    achieved_date=due - timedelta(days=3),
                )
            )
        session.add(
            Contract(
                external_id="C-1",
                account_id=acme_id,
                start_date=date(2026, 2, 1),  # type: ignore[arg-type]
                end_date=date(2027, 1, 31),
                arr=120000,
                auto_renew=True,
                notice_days=60,
            )
        )
        # The stored score 30 days ago, as the nightly job would have left it.
        session.add(
            HealthSnapshot(
                account_id=acme_id,
                day=TODAY - timedelta(days=30),
                score=80.0,
                band="green",  # type: ignore[arg-type]
                scorecard="default",
                measures=[],
            )
        )
        session.commit()
        return {
            "acme": acme_id,  # type: ignore[dict-item]
            "sakura": sakura.id,  # type: ignore[dict-item]
            "globex_jp": globex_jp.id,  # type: ignore[dict-item]
            "globex_us": globex_us.id,  # type: ignore[dict-item]
            "hostile": hostile.id,  # type: ignore[dict-item]
        }


# --- the listings book ---------------------------------------------------------------------------

EMILY = "U0EMILY"
MISAKI = "U0MISAKI"
BOB = "U0BOB"
GRACE = "U0GRACE"
OLGA = "U0OLGA"
HOSTILE_NAME = "<!channel> & <@U123> Partners"
HOSTILE_PERSON = "Mal <!here> & Co"
SEAT_10 = {"id": "seat_utilisation", "group": "adoption", "weight": 25, "value": 0.1, "score": 0}
NPS_40 = {"id": "nps", "group": "advocacy", "weight": 15, "value": 40, "score": 75}
TICKETS_2 = {"id": "open_tickets", "group": "support", "weight": 10, "value": 2, "score": 75}
TICKETS_9 = {"id": "open_tickets", "group": "support", "weight": 10, "value": 9, "score": 25}
FEATURES_8 = {"id": "feature_breadth", "group": "adoption", "weight": 10, "value": 8, "score": 100}
TOUCH_120 = {"id": "days_since_touch", "group": "relationship", "weight": 10, "value": 120, "score": 0}
NPS_10 = {"id": "nps", "group": "advocacy", "weight": 15, "value": 10, "score": 50}


def add_person(session: Session, email: str, name: str, role: str, slack_id: str | None, **more: str) -> None:
    session.add(TeamMember(email=email, name=name, role=role, slack_user_id=slack_id, **more))  # type: ignore[arg-type]


def add_snapshot(
    session: Session,
    account_id: int,
    day: date,
    score: float | None,
    band: str,
    measures: Sequence[dict[str, Any]] = (),
) -> None:
    session.add(
        HealthSnapshot(
            account_id=account_id,
            day=day,
            score=score,
            band=band,
            scorecard="default",
            measures=list(measures),
        )
    )


def add_contract(session: Session, number: int, account_id: int, end: date, **more: object) -> None:
    session.add(
        Contract(
            external_id=f"C-{number}",
            account_id=account_id,
            start_date=end - timedelta(days=365),
            end_date=end,
            **more,  # type: ignore[arg-type]
        )
    )


def build_book(engine: Engine) -> dict[str, int]:
    """A book of accounts for the listings, small enough to check by hand.

    Today is 2026-11-23 (Tokyo); 30 days ago is 2026-10-24.

    - Blue Harbor: CSM Emily, AE Bob; ARR 480,000; ends 2026-12-10; 37.5 red (50 thirty days ago).
    - the hostile name: CSM Mal (a hostile name too), AM Emily; ARR 1,000; ends 2026-12-31 (the contract has
      no ARR); 30 red, no history.
    - Acme Corporation: CSM Emily, AE Bob; ARR 120,000; ends 2027-01-31, auto-renews, 60 days' notice;
      65.3 yellow (80 before).
    - 株式会社さくら物流: CSM Misaki; ARR 60,000; no expansion potential; ends 2027-02-15; 72 yellow
      (72 before); flagged at risk on 2026-11-18.
    - Crest Labs: CSM Misaki, renewal taken over by Bob; ARR 90,000; ends 2027-06-01; 62.5 yellow (70 on
      2026-10-20, within the week of slack); an alert on 2026-11-20 nobody acknowledged.
    - Echo Ltd: CSM Emily; contract renewed (not active); red yesterday but 80 green today; an acknowledged
      alert on 2026-11-21 and an open one on 2026-11-09, too old.
    - Dune Co: churned, so never listed, though red, flagged and with a contract ending 2026-12-05.
    - Nova East, Nova West: nobody on them, no contract, never scored.

    Emily, Misaki and Mal report to Grace (manager); Olga is CS Ops.
    """
    with Session(engine) as session:
        add_person(session, "grace@example.com", "Grace Hall", "manager", GRACE, locale="en")
        add_person(
            session,
            "emily@example.com",
            "Emily Carter",
            "csm",
            EMILY,
            locale="en",
            manager_email="grace@example.com",
        )
        add_person(
            session,
            "misaki@example.com",
            "佐藤 美咲",
            "csm",
            MISAKI,
            locale="ja",
            manager_email="grace@example.com",
        )
        add_person(session, "bob@example.com", "Bob Ray", "ae", BOB, locale="en")
        add_person(session, "olga@example.com", "Olga Ops", "cs_ops", OLGA, locale="en")
        add_person(session, "mal@example.com", HOSTILE_PERSON, "csm", None, manager_email="grace@example.com")
        emily, bob, misaki = "emily@example.com", "bob@example.com", "misaki@example.com"

        blue = add_account(session, "A-11", "Blue Harbor", arr=480000, csm_email=emily, ae_email=bob)
        hostile = add_account(
            session, "A-15", HOSTILE_NAME, arr=1000, csm_email="mal@example.com", am_email=emily
        )
        acme = add_account(session, "A-10", "Acme Corporation", arr=120000, csm_email=emily, ae_email=bob)
        sakura = add_account(
            session,
            "A-12",
            "株式会社さくら物流",
            arr=60000,
            csm_email=misaki,
            expansion_potential=False,
            flagged_at_risk_on=date(2026, 11, 18),
        )
        crest = add_account(
            session, "A-13", "Crest Labs", arr=90000, csm_email=misaki, renewal_owner_email=bob
        )
        echo = add_account(session, "A-16", "Echo Ltd", arr=30000, csm_email=emily)
        dune = add_account(
            session, "A-14", "Dune Co", arr=10000, csm_email=emily, status="churned", flagged_at_risk_on=TODAY
        )
        east = add_account(session, "A-17", "Nova East")
        add_account(session, "A-18", "Nova West")

        ids = {
            "blue": blue.id,
            "hostile": hostile.id,
            "acme": acme.id,
            "sakura": sakura.id,
            "crest": crest.id,
            "echo": echo.id,
            "dune": dune.id,
            "east": east.id,
        }
        add_contract(session, 11, ids["blue"], date(2026, 12, 10), arr=480000)
        add_contract(session, 15, ids["hostile"], date(2026, 12, 31))  # no ARR on the contract: the account's
        add_contract(session, 10, ids["acme"], date(2027, 1, 31), arr=120000, auto_renew=True, notice_days=60)
        add_contract(session, 12, ids["sakura"], date(2027, 2, 15), arr=60000)
        add_contract(session, 13, ids["crest"], date(2027, 6, 1), arr=90000)
        add_contract(session, 16, ids["echo"], date(2026, 12, 1), arr=30000, status="renewed")
        add_contract(session, 14, ids["dune"], date(2026, 12, 5), arr=10000)

        before = TODAY - timedelta(days=30)
        # (0·25 + 75·15 + 75·10) / 50 = 37.5: red; the seats cost 25/50 · 100 = 50 points.
        add_snapshot(session, ids["blue"], TODAY, 37.5, "red", [SEAT_10, NPS_40, TICKETS_2])
        add_snapshot(session, ids["blue"], before, 50.0, "red")
        # (0·10 + 50·15) / 25 = 30: red; the last touch costs 10/25 · 100 = 40 points, NPS 30.
        add_snapshot(session, ids["hostile"], TODAY, 30.0, "red", [TOUCH_120, NPS_10])
        add_snapshot(session, ids["acme"], TODAY, 65.3, "yellow", [NPS_40])
        add_snapshot(session, ids["acme"], before, 80.0, "green")
        add_snapshot(session, ids["sakura"], TODAY, 72.0, "yellow")
        add_snapshot(session, ids["sakura"], before, 72.0, "yellow")
        # (25·10 + 100·10) / 20 = 62.5; tickets cost 10/20 · 75 = 37.5 points. 34 days ago: within the slack.
        add_snapshot(session, ids["crest"], TODAY, 62.5, "yellow", [TICKETS_9, FEATURES_8])
        add_snapshot(session, ids["crest"], TODAY - timedelta(days=34), 70.0, "yellow")
        # Yesterday's snapshot is older than today's: only the newest counts.
        add_snapshot(session, ids["echo"], TODAY - timedelta(days=1), 20.0, "red")
        add_snapshot(session, ids["echo"], TODAY, 80.0, "green")
        add_snapshot(session, ids["dune"], TODAY, 10.0, "red")

        session.add(
            RiskAlert(account_id=ids["crest"], day=date(2026, 11, 20), band="yellow", reasons=["dropped"])
        )
        # Cool-down 7 days → alerts count for 14 days, today included: from 2026-11-10 on.
        session.add(
            RiskAlert(account_id=ids["echo"], day=date(2026, 11, 9), band="yellow", reasons=["dropped"])
        )
        session.add(
            RiskAlert(
                account_id=ids["echo"],
                day=date(2026, 11, 21),
                band="yellow",
                reasons=["dropped"],
                acknowledged_by=EMILY,
                acknowledged_on=date(2026, 11, 21),
            )
        )
        session.commit()
    return ids  # type: ignore[return-value]


def member(engine: Engine, email: str) -> TeamMember:
    with Session(engine) as session:
        found = session.exec(select(TeamMember).where(TeamMember.email == email)).one()
        session.expunge(found)
        return found


# --- a year of renewals ----------------------------------------------------------------------------

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
