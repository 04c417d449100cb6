"""Calibration as the CLI and Slack run it: read the history, fit, and write the workspace
configuration with the calibrated health section."""

from datetime import date, datetime
from pathlib import Path

import yaml
from sqlalchemy import Engine

from bot.config import WorkspaceConfig, load_config
from domain.calibration.calibrate import (
    DEFAULT_HOLDOUT_FRACTION,
    DEFAULT_LEAD_DAYS,
    Calibration,
    calibrate,
    read_inputs,
)
from storage import audit
from storage.models import Role
from storage.team import Person

# Who may run a calibration from Slack: it reads every account's history.
CALIBRATING_ROLES = frozenset({Role.CS_OPS.value, Role.MANAGER.value})


def may_calibrate(member: Person | None) -> bool:
    return member is not None and member.role in CALIBRATING_ROLES


def run_calibration(
    engine: Engine,
    config: WorkspaceConfig,
    *,
    today: date,
    lead_days: int = DEFAULT_LEAD_DAYS,
    holdout_fraction: float = DEFAULT_HOLDOUT_FRACTION,
) -> Calibration:
    inputs = read_inputs(engine, config.health, today=today, lead_days=lead_days)
    return calibrate(
        inputs, config.health, today=today, lead_days=lead_days, holdout_fraction=holdout_fraction
    )


def calibrate_for(
    engine: Engine, config: WorkspaceConfig, *, today: date, lead_days: int, slack_user_id: str, at: datetime
) -> Calibration:
    """A calibration someone asked for in Slack, with its trace in the audit log."""
    calibration = run_calibration(engine, config, today=today, lead_days=lead_days)
    audit.record(
        engine,
        at=at,
        slack_user_id=slack_user_id,
        action="calibrate",
        outcome="calibrated" if calibration.eligible else "ineligible",
        query=str(lead_days),
    )
    return calibration


def calibrated_config_text(config: WorkspaceConfig, calibration: Calibration) -> str:
    """The complete workspace configuration, as YAML, with the calibrated health section in place of
    the current one; everything else as configured now."""
    if calibration.health is None:
        raise ValueError("an ineligible calibration has no scorecard to write")
    data = config.model_dump(mode="json", exclude_none=True)
    data["health"] = calibration.health.model_dump(mode="json", exclude_none=True)
    report = calibration.report
    outcomes = report["outcomes"]["total"]
    header = (
        f"# Written by `csbot calibrate` on {report['as_of']}: measures read {report['lead_days']} days "
        f"before each outcome, {outcomes:,} outcomes.\n"
        f"# Hold-out AUC {report['holdout']['auc']} "
        f"(the scorecard it replaces: {report['current']['auc']}).\n"
        "# Point CSBOT_CONFIG at this file to score with it.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_calibrated_config(path: Path, config: WorkspaceConfig, calibration: Calibration) -> None:
    """Write the file, then load it back as csbot will: a file csbot cannot read is never left behind."""
    text = calibrated_config_text(config, calibration)
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(text, encoding="utf-8")
    try:
        load_config(temporary)
    except Exception:
        temporary.unlink()
        raise
    temporary.replace(path)
