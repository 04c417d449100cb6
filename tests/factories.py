"""A small, hand-checkable workspace for tests: every figure on the Acme card can be worked out by hand."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from storage.models import (
    Account,
    AccountAlias,
    Contract,
    HealthSnapshot,
    MetricObservation,
    Milestone,
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
