"""Salesforce through simple-salesforce against a local emulation of its REST query API (HTTPS, SOQL,
nextRecordsUrl pages, the org's request limit): users, accounts, activated contracts and won
opportunities imported as team, accounts, contracts and movements, incremental by SystemModstamp."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.config import SourceConfig
from bot.sync import run_source
from localcrm import LocalSalesforce
from storage.models import Account, Contract, RevenueMovement, SourceCursor, TeamMember
from tests.test_import import snapshot

TOKEN = "00D5g000004ABC!AQ4AQFakeSession"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ENV = {"SALESFORCE_TOKEN": TOKEN}


@pytest.fixture
def salesforce(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalSalesforce]:
    with LocalSalesforce(TOKEN, page_size=100) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.certificate))
        server.put("User", "005A", T0, Email="Aiko.Tanaka@example.com", Name="Aiko Tanaka", IsActive=True)
        server.put("User", "005B", T0, Email="gone@example.com", Name="Gone", IsActive=False)
        for number in range(1, 231):  # three pages of accounts
            server.put(
                "Account",
                f"001{number:05d}",
                T0 + timedelta(minutes=number),
                Name=f"Account {number}",
                Website=f"https://www.account{number}.example.com/",
                Owner={"Email": "aiko.tanaka@example.com"},
            )
        server.put(
            "Contract",
            "800A",
            T0,
            AccountId="00100001",
            StartDate="2026-04-01",
            EndDate="2027-03-31",
            Status="Activated",
        )
        server.put(
            "Contract",
            "800B",
            T0,
            AccountId="00100002",
            StartDate="2026-04-01",
            EndDate="2027-03-31",
            Status="Draft",
        )
        server.put(
            "Opportunity",
            "006A",
            T0,
            AccountId="00100001",
            CloseDate="2026-03-20",
            Type="New Business",
            Amount=1_200_000.0,
            IsWon=True,
        )
        server.put(
            "Opportunity",
            "006B",
            T0,
            AccountId="00100002",
            CloseDate="2026-06-01",
            Type="Existing Customer - Upgrade",
            Amount=300_000.0,
            IsWon=True,
        )
        server.put(
            "Opportunity",
            "006C",
            T0,
            AccountId="00100003",
            CloseDate="2026-06-01",
            Type="New Business",
            Amount=5.0,
            IsWon=False,
        )
        yield server


def source(server: LocalSalesforce, **extra: object) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "name": "salesforce",
            "salesforce": {"instance_url": server.url, "token": "${SALESFORCE_TOKEN}"},
            **extra,
        }
    )


def test_a_first_sync_imports_users_accounts_contracts_and_won_deals(
    engine: Engine, salesforce: LocalSalesforce
) -> None:
    result = run_source(engine, source(salesforce), environ=ENV)

    assert result.ok, result.error
    assert (result.read, result.inserted) == (1 + 230 + 1 + 2, 234)
    with Session(engine) as session:
        assert [(m.email, m.role) for m in session.exec(select(TeamMember)).scalars()] == [
            ("aiko.tanaka@example.com", "ae")
        ]
        first = session.exec(select(Account).where(Account.external_id == "00100001")).scalars().one()
        assert (first.name, first.domain, first.ae_email) == (
            "Account 1",
            "account1.example.com",
            "aiko.tanaka@example.com",
        )
        contracts = [
            (c.external_id, c.start_date, c.end_date, c.status)
            for c in session.exec(select(Contract)).scalars()
        ]
        assert contracts == [("800A", date(2026, 4, 1), date(2027, 3, 31), "active")]
        moves = sorted((m.kind, m.arr_delta) for m in session.exec(select(RevenueMovement)).scalars())
        assert moves == [("new", 1_200_000.0), ("upsell", 300_000.0)]
    queries = [r for r in salesforce.requests if r.path.endswith("/query/") or "/query/01g" in r.path]
    account_pages = [r for r in queries if "/query/01g" in r.path]
    assert len(account_pages) == 2  # 230 accounts in pages of 100: two nextRecordsUrl follow-ups
    assert all(r.authorized for r in salesforce.requests)


def test_the_next_sync_reads_from_the_cursor(engine: Engine, salesforce: LocalSalesforce) -> None:
    assert run_source(engine, source(salesforce), environ=ENV).ok
    with Session(engine) as session:
        cursors = dict(session.exec(select(SourceCursor.stream, SourceCursor.modified_after)).all())
    assert cursors["Account"] == "2026-11-01T12:50:00.000+0000"
    salesforce.requests.clear()
    salesforce.put("Account", "00100005", T0 + timedelta(days=1), Name="Account 5 renamed")

    again = run_source(engine, source(salesforce), environ=ENV)

    assert again.ok, again.error
    account_query = next(r for r in salesforce.requests if "FROM Account" in r.query.get("q", [""])[0])
    assert "SystemModstamp >= 2026-11-01T12:50:00Z" in account_query.query["q"][0]
    assert again.updated == 1
    with Session(engine) as session:
        assert (
            session.exec(select(Account.name).where(Account.external_id == "00100005")).scalar_one()
            == "Account 5 renamed"
        )


def test_the_request_limit_is_reported_and_nothing_written(
    engine: Engine, salesforce: LocalSalesforce
) -> None:
    before = snapshot(engine)
    salesforce.rate_limit(1)

    result = run_source(engine, source(salesforce), environ=ENV)

    assert not result.ok and result.error is not None
    assert "REQUEST_LIMIT_EXCEEDED" in result.error and "source salesforce" in result.error
    assert TOKEN not in result.error
    assert snapshot(engine) == before
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(SourceCursor)).scalar_one() == 0
