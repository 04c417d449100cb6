"""The Home tab as a Block Kit view: the person's alerts, accounts and coming renewals with the menus
and pages that narrow them, or, for someone outside the CS team, how to get access and nothing else."""

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import slack_ids
from bot.i18n import Translator, translator
from bot.render import labels, listings
from bot.render.message import Message
from bot.render.sweep import REASON_LABELS
from bot.render.templating import macros
from domain.home import MOVERS_DAYS, RENEWAL_WINDOWS, CsmLine, HomeAnswer, HomeFilter, Overview

MAX_BLOCKS = 100  # Slack refuses a view with more
ALL_BANDS = "all"


def _view(blocks: list[Block], choice: HomeFilter | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "home", "blocks": [block.to_dict() for block in blocks[:MAX_BLOCKS]]}
    if choice is not None:
        view["private_metadata"] = json.dumps(
            {"band": choice.band, "days": choice.renewal_days, "offset": choice.offset}
        )
    return view


def home_choice(view: dict[str, Any] | None) -> HomeFilter:
    """What the person had chosen on the tab they pressed on; the defaults when the view carries nothing
    readable (a tab published by an older release, or a forged payload)."""
    try:
        saved = json.loads((view or {}).get("private_metadata") or "{}")
        band = saved.get("band")
        chosen = HomeFilter(band=band if isinstance(band, str) else None)
        return chosen.with_renewal_days(int(saved.get("days", chosen.renewal_days))).at(
            int(saved.get("offset", 0))
        )
    except (ValueError, TypeError, AttributeError):
        return HomeFilter()


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text[: listings.SECTION_LIMIT])


def portfolio_home(answer: HomeAnswer, *, language: str, currency: str) -> dict[str, Any]:
    """For CS Ops the workspace overview first, for a manager each CSM by band; then the alerts waiting
    with their Acknowledge buttons, the person's accounts worst first (a page at a time, grouped by
    CSM for a manager) and the renewals in the chosen window. The listings' own "show the next"
    buttons answer in a conversation, which a Home tab is not, so the tab pages itself."""
    m = macros(language, "home.j2")
    tr = translator(language)
    blocks: list[Block] = [
        HeaderBlock(text=m.title()),
        ContextBlock(elements=[_md(m.intro(slack_ids.COMMAND))]),
        _controls(answer, tr),
    ]
    if answer.overview is not None:
        blocks.append(DividerBlock())
        blocks.extend(_overview(answer.overview, language))
    if answer.team:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=_md(_team(answer.team, language))))
    if answer.alerts:
        blocks.append(DividerBlock())
        blocks.extend(_alerts(answer, language))
    blocks.append(DividerBlock())
    grouped = answer.names if answer.portfolio.scope.kind == "team" else None
    blocks.extend(listings.portfolio(answer.portfolio, language=language, csm_names=grouped))
    blocks.extend(_pages(answer, language))
    renewals = listings.renewals(answer.renewals, language=language, currency=currency)
    blocks.append(DividerBlock())
    blocks.extend(block for block in renewals.blocks if not isinstance(block, ActionsBlock))
    return _view(blocks, answer.choice)


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=text[:75]), value=value)


def _controls(answer: HomeAnswer, tr: Translator) -> ActionsBlock:
    every = _option(tr.gettext("All bands"), ALL_BANDS)
    bands = [every] + [
        _option(f"{labels.band_emoji(band)} {labels.band_label(band, tr)}", band) for band in answer.bands
    ]
    chosen_band = next((o for o in bands if o.value == answer.choice.band), every)
    windows = [
        _option(tr.ngettext("Renewals in %(num)s day", "Renewals in %(num)s days", days), str(days))
        for days in RENEWAL_WINDOWS
    ]
    chosen_window = next(o for o in windows if o.value == str(answer.choice.renewal_days))
    return ActionsBlock(
        block_id=slack_ids.HOME_FILTERS_BLOCK,
        elements=[
            StaticSelectElement(
                action_id=slack_ids.HOME_PICK_BAND, options=bands, initial_option=chosen_band
            ),
            StaticSelectElement(
                action_id=slack_ids.HOME_PICK_RENEWAL_DAYS, options=windows, initial_option=chosen_window
            ),
        ],
    )


def _team(team: list[CsmLine], language: str) -> str:
    tr = translator(language)
    rows = [
        (
            line.name,
            line.total,
            [
                (labels.band_emoji(band), labels.band_label(band, tr), line.bands[band])
                for band in sorted(line.bands, key=_band_order)
            ],
        )
        for line in team
    ]
    return macros(language, "home.j2").team(rows)


def _alerts(answer: HomeAnswer, language: str) -> list[Block]:
    tr = translator(language)
    m = macros(language, "home.j2")
    blocks: list[Block] = [SectionBlock(text=_md(m.alerts_heading(answer.alerts_total, len(answer.alerts))))]
    for alert in answer.alerts:
        reasons = [tr.gettext(REASON_LABELS.get(r, r)) for r in alert.reasons]
        text = m.alert_line(
            alert.account_name,
            alert.day,
            alert.score,
            labels.band_emoji(alert.band),
            labels.band_label(alert.band, tr),
            reasons,
        )
        button = ButtonElement(
            text=tr.gettext("Acknowledge"), action_id=slack_ids.HOME_ACKNOWLEDGE, value=str(alert.id)
        )
        blocks.append(SectionBlock(text=_md(text), accessory=button))
    return blocks


def _pages(answer: HomeAnswer, language: str) -> list[Block]:
    """Where this page of accounts sits, and buttons to the previous and next pages of the tab."""
    portfolio = answer.portfolio
    page = listings.Page(offset=portfolio.offset, shown=len(portfolio.lines), total=portfolio.total)
    if page.offset == 0 and page.more == 0:
        return []
    tr = translator(language)
    m = macros(language, "listings.j2")
    blocks: list[Block] = [
        ContextBlock(elements=[_md(m.page_note(page.offset + 1, page.offset + page.shown, page.total))])
    ]
    buttons = []
    size = max(page.shown, 1)
    if page.offset > 0:
        previous = tr.gettext("Previous")
        value = str(max(0, page.offset - size))
        buttons.append(ButtonElement(text=previous, action_id=f"{slack_ids.HOME_PAGE}:previous", value=value))
    if page.more:
        label = tr.ngettext("Show the next %(num)s", "Show the next %(num)s", min(page.more, size))
        value = str(page.offset + page.shown)
        buttons.append(ButtonElement(text=label, action_id=f"{slack_ids.HOME_PAGE}:next", value=value))
    blocks.append(ActionsBlock(block_id=slack_ids.LISTING_PAGE_BLOCK, elements=buttons))
    return blocks


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
