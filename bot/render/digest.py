"""The monthly success digest as a Slack message: the template's mrkdwn cut into blocks, plus the chart."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, MarkdownTextObject, SectionBlock

from bot import slack_ids
from bot.i18n import Translator, translator
from bot.render import labels
from bot.render.digest_chart import Bridge, ChartInput, TrendPoint, draw_digest_chart
from bot.render.labels import N_
from bot.render.message import Message
from bot.render.mrkdwn import person
from bot.render.templating import environment, macros, workspace_environment
from domain.digest.content import DigestContent, MonthUnavailable
from domain.digest.figures import ScoreMove
from domain.digest.month import Month

DEFAULT_TEMPLATE = "digest.j2"
# Slack allows 50 blocks and 3,000 characters of mrkdwn per section.
MAX_BLOCKS = 50
MAX_SECTION = 3000
WINS_SHOWN = 20
# Every CSM fits in a team of up to fifty; a larger one gets the rest in the JSON figures.
CSMS_SHOWN = 50
_BLOCK_BREAK = re.compile(r"^\s*---\s*$", re.MULTILINE)

ABSENT_REASONS = {
    "no_starting_arr": N_("no customer was paying at the start of the month"),
    "no_customers_at_start": N_("no customer was paying at the start of the month"),
    "no_value_points_due": N_("no value point was due this month"),
    "no_first_value": N_("no account reached its first value point this month"),
    "no_health_data": N_("no health scores were recorded this month"),
}


@dataclass(frozen=True)
class DigestPost:
    message: Message
    chart_png: bytes
    chart_filename: str
    chart_title: str


def month_name(month: Month, language: str) -> str:
    return translator(language).month_and_year(month.first)


def unavailable_text(missing: MonthUnavailable, *, language: str) -> str:
    """Why a month has no digest, in the reader's language."""
    texts = macros(language, "digest_preview.j2")
    return texts.unavailable(missing.reason, month_name(missing.month, language), missing.data_since)


def _signed(tr: Translator, amount: float, currency: str) -> str:
    if amount == 0:
        return tr.money(0, currency)
    sign = "+" if amount > 0 else "−"
    return sign + tr.money(abs(amount), currency)


def _score_change(tr: Translator, move: ScoreMove) -> str:
    # The change is told between the scores as shown, so "73 → 33" reads −40 and the sum adds up.
    before, after = tr.whole(move.before), tr.whole(move.after)
    change = after - before
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return f"{sign}{abs(change)}{tr.aside(f'{before} → {after}')}"


def digest_text(
    content: DigestContent,
    *,
    language: str,
    currency: str,
    bands: list[str],
    template: str | None = None,
) -> str:
    """The digest as mrkdwn, from the shipped template or the workspace's own file."""
    tr = translator(language)
    figures = content.figures
    if template:
        path = Path(template).resolve()
        loaded = workspace_environment(language, path.parent).get_template(path.name)
    else:
        loaded = environment(language).get_template(DEFAULT_TEMPLATE)
    return loaded.render(
        figures=figures,
        trend=content.trend,
        year=content.year,
        wins=content.wins,
        month=figures.month,
        month_name=month_name(figures.month, language),
        lang=language,
        currency=currency,
        bands=bands,
        command=slack_ids.COMMAND,
        csm_limit=CSMS_SHOWN,
        wins_limit=WINS_SHOWN,
        why=lambda figure: tr.gettext(ABSENT_REASONS.get(figures.absent.get(figure, ""), "no data")),
        signed=lambda amount: _signed(tr, amount, currency),
        score_change=lambda move: _score_change(tr, move),
        person=person,
        band_label=lambda band: labels.band_label(band, tr),
        band_emoji=labels.band_emoji,
    ).strip()


def _sections(chunk: str) -> list[str]:
    """A chunk of mrkdwn in pieces Slack accepts, cut between lines."""
    pieces: list[str] = []
    current = ""
    for line in chunk.splitlines():
        line = line[:MAX_SECTION]
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        pieces.append(current)
    return pieces


def blocks_from_mrkdwn(text: str, *, shortened_note: str) -> list[Block]:
    """Sections from the text; a `---` line becomes a divider. Past Slack's block limit, a note says so."""
    blocks: list[Block] = []
    for number, chunk in enumerate(_BLOCK_BREAK.split(text)):
        pieces = _sections(chunk.strip())
        if number and pieces and blocks:
            blocks.append(DividerBlock())
        blocks.extend(SectionBlock(text=MarkdownTextObject(text=piece)) for piece in pieces)
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], ContextBlock(elements=[MarkdownTextObject(text=shortened_note)])]
    return blocks


def digest_message(text: str, *, language: str) -> Message:
    tr = translator(language)
    blocks = blocks_from_mrkdwn(text, shortened_note=tr.gettext("(Shortened: Slack allows 50 blocks.)"))
    headline = _BLOCK_BREAK.split(text, maxsplit=1)[0].strip()
    return Message(text=headline, blocks=blocks)


def chart_input(content: DigestContent, *, currency: str, bands: list[str]) -> ChartInput:
    f = content.figures
    return ChartInput(
        month_label=str(f.month),
        trend=[TrendPoint(label=str(r.month), nrr=r.nrr, grr=r.grr) for r in content.trend],
        bridge=Bridge(
            starting=f.starting_arr,
            new=f.new_arr,
            expansion=f.expansion_arr,
            contraction=f.contraction_arr,
            churned=f.churned_arr,
            ending=f.ending_arr,
        ),
        health_now=dict(f.health.now),
        health_before=dict(f.health.before),
        band_order=bands,
        currency=currency,
    )


def digest_post(
    content: DigestContent,
    *,
    language: str,
    currency: str,
    bands: list[str],
    template: str | None = None,
) -> DigestPost:
    text = digest_text(content, language=language, currency=currency, bands=bands, template=template)
    month = content.figures.month
    tr = translator(language)
    return DigestPost(
        message=digest_message(text, language=language),
        chart_png=draw_digest_chart(chart_input(content, currency=currency, bands=bands), language=language),
        chart_filename=f"success-digest-{month}.png",
        chart_title=tr.gettext("Success digest for %(month)s", month=month_name(month, language)),
    )


def upload_arguments(post: DigestPost) -> dict[str, Any]:
    """Keyword arguments for `files_upload_v2`: the chart, with the digest as the message around it."""
    payload = post.message.payload()
    return {
        "file": post.chart_png,
        "filename": post.chart_filename,
        "title": post.chart_title,
        "alt_txt": payload["text"][:1000],
        # files.completeUploadExternal posts these blocks as the message that carries the file.
        # Sent as a form field, so as JSON text.
        "blocks": json.dumps(payload["blocks"], ensure_ascii=False),
    }
