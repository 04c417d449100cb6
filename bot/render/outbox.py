"""Drawing an outbox message from the current state of its items: one drawer per purpose.

A message is drawn when it is sent and again when a button on it is pressed, so it always shows the
reminders and alerts as they are now. The sender (bot/delivery.py) only posts what is drawn here.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine

from bot.config import WorkspaceConfig
from bot.render import digest as digest_render
from bot.render import sweep as render
from bot.render.digest import DigestPost
from bot.render.message import Message
from domain.digest.content import digest_content
from domain.digest.month import Month
from storage import outbox, source_runs
from storage.outbox import Purpose
from storage.reminders import reminder_details
from storage.risks import alert_details, summary_rows

# An admin notice about a digest whose template failed carries this before the template's error.
TEMPLATE_ERROR_PREFIX = "digest template error: "

Drawer = Callable[[Engine, WorkspaceConfig, dict[str, Any], date], Message | DigestPost]


def _renewal_dm(engine: Engine, config: WorkspaceConfig, message: dict[str, Any], today: date) -> Message:
    return render.renewal_dm(
        reminder_details(engine, message["items"]),
        outbox_id=message["id"],
        language=message["language"],
        currency=config.currency,
        today=today,
        part=render.Part.of(message),
    )


def _renewal_channel(
    engine: Engine, config: WorkspaceConfig, message: dict[str, Any], today: date
) -> Message:
    return render.renewal_channel(
        reminder_details(engine, message["items"]),
        language=message["language"],
        currency=config.currency,
        today=today,
        part=render.Part.of(message),
    )


def _risk_dm(engine: Engine, _config: WorkspaceConfig, message: dict[str, Any], _today: date) -> Message:
    return render.risk_dm(
        alert_details(engine, message["items"]),
        outbox_id=message["id"],
        language=message["language"],
        escalated=message["purpose"] == Purpose.ESCALATION_DM,
        part=render.Part.of(message),
    )


def _risk_channel(engine: Engine, _config: WorkspaceConfig, message: dict[str, Any], _today: date) -> Message:
    items = alert_details(engine, message["items"])
    return render.risk_channel(items, language=message["language"], part=render.Part.of(message))


def _risk_summary(engine: Engine, _config: WorkspaceConfig, message: dict[str, Any], today: date) -> Message:
    rows = summary_rows(engine, message["items"], today)
    return render.risk_summary(rows, language=message["language"], part=render.Part.of(message))


def _admin_notice(engine: Engine, _config: WorkspaceConfig, message: dict[str, Any], _today: date) -> Message:
    failed = outbox.load(engine, message["items"][0]) or {}
    error = failed.get("last_error") or "?"
    if error.startswith(TEMPLATE_ERROR_PREFIX):
        return render.admin_template_notice(
            error.removeprefix(TEMPLATE_ERROR_PREFIX), language=message["language"]
        )
    return render.admin_notice(failed.get("recipient", "?"), error, language=message["language"])


def _source_failed(engine: Engine, config: WorkspaceConfig, message: dict[str, Any], _today: date) -> Message:
    run = source_runs.load(engine, message["items"][0]) or {"source": "?", "day": "?", "error": None}
    kind = next((s.kind for s in config.sources if s.name == run["source"]), "?")
    return render.source_failed_notice(run, kind, language=message["language"])


def _digest(engine: Engine, config: WorkspaceConfig, message: dict[str, Any], today: date) -> DigestPost:
    """The month's digest and its chart: it travels as one upload, so the sender posts it its own way."""
    return digest_render.digest_post(
        digest_content(engine, Month(*message["items"]), today=today),
        language=message["language"],
        currency=config.currency,
        bands=config.band_names,
        template=config.digest.template,
    )


DRAWERS: dict[Purpose, Drawer] = {
    Purpose.RENEWAL_DM: _renewal_dm,
    Purpose.RENEWAL_CHANNEL: _renewal_channel,
    Purpose.RISK_DM: _risk_dm,
    Purpose.ESCALATION_DM: _risk_dm,
    Purpose.RISK_CHANNEL: _risk_channel,
    Purpose.RISK_SUMMARY: _risk_summary,
    Purpose.ADMIN_NOTICE: _admin_notice,
    Purpose.DIGEST: _digest,
    Purpose.SOURCE_FAILED: _source_failed,
}


def draw(
    engine: Engine, config: WorkspaceConfig, message: dict[str, Any], today: date
) -> Message | DigestPost:
    """The message as it should look now; ValueError for a purpose no drawer knows."""
    try:
        drawer = DRAWERS[Purpose(message["purpose"])]
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown outbox purpose {message['purpose']!r}") from error
    return drawer(engine, config, message, today)
