"""HubSpot through its official client against a local emulation of its API: owners, companies and
won deals imported as team, accounts, contracts and movements; incremental by modification time;
pagination and rate limiting as HubSpot does them."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.config import SourceConfig
from bot.sync import run_source
from localcrm import LocalHubSpot
from storage.models import Account, Contract, RevenueMovement, SourceCursor, TeamMember
from tests.test_import import snapshot

TOKEN = "pat-na1-test-token"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def hubspot() -> Iterator[LocalHubSpot]:
    with LocalHubSpot(TOKEN) as server:
        server.add_owner("101", "aiko.tanaka@example.com", "Aiko", "Tanaka")
        server.add_owner("102", "ben.ito@example.com", "Ben", "Ito")
        for number in range(1, 251):  # three search pages of companies
            server.put(
                "companies",
                str(5000 + number),
                T0 + timedelta(minutes=number),
                name=f"Company {number}",
                domain=f"company{number}.example.com",
                hubspot_owner_id="101" if number % 2 else "102",
            )
        server.put(
            "deals",
            "9001",
            T0,
            dealname="Company 1 2026",
            amount="1200000",
            closedate="2026-04-01T00:00:00Z",
            dealtype="newbusiness",
            hs_is_closed_won="true",
        )
        server.associate("9001", "5001")
        server.put(
            "deals",
            "9002",
            T0,
            dealname="Company 2 upsell",
            amount="300000",
            closedate="2026-06-15T00:00:00Z",
            dealtype="existingbusiness",
            hs_is_closed_won="true",
        )
        server.associate("9002", "5002")
        server.put(
            "deals",
            "9003",
            T0,
            dealname="Lost",
            amount="5",
            closedate="2026-05-01T00:00:00Z",
            dealtype="newbusiness",
            hs_is_closed_won="false",
        )
        server.associate("9003", "5003")
        server.put(
            "deals",
            "9004",
            T0,
            dealname="No company",
            amount="7",
            closedate="2026-05-01T00:00:00Z",
            dealtype="newbusiness",
            hs_is_closed_won="true",
        )
        yield server


def source(server: LocalHubSpot, **extra: object) -> SourceConfig:
    return SourceConfig.model_validate(
        {"name": "hubspot", "hubspot": {"token": "${HUBSPOT_TOKEN}", "base_url": server.url}, **extra}
    )


ENV = {"HUBSPOT_TOKEN": TOKEN}


def test_a_first_sync_imports_owners_companies_and_won_deals(engine: Engine, hubspot: LocalHubSpot) -> None:
    result = run_source(engine, source(hubspot), environ=ENV)

    assert result.ok, result.error
    assert result.kind == "hubspot"
    # 2 owners, 250 companies, 2 contracts and 2 movements from the two won deals with a company.
    assert (result.read, result.inserted) == (256, 256)
    assert result.notes == ("deals: 1 closed-won deals with no associated company were left out",)
    with Session(engine) as session:
        team = {m.email: (m.name, m.role) for m in session.exec(select(TeamMember)).scalars()}
        assert team == {
            "aiko.tanaka@example.com": ("Aiko Tanaka", "ae"),
            "ben.ito@example.com": ("Ben Ito", "ae"),
        }
        first = session.exec(select(Account).where(Account.external_id == "5001")).scalars().one()
        assert (first.name, first.domain, first.ae_email) == (
            "Company 1",
            "company1.example.com",
            "aiko.tanaka@example.com",
        )
        contracts = {
            c.external_id: (c.start_date, c.end_date, c.arr) for c in session.exec(select(Contract)).scalars()
        }
        # No end date mapped: the contract runs contract_months (12) from the close date.
        assert contracts == {
            "9001": (date(2026, 4, 1), date(2027, 3, 31), 1_200_000.0),
            "9002": (date(2026, 6, 15), date(2027, 6, 14), 300_000.0),
        }
        moves = sorted((m.kind, m.arr_delta) for m in session.exec(select(RevenueMovement)).scalars())
        assert moves == [("new", 1_200_000.0), ("upsell", 300_000.0)]
    # Every call carried the token; companies came in pages of 100 through the search API, oldest first.
    assert all(r.authorized for r in hubspot.requests)
    searches = [r for r in hubspot.requests if r.path == "/crm/v3/objects/companies/search"]
    assert [s.body.get("after") for s in searches] == [None, "100", "200"]
    assert searches[0].body["sorts"] == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]


def test_the_next_sync_asks_only_for_what_changed_since(engine: Engine, hubspot: LocalHubSpot) -> None:
    assert run_source(engine, source(hubspot), environ=ENV).ok
    with Session(engine) as session:
        cursors = dict(session.exec(select(SourceCursor.stream, SourceCursor.modified_after)).all())
    assert cursors == {"companies": "2026-11-01T13:10:00.000Z", "deals": "2026-11-01T09:00:00.000Z"}
    hubspot.requests.clear()
    hubspot.put("companies", "5007", T0 + timedelta(days=2), name="Company 7 renamed")

    again = run_source(engine, source(hubspot), environ=ENV)

    assert again.ok, again.error
    first = next(r for r in hubspot.requests if r.path == "/crm/v3/objects/companies/search")
    since = next(
        f for f in first.body["filterGroups"][0]["filters"] if f["propertyName"] == "hs_lastmodifieddate"
    )
    assert (since["operator"], since["value"]) == (
        "GTE",
        str(int(datetime(2026, 11, 1, 13, 10, tzinfo=UTC).timestamp() * 1000)),
    )
    # The company at the cursor is read again (unchanged), the renamed one is updated; nothing else read.
    with Session(engine) as session:
        assert (
            session.exec(select(Account.name).where(Account.external_id == "5007")).scalar_one()
            == "Company 7 renamed"
        )
        assert session.exec(select(func.count()).select_from(Account)).scalar_one() == 250
    assert again.updated == 1
    assert again.read == 2 + 2 + 2 + 2  # owners, two companies, the deals at the cursor twice


def test_a_rate_limited_call_is_retried_and_nothing_is_lost(engine: Engine, hubspot: LocalHubSpot) -> None:
    hubspot.rate_limit(2)

    result = run_source(engine, source(hubspot), environ=ENV)

    assert result.ok, result.error
    assert [r.path for r in hubspot.requests[:3]] == ["/crm/v3/owners/"] * 3
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Account)).scalar_one() == 250


def test_a_wrong_token_names_the_source_and_writes_nothing(engine: Engine, hubspot: LocalHubSpot) -> None:
    before = snapshot(engine)

    result = run_source(engine, source(hubspot), environ={"HUBSPOT_TOKEN": "pat-wrong"})

    assert not result.ok
    assert result.error is not None
    assert "source hubspot" in result.error and "401" in result.error
    assert "pat-wrong" not in result.error
    assert snapshot(engine) == before


def test_team_members_keep_their_role_and_values_translate(engine: Engine, hubspot: LocalHubSpot) -> None:
    hubspot.put("companies", "5001", T0 + timedelta(days=3), lifecyclestage="customer")
    with Session(engine) as session:
        session.add(TeamMember(email="ben.ito@example.com", name="Ben Ito", role="csm"))
        session.commit()
    configured = source(
        hubspot,
        fields={
            "accounts": {
                "lifecycle_stage": "lifecyclestage",
                "csm_email": "hubspot_owner_id",
                "ae_email": "none",
            }
        },
        values={"lifecycle_stage": {"customer": "adoption"}},
    )

    result = run_source(engine, configured, environ=ENV)

    assert result.ok, result.error
    with Session(engine) as session:
        assert (
            session.exec(
                select(TeamMember.role).where(TeamMember.email == "ben.ito@example.com")
            ).scalar_one()
            == "csm"
        )
        first = session.exec(select(Account).where(Account.external_id == "5001")).scalars().one()
        assert (first.lifecycle_stage, first.csm_email, first.ae_email) == (
            "adoption",
            "aiko.tanaka@example.com",
            None,
        )


def test_an_unmapped_value_fails_its_part_with_the_values_seen(engine: Engine, hubspot: LocalHubSpot) -> None:
    hubspot.put("companies", "5001", T0 + timedelta(days=3), lifecyclestage="lead")
    hubspot.put("companies", "5002", T0 + timedelta(days=3), lifecyclestage="opportunity")
    configured = source(hubspot, fields={"accounts": {"lifecycle_stage": "lifecyclestage"}})

    result = run_source(engine, configured, environ=ENV)

    assert not result.ok and result.error is not None
    assert "source hubspot companies: nothing was written" in result.error
    assert "lead" in result.error and "opportunity" in result.error
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Account)).scalar_one() == 0
        assert session.exec(select(func.count()).select_from(SourceCursor)).scalar_one() == 0


def test_a_read_past_the_search_cap_goes_on_from_the_last_time_seen(
    engine: Engine, hubspot: LocalHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HubSpot stops one search at 10,000 results; the same logic at a cap of 200 and 250 companies.
    monkeypatch.setattr("bot.crm.hubspot.SEARCH_CAP", 200)
    monkeypatch.setattr("localcrm.hubspot.SEARCH_CAP", 200)

    result = run_source(engine, source(hubspot), environ=ENV)

    assert result.ok, result.error
    searches = [r.body for r in hubspot.requests if r.path == "/crm/v3/objects/companies/search"]
    assert [s.get("after") for s in searches] == [None, "100", None]
    restart = next(
        f for f in searches[2]["filterGroups"][0]["filters"] if f["propertyName"] == "hs_lastmodifieddate"
    )
    # The second query starts at the 200th company's modification time (09:00 + 200 minutes).
    assert restart["value"] == str(int(datetime(2026, 11, 1, 12, 20, tzinfo=UTC).timestamp() * 1000))
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Account)).scalar_one() == 250
