"""Scheduled messages as Block Kit: renewal reminders, at-risk alerts, escalations and admin notices."""

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
from bot.render.mrkdwn import Trusted, mention
from bot.render.templating import macros
from domain.health.card import drags
from domain.health.scoring import MeasureResult
from storage.reminders import ReminderDetail

# Slack allows 50 blocks a message; each reminder takes up to three.
MAX_ITEMS = 15

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
}


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _who(slack_user_id: str | None) -> str:
    return mention(slack_user_id) if slack_user_id and slack_user_id.isalnum() else Trusted("—")


def _health(tr: Translator, score: float | None, band: str | None) -> str:
    if score is None:
        return tr.gettext("no health data")
    return tr.gettext(
        "health %(score)s (%(band)s)", score=tr.whole(score), band=labels.band_label(band or "", tr)
    )


def renewal_dm(
    items: list[ReminderDetail], *, outbox_id: int, language: str, currency: str, today: date
) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    blocks: list[Block] = [SectionBlock(text=_md(m.renewal_header(len(items))))]
    fallback = [m.renewal_header(len(items)).strip("*")]
    for item in items[:MAX_ITEMS]:
        rule, _, fell_back = item.rule.partition(":")
        owner = m.owner_line(
            item.owner_name or item.owner_email, tr.gettext(RULE_LABELS.get(rule, rule)), fell_back
        )
        days_left = max(0, (item.target_date - today).days)
        text = m.renewal_item(item, days_left, owner, _health(tr, item.score, item.band), currency)
        blocks.append(SectionBlock(text=_md(text)))
        fallback.append(item.account_name)
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
        more = len(items) - MAX_ITEMS
        blocks.append(ContextBlock(elements=[_md(tr.ngettext("and %(num)s more", "and %(num)s more", more))]))
    return Message(text=" · ".join(fallback), blocks=blocks)


def renewal_channel(items: list[ReminderDetail], *, language: str, currency: str, today: date) -> Message:
    m = macros(language, "sweep.j2")
    header = m.renewal_channel_header(len(items))
    lines = [
        m.renewal_channel_line(item, max(0, (item.target_date - today).days), currency) for item in items
    ]
    return _lines_message(header, lines)


def _lines_message(header: str, lines: list[str]) -> Message:
    """A header and one line per item, split into sections that stay under Slack's 3,000 characters."""
    blocks: list[Block] = [SectionBlock(text=_md(header))]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900 or len(chunk) == 20:
            blocks.append(SectionBlock(text=_md("\n".join(chunk))))
            chunk = []
        chunk.append(line)
        if len(blocks) >= 49:
            break
    if chunk:
        blocks.append(SectionBlock(text=_md("\n".join(chunk))))
    return Message(text=header.strip("*"), blocks=blocks)


def _drag_names(alert: dict[str, Any], tr: Translator) -> list[str]:
    measures = [MeasureResult.from_dict(m) for m in alert.get("measures") or []]
    return [labels.measure_label(d.measure.id, tr) for d in drags(measures)]


def risk_dm(
    alerts: list[dict[str, Any]], *, outbox_id: int, language: str, escalated: bool = False
) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    header = m.risk_header(len(alerts), escalated)
    blocks: list[Block] = [SectionBlock(text=_md(header))]
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
    return Message(text=header.strip("*"), blocks=blocks)


def risk_channel(alerts: list[dict[str, Any]], *, language: str) -> Message:
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
    return _lines_message(m.risk_channel_header(len(alerts)), [f"• {line}" for line in lines])


def risk_summary(rows: list[dict[str, Any]], *, language: str) -> Message:
    tr = translator(language)
    m = macros(language, "sweep.j2")
    lines = [m.summary_line(row, labels.band_label(row["band"] or "no_data", tr)) for row in rows]
    return _lines_message(m.summary_header(len(rows)), lines)


def admin_template_notice(error: str, *, language: str) -> Message:
    text = macros(language, "sweep.j2").admin_template_notice(error)
    return Message(text=text, blocks=[SectionBlock(text=_md(text))])


def admin_notice(destination: str, error: str, *, language: str) -> Message:
    text = macros(language, "sweep.j2").admin_notice(destination, error)
    return Message(text=text, blocks=[SectionBlock(text=_md(text))])
