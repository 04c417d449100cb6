"""The Home tab as a Block Kit view: the person's at-risk accounts and coming renewals, or, for someone
outside the CS team, how to get access and nothing else."""

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import slack_ids
from bot.i18n import translator
from bot.render import labels, listings
from bot.render.message import Message
from bot.render.templating import macros
from domain.home import MOVERS_DAYS, HomeAnswer, Overview

MAX_BLOCKS = 100  # Slack refuses a view with more


def _view(blocks: list[Block]) -> dict[str, Any]:
    return {"type": "home", "blocks": [block.to_dict() for block in blocks[:MAX_BLOCKS]]}


def portfolio_home(answer: HomeAnswer, *, language: str, currency: str) -> dict[str, Any]:
    """For CS Ops the workspace overview first; then the person's accounts, worst first, and the
    renewals coming up. The listings' "show the next" buttons answer in a conversation, which a Home
    tab is not, so the tab says which command shows the rest instead."""
    m = macros(language, "home.j2")
    blocks: list[Block] = [
        HeaderBlock(text=m.title()),
        ContextBlock(elements=[{"type": "mrkdwn", "text": m.intro(slack_ids.COMMAND)}]),
    ]
    if answer.overview is not None:
        blocks.append(DividerBlock())
        blocks.extend(_overview(answer.overview, language))
    parts = [
        listings.portfolio(answer.portfolio, language=language),
        listings.renewals(answer.renewals, language=language, currency=currency),
    ]
    for part in parts:
        blocks.append(DividerBlock())
        blocks.extend(block for block in part.blocks if not isinstance(block, ActionsBlock))
    return _view(blocks)


def _overview(overview: Overview, language: str) -> list[Block]:
    tr = translator(language)
    m = macros(language, "home.j2")
    bands = [
        (labels.band_emoji(band), labels.band_label(band, tr), overview.bands[band])
        for band in sorted(overview.bands, key=_band_order)
    ]
    movers = [(pair.name, pair.before, pair.after) for pair in overview.movers]
    text = m.overview(overview.day, bands, movers, MOVERS_DAYS)
    return [SectionBlock(text={"type": "mrkdwn", "text": text[:3000]})]


def _band_order(band: str) -> tuple[int, str]:
    # Worst first as the bands are shipped; a workspace's own band names sort after, by name.
    shipped = ("red", "yellow", "green", "no_data")
    return (shipped.index(band) if band in shipped else len(shipped), band)


def outsider_home(*, language: str) -> dict[str, Any]:
    refusal = macros(language, "messages.j2").refusal()
    return _view([SectionBlock(text={"type": "mrkdwn", "text": refusal})])


def card_modal(card: Message, *, language: str) -> dict[str, Any]:
    """An account's health card in a modal, opened from the Home tab. Its "Share in channel" button
    answers in a conversation, which a modal is not, so it is left out."""
    m = macros(language, "home.j2")
    blocks = [block for block in card.blocks if not isinstance(block, ActionsBlock)][:MAX_BLOCKS]
    close = macros(language, "wins.j2").modal_close()
    view = View(
        type="modal",
        title=PlainTextObject(text=m.card_title()),
        close=PlainTextObject(text=close),
        blocks=blocks,
    )
    return view.to_dict()  # type: ignore[no-any-return]
