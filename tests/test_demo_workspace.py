import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.calibration import run_calibration
from bot.cli.demo_cmd import DEMO_DIGEST_CHANNEL, DEMO_INGEST_TOKEN, show_digest, show_live_data
from bot.config import load_config
from bot.demo import DemoWorkspace, build_demo_workspace, write_csv_files
from bot.demo.generate import KINDS, generate
from bot.local import LocalWorkspace
from domain.clock import fixed_clock
from storage.db import make_engine, migrate
from storage.models import (
    Account,
    AccountAlias,
    Contract,
    HealthSnapshot,
    MetricObservation,
    Milestone,
    RevenueMovement,
    TeamMember,
)
from storage.names import normalise_name

TODAY = date(2026, 3, 2)
ACCOUNTS = 40
HISTORY_DAYS = 60
# Enough days for the card's 30-day trend to be checked on Acme.
SNAPSHOT_DAYS = 31


@pytest.fixture
def workspace(engine: Engine, tmp_path: Path) -> DemoWorkspace:
    return build_demo_workspace(
        engine,
        load_config(),
        today=TODAY,
        directory=tmp_path / "demo",
        accounts=ACCOUNTS,
        history_days=HISTORY_DAYS,
        snapshot_days=SNAPSHOT_DAYS,
    )


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def test_every_file_is_written_and_imported_in_full(workspace: DemoWorkspace, engine: Engine) -> None:
    assert set(workspace.files) == set(KINDS)
    assert all(path.parent == workspace.directory and path.exists() for path in workspace.files.values())
    assert workspace.counts["team"] == 11
    assert workspace.counts["accounts"] == ACCOUNTS
    # One current contract per account, plus the renewed term before it for customers of over a year.
    assert ACCOUNTS < workspace.counts["contracts"] < 2 * ACCOUNTS
    assert workspace.counts["milestones"] == 3 * ACCOUNTS
    assert workspace.counts["metrics"] > ACCOUNTS * HISTORY_DAYS  # several metrics a day for most accounts
    for kind, report in workspace.reports.items():
        assert report.rows == report.inserted == workspace.counts[kind]
    stored = {
        "team": TeamMember,
        "accounts": Account,
        "contracts": Contract,
        "metrics": MetricObservation,
        "milestones": Milestone,
        "movements": RevenueMovement,
    }
    assert {kind: _count(engine, model) for kind, model in stored.items()} == workspace.counts
    # Churned accounts are not scored any more: a snapshot a day for each of the others.
    with Session(engine) as session:
        active = len(session.exec(select(Account).where(Account.status != "churned")).all())
    assert active < ACCOUNTS
    assert workspace.snapshots == _count(engine, HealthSnapshot) == active * SNAPSHOT_DAYS


def test_the_team_mixes_japanese_and_english_speakers(workspace: DemoWorkspace, engine: Engine) -> None:
    by_id = {person.slack_user_id: person for person in workspace.team}
    assert by_id[workspace.ja_user_id].locale == "ja-JP"
    assert by_id[workspace.ja_user_id].role == "csm"
    assert {person.locale for person in workspace.team} == {"ja-JP", "en-US"}
    with engine.connect() as connection:
        stored = dict(connection.execute(select(TeamMember.slack_user_id, TeamMember.locale)).all())
    assert stored == {person.slack_user_id: person.locale for person in workspace.team}


