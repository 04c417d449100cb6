"""The calibration's backtest report as text (a Slack message, or the terminal) and as a Slack post
carrying its chart."""

import json
from typing import Any

from slack_sdk.models.blocks import SectionBlock

from bot.i18n import translator
from bot.render.labels import band_label
from bot.render.message import Message
from bot.render.templating import macros

# Slack's limits: a section's text, and blocks in a message.
_SECTION_CHARACTERS = 3000
_MAX_BLOCKS = 50


def report_text(report: dict[str, Any], language: str = "en") -> str:
    tr = translator(language)
    return macros(language, "calibration.j2").report(report, lambda band: band_label(band, tr))


def report_message(report: dict[str, Any], language: str) -> Message:
    """The report in sections of whole lines, each within Slack's limit for one."""
    text = report_text(report, language)
    sections: list[str] = []
    for line in text.splitlines():
        if sections and len(sections[-1]) + 1 + len(line) <= _SECTION_CHARACTERS:
            sections[-1] += "\n" + line
        else:
            sections.append(line[:_SECTION_CHARACTERS])
    blocks = [SectionBlock(text={"type": "mrkdwn", "text": s}) for s in sections if s.strip()][:_MAX_BLOCKS]
    return Message(text=text, blocks=blocks)


def upload_arguments(report: dict[str, Any], language: str, chart_png: bytes) -> dict[str, Any]:
    """Keyword arguments for `files_upload_v2`: the chart, with the report as the message around it."""
    payload = report_message(report, language).payload()
    tr = translator(language)
    return {
        "file": chart_png,
        "filename": f"health-calibration-{report['as_of']}.png",
        "title": tr.gettext("Health score calibration"),
        "alt_txt": payload["text"][:1000],
        "blocks": json.dumps(payload["blocks"], ensure_ascii=False),
    }
