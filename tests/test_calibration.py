"""Calibrating the health score on churn history: outcomes, leak-free figures, the fit, the backtest, the
written configuration, and `csbot calibrate` as a user runs it. Histories are generated here with a
known cause of churn (bench/history.py)."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import Engine, select
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from bench.history import build_churn_history
from bot.calibration import run_calibration, write_calibrated_config
from bot.cli import main
from bot.config import load_config
from bot.i18n import translator
from bot.local import LocalWorkspace, texts
from bot.render.calibration_chart import build_figure
from bot.render.labels import measure_label
from domain.calibration.backtest import rank_auc
from domain.calibration.calibrate import MIN_CHURNS, read_inputs
from domain.calibration.features import Candidate
from domain.calibration.outcomes import outcomes_from
from domain.clock import fixed_clock
from domain.health.refresh import refresh_snapshots
from storage import history as stored
from storage.models import AuditEntry, HealthSnapshot
from storage.tables import ACCOUNTS, CONTRACTS, MOVEMENTS, OBSERVATIONS
from tests.factories import add_person

TODAY = date(2026, 11, 30)


def _account(connection: object, number: int, status: str = "active") -> None:
    connection.execute(  # type: ignore[attr-defined]
        ACCOUNTS.insert(),
        {
            "id": number,
            "external_id": f"O-{number}",
            "name": f"O {number}",
            "search_name": f"o {number}",
            "status": status,
        },
    )


def _contract(
    connection: object, number: int, account: int, start: date, end: date, status: str = "active"
) -> None:
    connection.execute(  # type: ignore[attr-defined]
        CONTRACTS.insert(),
        {
            "external_id": f"C-{number}",
            "account_id": account,
            "start_date": start,
            "end_date": end,
            "status": status,
        },
    )


def test_outcomes_follow_the_rules(engine: Engine) -> None:
    with engine.begin() as c:
        # 1: renewed once, then churned by a movement on the second contract's end.
        _account(c, 1, "churned")
        _contract(c, 1, 1, date(2024, 1, 1), date(2025, 1, 1), "renewed")
        _contract(c, 2, 1, date(2025, 1, 1), date(2026, 1, 1), "churned")
        c.execute(
            MOVEMENTS.insert(),
            {"account_id": 1, "moved_on": date(2026, 1, 1), "kind": "churn", "arr_delta": -10},
        )
        # 2: churned status, no movement: the end of its last contract.
        _account(c, 2, "churned")
        _contract(c, 3, 2, date(2025, 3, 1), date(2026, 3, 1))
        # 3: active; its contract ended and it is still active; the next one ends after today.
        _account(c, 3)
        _contract(c, 4, 3, date(2025, 6, 1), date(2026, 6, 1))
        _contract(c, 5, 3, date(2026, 6, 1), date(2027, 6, 1))
        # 4: churned long after its contract ended without a later one: only the churn counts.
        _account(c, 4, "churned")
        _contract(c, 6, 4, date(2025, 1, 1), date(2026, 1, 1))
        c.execute(
            MOVEMENTS.insert(),
            {"account_id": 4, "moved_on": date(2026, 2, 1), "kind": "churn", "arr_delta": -5},
        )
    with engine.connect() as c:
        outcomes = outcomes_from(stored.accounts(c), stored.contracts(c), stored.churn_movements(c), TODAY)
    found = {
        (int(a), str(d), bool(x))
        for a, d, x in zip(outcomes.account_ids, outcomes.days, outcomes.churned, strict=True)
    }
    assert found == {
        (1, "2025-01-01", False),
        (1, "2026-01-01", True),
        (2, "2026-03-01", True),
        (3, "2026-06-01", False),
        (4, "2026-02-01", True),
    }
    assert list(outcomes.days) == sorted(outcomes.days)


def test_figures_as_of_a_day_are_the_figures_scoring_reads(engine: Engine) -> None:
    build_churn_history(engine, 40, today=TODAY, seed=2)
    config = load_config()
    day = date(2026, 10, 15)
    refresh_snapshots(engine, config.health, [day], account_ids=list(range(1, 41)))
    inputs = read_inputs(engine, config.health, today=TODAY, lead_days=0)
    with engine.connect() as c:
        snapshots = c.execute(
            select(HealthSnapshot.account_id, HealthSnapshot.measures).where(HealthSnapshot.day == day)
        ).all()
    ids = np.array([s[0] for s in snapshots], dtype=np.int64)
    as_of = np.full(len(ids), np.datetime64(day, "D"))
    compared: set[str] = set()
    for measure in config.health.resolve("default").measures:
        read = inputs.history.read(Candidate.of(measure), ids, as_of)
        for (_, measures), value in zip(snapshots, read.tolist(), strict=True):
            # An optional measure without data is not stored: no figure either way.
            stored_value = next((m["value"] for m in measures if m["id"] == measure.id), None)
            if stored_value is None:
                assert value != value, measure.id  # NaN: no figure either way
            else:
                assert value == pytest.approx(stored_value, rel=1e-12), measure.id
                compared.add(measure.id)
    assert {"seat_utilisation", "nps", "open_tickets", "value_points_on_time"} <= compared


@pytest.fixture
def churn_history(engine: Engine) -> Engine:
    build_churn_history(engine, 700, today=TODAY, seed=4)
    return engine


def test_the_calibrated_score_ranks_churners_below_retained_customers(churn_history: Engine) -> None:
    calibration = run_calibration(churn_history, load_config(), today=TODAY)
    assert calibration.eligible and calibration.health is not None
    report = calibration.report
    assert report["split"]["kind"] == "time"
    assert report["holdout"]["auc"] >= 0.85
    low, high = report["holdout"]["auc_interval"]
    assert low < report["holdout"]["auc"] < high
    assert report["holdout"]["top_decile_lift"] > 3
    kept = [m for m in report["measures"] if m["kept"]]
    # The cause is in tickets and seat use; the unrelated metric is never kept.
    assert {m["metric"] for m in kept} & {"open_tickets", "active_users"}
    assert not any(m["metric"] == "noise" for m in kept)
    # Bands re-cut on churn: each churns less than the one below it.
    rates = [band["churn_rate"] for band in report["bands"].values()]
    assert rates == sorted(rates, reverse=True) and rates[0] > 3 * rates[-1]


def test_without_a_cause_in_the_data_nothing_ranks_well(engine: Engine) -> None:
    build_churn_history(engine, 700, today=TODAY, seed=4, signal=False)
    calibration = run_calibration(engine, load_config(), today=TODAY)
    assert not calibration.eligible or calibration.report["holdout"]["auc"] < 0.65


def test_a_metric_seen_only_after_the_lead_day_changes_nothing(churn_history: Engine) -> None:
    config = load_config()
    before = run_calibration(churn_history, config, today=TODAY).report
    with churn_history.connect() as c:
        outcomes = outcomes_from(stored.accounts(c), stored.contracts(c), stored.churn_movements(c), TODAY)
    # Whether the customer gave notice, recorded 30 days before each outcome: perfectly telling, and
    # too late to act on.
    rows = [
        {
            "account_id": int(a),
            "metric": "cancellation_notice",
            "observed_on": d.astype(date) - timedelta(days=30),
            "value": float(churned),
        }
        for a, d, churned in zip(outcomes.account_ids, outcomes.days, outcomes.churned, strict=True)
    ]
    with churn_history.begin() as c:
        c.execute(OBSERVATIONS.insert(), rows)
    after = run_calibration(churn_history, config, today=TODAY).report
    assert after == before
    # The same notice read with a 20-day lead is seen, and kept: the test above could have failed.
    late = run_calibration(churn_history, config, today=TODAY, lead_days=20).report
    assert any(m["metric"] == "cancellation_notice" and m["kept"] for m in late["measures"])


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def test_too_few_churns_get_a_message_and_no_file(
    cli_env: Engine, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    build_churn_history(cli_env, 40, today=TODAY, seed=1)
    written = tmp_path / "calibrated.yml"
    assert main(["calibrate", "--as-of", TODAY.isoformat(), "--write", str(written)]) == 1
    out = capsys.readouterr().out
    assert f"at least {MIN_CHURNS} churned" in out and "Nothing was written." in out
    assert not written.exists() and not list(tmp_path.iterdir())


def test_the_written_file_is_a_whole_configuration_that_scores(
    churn_history: Engine, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", churn_history.url.render_as_string(hide_password=False))
    base = tmp_path / "workspace.yml"
    base.write_text("currency: JPY\nownership:\n  model: plg\n", encoding="utf-8")
    monkeypatch.setenv("CSBOT_CONFIG", str(base))
    written = tmp_path / "calibrated.yml"
    assert main(["calibrate", "--as-of", TODAY.isoformat(), "--write", str(written), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("auc", "top_decile_lift"):
        assert isinstance(report["holdout"][key], float)
    assert isinstance(report["current"]["auc"], float)
    assert all({"accounts", "churned", "churn_rate"} <= set(band) for band in report["bands"].values())
    assert report["measures"]

    calibrated = load_config(written)
    assert calibrated.currency == "JPY" and calibrated.ownership.model == "plg"  # the rest as configured
    kept = {m["id"] for m in report["measures"] if m["kept"]}
    assert {m.id for m in calibrated.health.resolve("default").measures} == kept
    assert [b.below for b in calibrated.health.bands] == [
        report["bands"][b.name]["below"] for b in calibrated.health.bands
    ]
    assert refresh_snapshots(churn_history, calibrated.health, [TODAY]) > 0
    with churn_history.connect() as c:
        scores = c.execute(select(HealthSnapshot.score).where(HealthSnapshot.day == TODAY)).scalars().all()
    assert sum(s is not None for s in scores) > 0.9 * len(scores)


def test_the_text_report_compares_both_scorecards(cli_env: Engine, capsys: pytest.CaptureFixture) -> None:
    build_churn_history(cli_env, 700, today=TODAY, seed=4)
    assert main(["calibrate", "--as-of", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "AUC" in out and "current" in out and "calibrated" in out
    assert "Measures kept" in out and "&lt;" not in out and "&amp;" not in out
    assert "noise" in out.split("Measures left out")[1]


def test_the_bootstrap_auc_is_the_auc_scikit_learn_computes() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(300) < 0.2
    risk = np.round(rng.normal(size=300) + y, 1)  # rounded: many ties
    assert rank_auc(y, risk) == pytest.approx(roc_auc_score(y, risk), abs=1e-12)


# --- /cs calibrate in Slack: signed requests in, every call out -----------------------------------------

OPS_ID, CSM_SLACK_ID = "U0OPS01", "U0CSM09"


@pytest.fixture
def slack_workspace(churn_history: Engine) -> Iterator[LocalWorkspace]:
    with Session(churn_history) as session:
        add_person(session, "ops@example.com", "Oda Ops", "cs_ops", OPS_ID, locale="ja-JP")
        add_person(session, "csm@example.com", "Carla Csm", "csm", CSM_SLACK_ID)
        session.commit()
    noon_in_tokyo = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    with LocalWorkspace(
        engine=churn_history, config=load_config(), clock=fixed_clock(noon_in_tokyo)
    ) as workspace:
        yield workspace


def test_cs_ops_gets_the_report_and_chart_in_a_dm(slack_workspace: LocalWorkspace) -> None:
    exchange = slack_workspace.command("calibrate", user_id=OPS_ID)
    assert exchange.status == 200
    started = exchange.reply
    assert started["response_type"] == "ephemeral" and "DM" in started["text"]
    [opened] = [c.body for c in exchange.calls if c.method == "conversations.open"]
    assert opened["users"] == OPS_ID
    [upload] = [c.body for c in slack_workspace.slack.calls_to("files.completeUploadExternal")]
    text = json.dumps(upload["blocks"], ensure_ascii=False)
    assert "ヘルススコアのキャリブレーション" in text and "AUC" in text and "採用した指標" in text
    [file_entry] = upload["files"]
    assert slack_workspace.slack.uploaded_bytes(file_entry["id"]).startswith(b"\x89PNG")
    assert not slack_workspace.slack.calls_to("chat.postMessage")  # nothing in any channel
    assert _audited(slack_workspace.engine) == [(OPS_ID, "calibrated")]


def test_a_csm_is_refused_and_nothing_runs(slack_workspace: LocalWorkspace) -> None:
    exchange = slack_workspace.command("calibrate", user_id=CSM_SLACK_ID)
    assert "CS Ops and managers" in exchange.reply["text"]
    assert [c.method for c in exchange.calls if c.method not in ("users.info", "auth.test")] == [
        "response_url"
    ]
    assert _audited(slack_workspace.engine) == [(CSM_SLACK_ID, "refused")]


def _audited(engine: Engine) -> list[tuple[str | None, str]]:
    with Session(engine) as session:
        entries = session.exec(sqlmodel_select(AuditEntry).where(AuditEntry.action == "calibrate")).all()
        return [(e.slack_user_id, e.outcome) for e in entries]


def test_a_lead_that_is_not_a_number_of_days_gets_the_usage(slack_workspace: LocalWorkspace) -> None:
    exchange = slack_workspace.command("calibrate soon", user_id=OPS_ID)
    assert "calibrate [日数]" in exchange.reply["text"]
    assert not slack_workspace.slack.calls_to("conversations.open")


def test_the_health_card_explains_a_calibrated_score(churn_history: Engine, tmp_path: Path) -> None:
    calibration = run_calibration(churn_history, load_config(), today=TODAY)
    written = tmp_path / "calibrated.yml"
    write_calibrated_config(written, load_config(), calibration)
    calibrated = load_config(written)
    refresh_snapshots(churn_history, calibrated.health, [TODAY])
    with churn_history.connect() as c:
        # The account scored lowest today: every measure of it is a drag or the strongest on its card.
        weakest = c.execute(
            select(ACCOUNTS.c.external_id)
            .join(HealthSnapshot, HealthSnapshot.account_id == ACCOUNTS.c.id)
            .where(HealthSnapshot.day == TODAY, HealthSnapshot.score.is_not(None))
            .order_by(HealthSnapshot.score)
            .limit(1)
        ).scalar_one()
    with Session(churn_history) as session:
        add_person(session, "ops@example.com", "Oda Ops", "cs_ops", OPS_ID)
        session.commit()
    noon_in_tokyo = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    with LocalWorkspace(
        engine=churn_history, config=calibrated, clock=fixed_clock(noon_in_tokyo)
    ) as workspace:
        reply = workspace.reply_to(f"health {weakest}", OPS_ID)
    shown = "\n".join(texts(reply))
    english = translator("en")
    labels = [measure_label(m.id, english) for m in calibrated.health.resolve("default").measures]
    # Every measure of the calibrated scorecard is named in words on the card (drag or strongest).
    assert all(label in shown for label in labels), (labels, shown)
    assert not any("_" in label for label in labels)
    assert "/ 100" in shown


def test_the_chart_shows_both_scorecards_in_the_readers_language() -> None:
    band = {"below": 50.0, "accounts": 10, "churned": 4, "churn_rate": 0.4}
    side = {"auc": 0.8123, "bands": {"red": band, "green": band | {"below": None}}, "reliability": []}
    report = {
        "current": side,
        "holdout": side | {"auc": 0.9012, "reliability": [{"predicted": 0.1, "observed": 0.2}]},
        "bands": side["bands"],
    }
    from matplotlib.text import Text

    figure = build_figure(report, "ja")
    shown = [t.get_text() for t in figure.findobj(Text)]
    assert any("0.812" in t and "0.901" in t for t in shown)
    assert "区分ごとの解約率" in shown and "赤" in shown
