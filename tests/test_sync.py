"""`csbot sync`: rows read from a team's own database (PostgreSQL and MariaDB, each in a database this
test creates) and imported as their kind, with the importer's checks and nothing of a failing source
written."""

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from slack_sdk import WebClient
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from bot.cli import main
from bot.config import SourceConfig, WorkspaceConfig, load_config
from bot.scheduler import Jobs, build_scheduler, sync_time
from domain.clock import MovableClock, fixed_clock
from localslack import LocalSlackServer
from storage.models import Account, HealthSnapshot, MetricObservation, SourceRun
from tests.conftest import POSTGRES_ADMIN_URL
from tests.factories import add_person
from tests.test_import import snapshot

MARIADB_ADMIN_URL = os.environ.get("CSBOT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
PASSWORD = "s3cret-hunter2"


def _admin(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["postgresql", "mariadb"])
def warehouse(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of the warehouse's kind, with a CRM company table and a usage table, dropped after."""
    name = f"csbot_wh_{uuid.uuid4().hex[:8]}"
    admin_url = POSTGRES_ADMIN_URL if request.param == "postgresql" else MARIADB_ADMIN_URL
    admin = _admin(admin_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as error:  # the reason is shown in the skip line
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"{request.param} not reachable: {error.__class__.__name__}")
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    if request.param == "mariadb":
        # A reader of its own with a password: csbot reads it from the environment.
        with admin.connect() as connection:
            connection.execute(text(f"CREATE USER '{name}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'"))
            connection.execute(text(f"GRANT ALL ON {name}.* TO '{name}'@'127.0.0.1'"))
        url = f"mysql+pymysql://{name}:{PASSWORD}@127.0.0.1:3306/{name}"
    database = create_engine(url, poolclass=NullPool)
    with database.begin() as connection:
        connection.execute(
            text("CREATE TABLE crm_company (sfid VARCHAR(20), company VARCHAR(100), stage VARCHAR(20))")
        )
        connection.execute(
            text(
                "INSERT INTO crm_company VALUES "
                "('SF-1', 'Warehouse One', 'customer'), ('SF-2', 'Warehouse Two', 'onboarding')"
            )
        )
        connection.execute(
            text("CREATE TABLE usage_daily (account VARCHAR(20), day DATE, logins DECIMAL(10, 2))")
        )
        connection.execute(
            text(
                "INSERT INTO usage_daily VALUES "
                "('SF-1', '2026-11-20', 12.00), ('SF-1', '2026-11-21', 7.50), ('SF-2', '2026-11-21', 3)"
            )
        )
    database.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            if request.param == "mariadb":
                connection.execute(text(f"DROP USER IF EXISTS '{name}'@'127.0.0.1'"))
        admin.dispose()


def _with_password(url: str) -> str:
    """The warehouse URL with its password taken from the environment (PostgreSQL here trusts any)."""
    scheme, rest = url.split("://", 1)
    user, host = rest.rsplit("@", 1)
    return f"{scheme}://{user.split(':')[0]}:${{WAREHOUSE_PASSWORD}}@{host}"


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine, sources: list[dict]) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    monkeypatch.setenv("CSBOT_CONFIG", str(path))
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("WAREHOUSE_PASSWORD", PASSWORD)


COMPANIES = (
    "SELECT sfid AS account_id, company AS name, stage AS lifecycle_stage FROM crm_company ORDER BY sfid"
)
USAGE = "SELECT account AS account_id, day AS date, 'logins' AS metric, logins AS value FROM usage_daily"


def test_sources_are_imported_in_order_and_again_change_nothing(
    engine: Engine,
    warehouse: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    url = _with_password(warehouse)
    configure(
        tmp_path,
        monkeypatch,
        engine,
        [
            # Listed before the accounts it needs: sync runs accounts first all the same.
            {"name": "usage", "kind": "metrics", "url": url, "query": USAGE},
            {
                "name": "companies",
                "kind": "accounts",
                "url": url,
                "query": COMPANIES,
                "values": {"lifecycle_stage": {"customer": "adoption"}},
            },
        ],
    )
    assert main(["sync", "--json"]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r["read"], r["inserted"]) for r in results] == [("companies", 2, 2), ("usage", 3, 3)]
    with engine.connect() as c:
        assert c.execute(
            select(Account.external_id, Account.lifecycle_stage).order_by(Account.external_id)
        ).all() == [
            ("SF-1", "adoption"),
            ("SF-2", "onboarding"),
        ]
        values = c.execute(select(MetricObservation.value).order_by(MetricObservation.value)).scalars().all()
    assert values == [3.0, 7.5, 12.0]
    with engine.connect() as c:
        # New usage: today's scores were taken again at once, for both accounts (too little data for a
        # score yet, but the snapshot says so today rather than after the next sweep).
        assert c.execute(select(func.count()).select_from(HealthSnapshot)).scalar_one() == 2
    assert main(["sync"]) == 0
    out = capsys.readouterr().out
    assert "Scored" not in out  # nothing changed: nothing scored again
    assert "companies (accounts): 2 read; inserted 0, updated 0, 2 unchanged" in out
    assert PASSWORD not in out


def test_a_failing_source_writes_nothing_names_itself_and_the_others_still_run(
    engine: Engine,
    warehouse: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    url = _with_password(warehouse)
    configure(
        tmp_path,
        monkeypatch,
        engine,
        [
            {"name": "broken", "kind": "accounts", "url": url, "query": "SELECT * FROM no_such_table"},
            {
                "name": "wrong_column",
                "kind": "accounts",
                "url": url,
                "query": "SELECT sfid AS account_id, company AS nom FROM crm_company",
            },
            {"name": "bad_value", "kind": "accounts", "url": url, "query": COMPANIES},
            {"name": "usage", "kind": "metrics", "url": url, "query": USAGE},
        ],
    )
    before = snapshot(engine)
    assert main(["sync"]) == 1
    out = capsys.readouterr().out
    lines = {line.split(" ", 1)[0]: line for line in out.splitlines()}
    assert "FAILED: the query on" in lines["broken"] and "no_such_table" in lines["broken"]
    assert (
        "missing required column" in lines["wrong_column"] and '--map "SOURCE=name"' in lines["wrong_column"]
    )
    # "customer" is HubSpot's word, unmapped here: named with its row, column and the allowed values.
    assert (
        'source bad_value:1: column "lifecycle_stage": "customer" is not one of the allowed values'
        in lines["bad_value"]
    )
    # The usage rows name accounts the failed sources did not write.
    assert "is not a known account" in lines["usage"]
    assert snapshot(engine) == before
    assert PASSWORD not in out and "${WAREHOUSE_PASSWORD}" in out


def test_an_unset_variable_and_an_unknown_source_are_one_clear_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    configure(
        tmp_path,
        monkeypatch,
        engine,
        [
            {
                "name": "crm",
                "kind": "accounts",
                "url": "postgresql+psycopg://u:${CRM_SECRET}@h/db",
                "query": "SELECT 1",
            }
        ],
    )
    assert main(["sync"]) == 1
    assert "crm (accounts): FAILED: the environment variable CRM_SECRET is not set" in capsys.readouterr().out
    assert main(["sync", "crm", "nope"]) == 2
    assert "no source named nope (sources: crm)" in capsys.readouterr().err


# --- the daily sync: once a day under the lease, failures told to CS Ops --------------------------------

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=TOKYO).astimezone(UTC)


def scheduled_config(sources: list[dict]) -> WorkspaceConfig:
    config = load_config()
    return config.model_copy(update={"sources": [SourceConfig(**source) for source in sources]})


@pytest.mark.parametrize("warehouse", ["postgresql"], indirect=True)  # the schedule is the same for any
def test_each_source_runs_once_a_day_before_the_sweep_and_catches_up(
    engine: Engine, warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_PASSWORD", PASSWORD)
    config = scheduled_config(
        [
            {
                "name": "companies",
                "kind": "accounts",
                "url": _with_password(warehouse),
                "query": COMPANIES,
                "values": {"lifecycle_stage": {"customer": "adoption"}},
            }
        ]
    )
    assert sync_time(config, None) == "07:30" and sync_time(config, "05:15") == "05:15"
    job_ids = {
        job.id for job in build_scheduler(Jobs(engine, config, None, fixed_clock(tokyo(6)))).get_jobs()
    }
    assert {"sync-companies", "sync-catch-up"} <= job_ids
    clock = MovableClock(tokyo(7, 0))
    jobs = Jobs(engine, config, None, clock)
    assert jobs.sync_catch_up() == []  # 07:00: not yet due
    clock.moment = tokyo(9, 0)  # the process was down at 07:30
    assert jobs.sync_catch_up() == ["companies"]
    # Again, and from a second replica once the lease moves: today's run is done.
    assert jobs.sync_source("companies") is None
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Account)).scalar_one() == 2
        [run] = c.execute(select(SourceRun.status, SourceRun.rows_read, SourceRun.inserted)).all()
    assert tuple(run) == ("ok", 2, 2)


def test_a_failing_daily_source_is_told_to_cs_ops_once_by_dm(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_PASSWORD", PASSWORD)
    with Session(engine) as session:
        add_person(session, "ops@example.com", "Oda Ops", "cs_ops", "U0OPS01")
        add_person(session, "csm@example.com", "Carla Csm", "csm", "U0CSM01")
        session.commit()
    url = "postgresql+psycopg://reader:${CRM_PASSWORD}@127.0.0.1:1/crm"  # nothing listens on port 1
    config = scheduled_config([{"name": "crm", "kind": "accounts", "url": url, "query": "SELECT 1"}])
    with LocalSlackServer() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        jobs = Jobs(engine, config, client, fixed_clock(tokyo(7, 30)))
        result = jobs.sync_source("crm")
        assert result is not None and not result.ok
        assert jobs.sync_source("crm") is None
        jobs.deliver()
        posts = [c.body for c in slack.calls_to("chat.postMessage")]
    [notice] = posts
    assert notice["channel"].startswith("D")  # the DM Slack opened with the CS Ops member
    shown = json.dumps(notice, ensure_ascii=False)
    assert "crm" in shown and "csbot sync crm" in shown and "${CRM_PASSWORD}" in shown
    assert PASSWORD not in shown
