"""The health card as Block Kit, and the pick-an-account prompt."""

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import slack_ids
from bot.config import LabelsConfig
from bot.i18n import translator
from bot.render import labels
from bot.render.message import Message
from bot.render.mrkdwn import escape_within, mention
from bot.render.templating import macros
from domain.health.card import HealthCard
from storage.accounts import AccountRef

_SPARK = "▁▂▃▄▅▆▇█"


def sparkline(history: list[float | None]) -> str:
    """Scores 0–100 as block characters on a fixed scale, so two accounts' lines compare."""
    marks = []
    for score in history:
        if score is None:
            marks.append("·")
        else:
            marks.append(_SPARK[min(len(_SPARK) - 1, int(score / 100 * len(_SPARK)))])
    return "".join(marks)


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def health_card(
    card: HealthCard,
    *,
    language: str,
    currency: str,
    shared_by: str | None = None,
    names: LabelsConfig | None = None,
) -> Message:
    """The card; `names` are the workspace's own display names for segments, regions and scorecards."""
    tr = translator(language)
    m = macros(language, "health_card.j2")
    band = labels.band_label(card.band, tr)
    measures = [*(d.measure for d in card.drags), *card.no_data]
    if card.strongest:
        measures.append(card.strongest)
    measure_labels = {x.id: labels.measure_label(x.id, tr) for x in measures}
    measure_values = {x.id: labels.measure_value(x, tr) for x in measures}
    no_data_labels = [measure_labels[x.id] for x in card.no_data]

    blocks: list[Block] = [
        SectionBlock(text=_md(m.title(card))),
        SectionBlock(
            fields=[
                _md(m.score_field(card, band, labels.band_emoji(card.band))),
                _md(m.trend_field(card, sparkline(card.history))),
                _md(m.arr_field(card, currency, labels.stage_label(card.lifecycle_stage, tr))),
                _md(m.renewal_field(card)),
                _md(m.owners_field(card)),
            ]
        ),
    ]
    drivers = m.drivers(card, measure_labels, measure_values, no_data_labels)
    if drivers:
        blocks.append(SectionBlock(text=_md(drivers)))
    names = names or LabelsConfig()
    context = m.context(
        card,
        labels.segment_label(card.segment, tr, names.segments),
        labels.region_label(card.region, tr, names.regions),
        labels.scorecard_label(card.scorecard, tr, names.scorecards, names.segments),
    )
    if shared_by:
        context = f"{m.shared_by(mention(shared_by))} · {context}"
    blocks.append(ContextBlock(elements=[_md(context)]))
    if shared_by is None:
        blocks.append(
            ActionsBlock(
                block_id=slack_ids.HEALTH_ACTIONS_BLOCK,
                elements=[
                    ButtonElement(
                        text=tr.gettext("Share in channel"),
                        action_id=slack_ids.SHARE_HEALTH_CARD,
                        value=str(card.account_id),
                    )
                ],
            )
        )
    return Message(text=tr.one_line(m.fallback(card, band)), blocks=blocks)


def choose_account(query: str, choices: list[AccountRef], more: int, *, language: str) -> Message:
    m = macros(language, "messages.j2")
    prompt = m.choose(query, more)
    buttons = [
        ButtonElement(
            # Button labels are capped at 75 characters by Slack.
            text=escape_within(ref.name, 75),
            action_id=f"{slack_ids.PICK_HEALTH_ACCOUNT}:{ref.id}",
            value=str(ref.id),
        )
        for ref in choices
    ]
    return Message(
        text=translator(language).one_line(prompt),
        blocks=[
            SectionBlock(text=_md(prompt)),
            DividerBlock(),
            ActionsBlock(block_id=slack_ids.PICK_ACCOUNT_BLOCK, elements=buttons),
        ],
    )
