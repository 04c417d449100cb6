"""Scheduled messages as Block Kit: renewal reminders, at-risk alerts, escalations and admin notices."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import slack_ids
from bot.i18n import Translator, translator
from bot.render import labels
from bot.render.labels import N_
from bot.render.message import Message
from bot.render.mrkdwn import Trusted, escape, mention
from bot.render.templating import macros
from domain.health.card import drags
from domain.health.scoring import MeasureResult
from domain.notices import DM_ITEMS_PER_MESSAGE
from storage.reminders import ReminderDetail

# Slack allows 50 blocks a message; each reminder takes up to three. The sweep never puts more in one
# message (domain/notices.py); a message recorded by an older release could, and then says what is left.
MAX_ITEMS = DM_ITEMS_PER_MESSAGE
# Sections of up to 20 lines, below Slack's 50 blocks with room for the header and a closing note.
MAX_LINE_SECTIONS = 47

RULE_LABELS = {
    "model": N_("the ownership model"),
    "override": N_("the workspace's renewal owner setting"),
    "no_expansion_potential": N_("no expansion potential: account management renews"),
    "large_account": N_("large account: the AE leads"),
    "small_expansion": N_("small expansion: the CSM leads"),
    "taken": N_("took ownership"),
}
REASON_LABELS = {
    "turned_red": N_("turned red"),
    "dropped": N_("fell sharply over the trend window"),
    "renewal_not_green": N_("renews soon and is not green"),
    "renewal_overdue": N_("its contract ended and is not marked renewed or lost"),
}


@dataclass(frozen=True)
class Part:
    """Where a message's items sit in a list sent in several messages (1-based first item, list length)."""

    first: int
    total: int

    @classmethod
    def of(cls, message: dict[str, Any]) -> "Part | None":
        if message.get("first_item") and message.get("total_items"):
            return cls(first=int(message["first_item"]), total=int(message["total_items"]))
        return None


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _count(items: list[Any], part: Part | None) -> int:
    """How many items the header announces: the whole list, even in one part of it."""
    return part.total if part else len(items)


def _part_note(m: Any, items: list[Any], part: Part | None) -> list[Block]:
    if part is None:
        return []
    last = part.first + len(items) - 1
    return [ContextBlock(elements=[_md(m.part_note(part.first, last, part.total))])]


def _who(slack_user_id: str | None) -> str:
    return mention(slack_user_id) if slack_user_id and slack_user_id.isalnum() else Trusted("—")


def _health(tr: Translator, score: float | None, band: str | None) -> str:
    if score is None:
        return tr.gettext("no health data")
    return tr.gettext(
        "health %(score)s (%(band)s)", score=tr.whole(score), band=labels.band_label(band or "", tr)
    )


def renewal_dm(
    items: list[ReminderDetail],
    *,
    outbox_id: int,
    language: str,
    currency: str,
    today: date,
    part: Part | None = None,
) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    header = m.renewal_header(_count(items, part))
    blocks: list[Block] = [SectionBlock(text=_md(header)), *_part_note(m, items, part)]
    fallback = [header.strip("*")]
    for item in items[:MAX_ITEMS]:
        rule, _, fell_back = item.rule.partition(":")
        owner = m.owner_line(
            item.owner_name or item.owner_email, tr.gettext(RULE_LABELS.get(rule, rule)), fell_back
        )
        days_left = max(0, (item.target_date - today).days)
        text = m.renewal_item(item, days_left, owner, _health(tr, item.score, item.band), currency)
        blocks.append(SectionBlock(text=_md(text)))
        fallback.append(escape(item.account_name))
        if item.handled:
            blocks.append(ContextBlock(elements=[_md(m.handled(item.handled, _who(item.handled_by)))]))
        else:
            value = f"{outbox_id}:{item.id}"
            blocks.append(
                ActionsBlock(
                    block_id=f"renewal:{item.id}",
                    elements=[
                        ButtonElement(
                            text=tr.gettext("Mark renewed"),
                            action_id=slack_ids.RENEWAL_MARK_RENEWED,
                            value=value,
                            style="primary",
                        ),
                        ButtonElement(
                            text=tr.gettext("Flag at risk"),
                            action_id=slack_ids.RENEWAL_FLAG_AT_RISK,
                            value=value,
                            style="danger",
                        ),
                        ButtonElement(
                            text=tr.gettext("Snooze 7 days"), action_id=slack_ids.RENEWAL_SNOOZE, value=value
                        ),
                        ButtonElement(
                            text=tr.gettext("Take ownership"),
                            action_id=slack_ids.RENEWAL_TAKE_OWNERSHIP,
                            value=value,
                        ),
                    ],
                )
            )
    if len(items) > MAX_ITEMS:
        note = m.more_items(len(items) - MAX_ITEMS, slack_ids.COMMAND + " renewals")
        blocks.append(ContextBlock(elements=[_md(note)]))
    return Message(text=" · ".join(fallback), blocks=blocks)


