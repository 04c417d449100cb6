"""Customer wins as Slack messages and modals: replies to `/cs win`, the month's list, the share modal."""

from datetime import date
from typing import Any

from babel.dates import format_date
from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import slack_ids
from bot.i18n import translator
from bot.render.listings import Page, pack, page_value, paging_blocks
from bot.render.message import Message, text_message
from bot.render.mrkdwn import person
from bot.render.templating import macros
from domain.wins import MAX_IMPACT, MAX_STORY, MonthWins, WinOutcome
from storage.wins import WinView

WINS_LISTED = 30
STORY_SHOWN = 300  # characters of each story in the month's list; the digest shortens them too
ACCOUNT_MAX_LENGTH = 255


def month_name(day: date, language: str) -> str:
    """ "November" / "11月": the digest a win goes into is named by its month."""
    # Stand-alone month ("LLLL"): the skeleton "MMMM" would shorten it to "Nov".
    return format_date(day, "LLLL", locale=translator(language).locale)


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text, emoji=True)


# --- /cs win --------------------------------------------------------------------------------------


def win_text(outcome: WinOutcome, *, language: str, command: str) -> str:
    """The mrkdwn answer to one recording attempt, from the typed command or the modal."""
    m = macros(language, "wins.j2")
    account = outcome.account
    lookup = outcome.lookup
    match outcome.outcome:
        case "recorded" if outcome.win and account:
            return m.recorded(account.name, month_name(outcome.win.won_on, language))
        case "already_recorded" if account:
            return m.already_recorded(account.name)
        case "no_story" if account:
            return m.no_story(account.name, command)
        case "ambiguous" if lookup:
            return m.choices(outcome.query, lookup.choices, lookup.more_choices, command)
        case "not_found" if lookup:
            not_found = macros(language, "messages.j2").not_found(outcome.query, lookup.suggestions)
            return f"{not_found}\n{m.not_recorded()}"
        case "story_too_long":
            return m.story_too_long(outcome.length or 0, MAX_STORY)
        case "impact_too_long":
            return m.impact_too_long(outcome.length or 0, MAX_IMPACT)
        case _:
            return m.usage(command)


def win_reply(outcome: WinOutcome, *, language: str, command: str = slack_ids.COMMAND) -> Message:
    return text_message(win_text(outcome, language=language, command=command))


# --- /cs wins -------------------------------------------------------------------------------------


def _short(story: str) -> str:
    flat = " ".join(story.split())
    return flat if len(flat) <= STORY_SHOWN else flat[: STORY_SHOWN - 1].rstrip() + "…"


def win_line(win: WinView, *, language: str) -> str:
    tr = translator(language)
    m = macros(language, "wins.j2")
    who = person(win.author_slack_user_id, win.author_name)
    return m.line(win, _short(win.story), who, tr.date(win.won_on))


def month_listing(
    month: MonthWins, *, language: str, command: str = slack_ids.COMMAND, offset: int = 0
) -> Message:
    m = macros(language, "wins.j2")
    name = translator(language).month_and_year(month.first)
    if not month.wins:
        return text_message(m.empty(name, command, month.in_progress))
    heading = m.heading(name, len(month.wins), month.in_progress)
    shown = month.wins[offset : offset + WINS_LISTED]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=heading))]
    lines = [win_line(win, language=language) for win in shown]
    blocks.extend(SectionBlock(text=MarkdownTextObject(text=text)) for text in pack(lines))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=m.listing_context())]))
    page = Page(offset=offset, shown=len(shown), total=len(month.wins))
    blocks.extend(
        paging_blocks(
            page,
            macros(language, "listings.j2"),
            next_value=page_value("wins", month.month, page),
            language=language,
        )
    )
    return Message(text=heading.replace("*", ""), blocks=blocks)


# --- the "Share as customer win" modal ------------------------------------------------------------


def _modal(language: str, blocks: list[Block], **more: Any) -> dict[str, Any]:
    m = macros(language, "wins.j2")
    view = View(type="modal", title=_plain(m.modal_title()), blocks=blocks, **more)
    return view.to_dict()  # type: ignore[no-any-return]


def win_modal(*, language: str, story: str, author: str, private_metadata: str) -> dict[str, Any]:
    """The form the shortcut opens: account, story (the message's text) and impact."""
    m = macros(language, "wins.j2")
    blocks: list[Block] = [
        InputBlock(
            block_id=slack_ids.WIN_ACCOUNT_BLOCK,
            label=_plain(m.account_label()),
            hint=_plain(m.account_hint()),
            element=PlainTextInputElement(
                action_id=slack_ids.WIN_ACCOUNT_INPUT, max_length=ACCOUNT_MAX_LENGTH, focus_on_load=True
            ),
        ),
        InputBlock(
            block_id=slack_ids.WIN_STORY_BLOCK,
            label=_plain(m.story_label()),
            element=PlainTextInputElement(
                action_id=slack_ids.WIN_STORY_INPUT,
                multiline=True,
                max_length=MAX_STORY,
                initial_value=story or None,
            ),
        ),
        InputBlock(
            block_id=slack_ids.WIN_IMPACT_BLOCK,
            label=_plain(m.impact_label()),
            optional=True,
            element=PlainTextInputElement(
                action_id=slack_ids.WIN_IMPACT_INPUT,
                max_length=MAX_IMPACT,
                placeholder=_plain(m.impact_hint()),
            ),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=m.credit(person(author)))]),
    ]
    return _modal(
        language,
        blocks,
        callback_id=slack_ids.CUSTOMER_WIN_MODAL,
        submit=_plain(m.modal_submit()),
        close=_plain(m.modal_cancel()),
        private_metadata=private_metadata,
    )


def notice_modal(text: str, *, language: str) -> dict[str, Any]:
    """A modal that only tells something (a refusal, a confirmation) and can only be closed."""
    m = macros(language, "wins.j2")
    return _modal(language, [SectionBlock(text=MarkdownTextObject(text=text))], close=_plain(m.modal_close()))


def refusal_modal(*, language: str) -> dict[str, Any]:
    return notice_modal(macros(language, "messages.j2").refusal(), language=language)


def done_modal(outcome: WinOutcome, *, language: str) -> dict[str, Any]:
    return notice_modal(win_text(outcome, language=language, command=slack_ids.COMMAND), language=language)


def submission_errors(outcome: WinOutcome, *, language: str) -> dict[str, str] | None:
    """Errors Slack shows under the modal's fields (plain text, keyed by block id), or None if none."""
    m = macros(language, "wins.j2")
    lookup = outcome.lookup
    match outcome.outcome:
        case "no_account":
            return {slack_ids.WIN_ACCOUNT_BLOCK: m.error_no_account()}
        case "not_found" if lookup:
            return {slack_ids.WIN_ACCOUNT_BLOCK: m.error_not_found(outcome.query, lookup.suggestions)}
        case "ambiguous" if lookup:
            names = [ref.name for ref in lookup.choices]
            return {slack_ids.WIN_ACCOUNT_BLOCK: m.error_ambiguous(outcome.query, names)}
        case "no_story":
            return {slack_ids.WIN_STORY_BLOCK: m.error_no_story()}
        case "story_too_long":
            return {slack_ids.WIN_STORY_BLOCK: m.error_too_long(outcome.length or 0, MAX_STORY)}
        case "impact_too_long":
            return {slack_ids.WIN_IMPACT_BLOCK: m.error_too_long(outcome.length or 0, MAX_IMPACT)}
    return None