def test_acme_corporation_belongs_to_the_tour_user_and_is_the_only_acme(
    workspace: DemoWorkspace, engine: Engine
) -> None:
    with engine.connect() as connection:
        acme = connection.execute(select(Account).where(Account.name == "Acme Corporation")).one()
        owner = connection.scalar(select(TeamMember.slack_user_id).where(TeamMember.email == acme.csm_email))
        aliases = set(
            connection.scalars(select(AccountAlias.alias).where(AccountAlias.account_id == acme.id))
        )
        search_names = list(connection.scalars(select(Account.search_name)))
        snapshots = {
            day: (score, band)
            for day, score, band in connection.execute(
                select(HealthSnapshot.day, HealthSnapshot.score, HealthSnapshot.band).where(
                    HealthSnapshot.account_id == acme.id
                )
            )
        }
    assert owner == workspace.tour_user_id
    assert (acme.domain, acme.segment) == ("acme.com", "enterprise")
    assert "ACME" in aliases
    # The query "acme" must lead straight to Acme Corporation, never to a choice between accounts.
    assert [name for name in search_names if "acme" in name.split()] == [normalise_name("Acme Corporation")]
    # The tour card needs a meaningful story: slipping this month, not yet in trouble.
    (score_now, band_now), (score_before, _) = snapshots[TODAY], snapshots[TODAY - timedelta(days=30)]
    assert band_now == "yellow"
    assert score_now < score_before


def test_names_that_slack_would_act_on_are_present(workspace: DemoWorkspace, engine: Engine) -> None:
    with engine.connect() as connection:
        names = list(connection.scalars(select(Account.name)))
    assert any("<!channel>" in name for name in names)
    assert any("<@U" in name and "&" in name for name in names)
    assert any(name.startswith("株式会社") or name.endswith("株式会社") for name in names)


def test_some_active_accounts_are_red_today(workspace: DemoWorkspace, engine: Engine) -> None:
    with engine.connect() as connection:
        bands = list(
            connection.scalars(
                select(HealthSnapshot.band)
                .join(Account, Account.id == HealthSnapshot.account_id)  # type: ignore[arg-type]
                .where(HealthSnapshot.day == TODAY, Account.status == "active")
            )
        )
    red_share = bands.count("red") / len(bands)
    assert 0.05 <= red_share <= 0.3
    assert bands.count("green") > bands.count("red")


def test_the_same_seed_writes_identical_files(workspace: DemoWorkspace, tmp_path: Path) -> None:
    again = write_csv_files(
        generate(today=TODAY, seed=7, accounts=ACCOUNTS, history_days=HISTORY_DAYS), tmp_path / "again"
    )
    other = write_csv_files(
        generate(today=TODAY, seed=8, accounts=ACCOUNTS, history_days=HISTORY_DAYS), tmp_path / "other"
    )
    for kind in KINDS:
        assert again[kind].read_bytes() == workspace.files[kind].read_bytes(), kind
    assert other["accounts"].read_bytes() != workspace.files["accounts"].read_bytes()