def renewal_channel(
    items: list[ReminderDetail], *, language: str, currency: str, today: date, part: Part | None = None
) -> Message:
    m = macros(language, "sweep.j2")
    header = m.renewal_channel_header(_count(items, part))
    lines = [
        m.renewal_channel_line(item, max(0, (item.target_date - today).days), currency) for item in items
    ]
    return _lines_message(header, lines, m, see_all=slack_ids.COMMAND + " renewals", part=part)


def _lines_message(
    header: str, lines: list[str], m: Any, *, see_all: str, part: Part | None = None
) -> Message:
    """A header and one line per item, in sections under Slack's 3,000 characters. Should the lines
    outgrow one message, the last block says how many were left out and which command lists them."""
    blocks: list[Block] = [SectionBlock(text=_md(header)), *_part_note(m, lines, part)]
    chunks: list[list[str]] = [[]]
    for line in lines:
        chunk = chunks[-1]
        if chunk and (sum(len(x) + 1 for x in chunk) + len(line) > 2900 or len(chunk) == 20):
            chunks.append(chunk := [])
        chunk.append(line)
    shown = chunks[:MAX_LINE_SECTIONS]
    blocks.extend(SectionBlock(text=_md("\n".join(chunk))) for chunk in shown if chunk)
    left_out = len(lines) - sum(len(chunk) for chunk in shown)
    if left_out:
        blocks.append(ContextBlock(elements=[_md(m.more_items(left_out, see_all))]))
    return Message(text=header.strip("*"), blocks=blocks)


def _drag_names(alert: dict[str, Any], tr: Translator) -> list[str]:
    measures = [MeasureResult.from_dict(m) for m in alert.get("measures") or []]
    return [labels.measure_label(d.measure.id, tr) for d in drags(measures)]


def risk_dm(
    alerts: list[dict[str, Any]],
    *,
    outbox_id: int,
    language: str,
    escalated: bool = False,
    part: Part | None = None,
) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    header = m.risk_header(_count(alerts, part), escalated)
    blocks: list[Block] = [SectionBlock(text=_md(header)), *_part_note(m, alerts, part)]
    for alert in alerts[:MAX_ITEMS]:
        reasons = [tr.gettext(REASON_LABELS.get(r, r)) for r in alert["reasons"]]
        band = labels.band_label(alert["band"], tr)
        blocks.append(SectionBlock(text=_md(m.risk_item(alert, band, reasons, _drag_names(alert, tr)))))
        if alert["acknowledged_on"]:
            note = m.acknowledged(_who(alert["acknowledged_by"]), alert["acknowledged_on"])
            blocks.append(ContextBlock(elements=[_md(note)]))
        else:
            blocks.append(
                ActionsBlock(
                    block_id=f"risk:{alert['id']}",
                    elements=[
                        ButtonElement(
                            text=tr.gettext("Acknowledge"),
                            action_id=slack_ids.RISK_ACKNOWLEDGE,
                            value=f"{outbox_id}:{alert['id']}",
                        )
                    ],
                )
            )
    if len(alerts) > MAX_ITEMS:
        note = m.more_items(len(alerts) - MAX_ITEMS, slack_ids.COMMAND + " risks")
        blocks.append(ContextBlock(elements=[_md(note)]))
    return Message(text=header.strip("*"), blocks=blocks)


def risk_channel(alerts: list[dict[str, Any]], *, language: str, part: Part | None = None) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    lines = [
        m.risk_item(
            a,
            labels.band_label(a["band"], tr),
            [tr.gettext(REASON_LABELS.get(r, r)) for r in a["reasons"]],
            [],
        ).replace("\n", " · ")
        for a in alerts
    ]
    header = m.risk_channel_header(_count(alerts, part))
    see_all = slack_ids.COMMAND + " risks"
    return _lines_message(header, [f"• {line}" for line in lines], m, see_all=see_all, part=part)


def risk_summary(rows: list[dict[str, Any]], *, language: str, part: Part | None = None) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    lines = [m.summary_line(row, labels.band_label(row["band"] or "no_data", tr)) for row in rows]
    header = m.summary_header(_count(rows, part))
    return _lines_message(header, lines, m, see_all=slack_ids.COMMAND + " risks", part=part)


def admin_template_notice(error: str, *, language: str) -> Message:
    text = macros(language, "sweep.j2").admin_template_notice(error)
    return Message(text=text, blocks=[SectionBlock(text=_md(text))])


def source_failed_notice(run: dict[str, Any], kind: str, *, language: str) -> Message:
    text = macros(language, "sweep.j2").source_failed(
        run["source"], kind, str(run["day"]), run["error"] or "?"
    )
    return Message(text=text, blocks=[SectionBlock(text=_md(text))])


def admin_notice(destination: str, error: str, *, language: str) -> Message:
    text = macros(language, "sweep.j2").admin_notice(destination, error)
    return Message(text=text, blocks=[SectionBlock(text=_md(text))])