def test_the_tour_posts_last_months_digest_with_its_chart_and_the_wins(
    workspace: DemoWorkspace, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace.wins > 0
    config = load_config()
    names = {person.slack_user_id: person.name for person in workspace.team}
    clock = fixed_clock(datetime.combine(TODAY, time(3, 0), tzinfo=UTC))
    with LocalWorkspace(engine=engine, config=config, clock=clock) as local:
        show_digest(local, config, TODAY, names=names)
        show_digest(local, config, TODAY, names=names)  # a second run posts nothing more
        [upload] = [c.body for c in local.slack.calls if c.method == "files.completeUploadExternal"]
        chart = local.slack.uploaded_bytes(upload["files"][0]["id"])
    assert upload["channel_id"] == DEMO_DIGEST_CHANNEL
    assert chart.startswith(b"\x89PNG")
    blocks = json.dumps(upload["blocks"], ensure_ascii=False)
    assert "Success digest for February 2026" in blocks
    assert f"{workspace.wins} customer win" in blocks and blocks.count("thanks to <@U0DEMO") == workspace.wins
    assert "goes out once per month and channel" in capsys.readouterr().out


def test_building_the_demo_again_adds_no_second_copy_of_any_win(
    workspace: DemoWorkspace, engine: Engine, tmp_path: Path
) -> None:
    from storage.models import CustomerWin

    before = _count(engine, CustomerWin)
    assert before == workspace.wins > 0
    again = build_demo_workspace(
        engine,
        load_config(),
        today=TODAY,
        directory=tmp_path / "again",
        accounts=ACCOUNTS,
        history_days=HISTORY_DAYS,
        snapshot_days=SNAPSHOT_DAYS,
    )
    assert again.wins == 0
    assert _count(engine, CustomerWin) == before


def test_on_the_demo_history_the_calibrated_score_beats_the_shipped_one(tmp_path: Path) -> None:
    """The demo's churned customers left for reasons their data shows (seat use, tickets, surveys) while
    features and meetings look like anyone's: calibration finds that and ranks them better. The full
    demo, on SQLite only: this is about the demo's data, not about storage."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate(engine)
    config = load_config()
    day = date(2026, 12, 1)
    build_demo_workspace(engine, config, today=day, directory=tmp_path / "demo", snapshot_days=1)
    report = run_calibration(engine, config, today=day).report
    assert report["outcomes"]["churned"] >= 30 and report["split"]["kind"] == "time"
    assert report["holdout"]["auc"] > report["current"]["auc"]
    assert report["holdout"]["brier"] < report["current"]["brier"]
    kept = {m["metric"] for m in report["measures"] if m["kept"]}
    assert kept & {"open_tickets", "active_users", "nps"} and not kept & {"features_used", "touch"}


def test_the_tour_syncs_hubspot_and_ingested_usage_reaches_the_health_card(
    workspace: DemoWorkspace, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_config()
    clock = fixed_clock(datetime.combine(TODAY, time(3, 0), tzinfo=UTC))
    with LocalWorkspace(engine=engine, config=config, clock=clock, ingest_token=DEMO_INGEST_TOKEN) as local:
        show_live_data(local, TODAY, tour_user=workspace.tour_user_id)
    shown = capsys.readouterr().out
    with engine.connect() as connection:
        names = set(connection.scalars(select(Account.name).where(Account.external_id.in_(["7001", "7002"]))))
        acme_today = dict(
            connection.execute(
                select(MetricObservation.metric, MetricObservation.value)
                .join(Account, Account.id == MetricObservation.account_id)
                .where(Account.external_id == "ACC-0001", MetricObservation.observed_on == TODAY)
            ).all()
        )
    assert names == {"Northwind Traders", "株式会社ミナト物流"}
    assert "hubspot: 6 read; inserted 5" in shown
    assert (acme_today["active_users"], acme_today["open_tickets"]) == (1100, 1)
    before, after = (
        line.split(": ", 1)[1] for line in shown.splitlines() if line.startswith("/cs health acme, ")
    )
    assert before != after  # the card moved with the usage sent a moment before


def test_the_tour_opens_the_home_tab_and_shows_acme_going_quiet_lowering_its_score(
    workspace: DemoWorkspace, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.demo_home import show_home, show_quiet_customer, with_customer_channel

    config = with_customer_channel(load_config())
    names = {person.slack_user_id: person.name for person in workspace.team}
    clock = fixed_clock(datetime.combine(TODAY, time(3, 0), tzinfo=UTC))
    with LocalWorkspace(engine=engine, config=config, clock=clock) as local:
        show_home(local, tour_user=workspace.tour_user_id, names=names)
        show_quiet_customer(local, config, TODAY, tour_user=workspace.tour_user_id, names=names)
    shown = capsys.readouterr().out
    assert f"views.publish (the Home tab of {workspace.tour_user_id})" in shown
    assert "YOUR ACCOUNTS" in shown and "[All bands ▾]  [Renewals in 90 days ▾]" in shown
    assert "lowest score first" in shown and "[Open]" in shown
    quiet = [line.strip() for line in shown.splitlines() if line.strip().startswith("Customer channel:")]
    assert quiet == [
        "Customer channel: the customer last wrote 14 days ago → 75/100",
        "Customer channel: the customer last wrote 15 days ago → 50/100",
    ]
    today_score, tomorrow_score = (
        float(line.split(": health ")[1].split(" ")[0])
        for line in shown.splitlines()
        if "/cs health acme, " in line
    )
    assert tomorrow_score < today_score
    assert "22 counted" in shown
