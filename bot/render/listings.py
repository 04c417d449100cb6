"""`/cs owner`, `/cs renewals` and `/cs risks` as Block Kit: short, private, within Slack's limits."""

from dataclasses import dataclass

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
from bot.render.mrkdwn import Trusted
from bot.render.templating import Macros, macros
from domain.account_owner import Assignee, OwnershipView
from domain.at_risk import RiskLine, RisksAnswer
from domain.upcoming_renewals import RenewalsAnswer
from storage.accounts import AccountRef

SECTION_LIMIT = 3000  # characters of mrkdwn Slack accepts in one section

MODEL_LABELS = {
    "high_touch_startup": N_("high-touch startup"),
    "low_touch_startup": N_("low-touch startup"),
    "high_touch_growth": N_("high-touch growth company"),
    "low_touch_growth": N_("low-touch growth company"),
    "technical_buyer": N_("technical buyer"),
    "plg": N_("product-led growth"),
}
ROLE_LABELS = {
    "csm": N_("CSM"),
    "ae": N_("AE"),
    "am": N_("AM"),
    "cs_ops": N_("CS Ops"),
    "manager": N_("Manager"),
}


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _done(text: str) -> Trusted:
    """A macro's output: every value in it is escaped already, so it goes into the next macro as is."""
    return Trusted(text)


def _role(role: str | None, tr: Translator) -> str:
    if not role:
        return ""
    known = ROLE_LABELS.get(role)
    return tr.gettext(known) if known else role


def _model(model: str, tr: Translator) -> str:
    known = MODEL_LABELS.get(model)
    return tr.gettext(known) if known else model.replace("_", " ")


def _who(m: Macros, assignee: Assignee, tr: Translator) -> Trusted:
    return _done(m.who(assignee, _role(assignee.role, tr)))


def pack(lines: list[str], limit: int = SECTION_LIMIT) -> list[str]:
    """Lines joined into texts of at most `limit` characters, in order; a line is never split across
    two texts (one longer than `limit` on its own, which escaped names cannot reach, is cut)."""
    texts: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            texts.append(current)
        current = line[:limit]
    if current:
        texts.append(current)
    return texts


def _fallback(text: str) -> str:
    return " ".join(text.replace("*", "").split())


# --- /cs owner ------------------------------------------------------------------------------------


def _note(m: Macros, assignee: Assignee, tr: Translator) -> str:
    decision = assignee.decision
    if decision.email is None:
        return m.nobody_set()
    if decision.fell_back_from:
        return m.fell_back(_role(decision.fell_back_from, tr), _role(decision.role, tr))
    return ""


def ownership(view: OwnershipView, *, language: str, currency: str) -> Message:
    tr = translator(language)
    m = macros(language, "listings.j2")
    config = view.config
    model = _model(config.model, tr)
    arr = tr.money(view.arr, currency)
    line = tr.money(config.large_account_arr or 0, currency)
    limit = tr.money(config.small_expansion_arr, currency)

    def chosen_role(assignee: Assignee) -> str:
        # The reason names the role the rules chose; a fallback to another role is told separately.
        return _role(assignee.decision.fell_back_from or assignee.decision.role, tr)

    renewal = view.renewal
    if view.status == "churned":
        # Nobody owns the renewal of a customer that left: routing one would send people after it.
        blocks_churned: list[Block] = [
            SectionBlock(text=_md(m.owner_title(view))),
            SectionBlock(text=_md(m.owner_churned())),
            ContextBlock(elements=[_md(m.owner_context(model, arr))]),
        ]
        return Message(text=_fallback(m.owner_churned_fallback(view)), blocks=blocks_churned)
    rows = [
        m.owner_line(
            "renewal",
            _who(m, renewal, tr),
            _done(m.renewal_reason(renewal.decision.rule, model, chosen_role(renewal), arr, line)),
            _done(_note(m, renewal, tr)),
        )
    ]
    for kind, assignee in (("expansion", view.expansion), ("small", view.small_expansion)):
        if assignee is None:
            continue
        reason = m.expansion_reason(assignee.decision.rule, model, chosen_role(assignee), limit)
        rows.append(m.owner_line(kind, _who(m, assignee, tr), _done(reason), _done(_note(m, assignee, tr))))
    blocks: list[Block] = [
        SectionBlock(text=_md(m.owner_title(view))),
        SectionBlock(text=_md("\n".join(rows))),
        ContextBlock(elements=[_md(m.owner_context(model, arr))]),
    ]
    return Message(text=_fallback(m.owner_fallback(view, _who(m, renewal, tr))), blocks=blocks)


def owner_choices(query: str, choices: list[AccountRef], more: int, *, language: str) -> Message:
    """Several accounts fit: list them as text (the health card's pick buttons would open a card)."""
    text = macros(language, "listings.j2").owner_choices(query, choices, more, slack_ids.COMMAND)
    return Message(
        text=_fallback(text.splitlines()[0]), blocks=[SectionBlock(text=_md(text[:SECTION_LIMIT]))]
    )


# --- /cs renewals ---------------------------------------------------------------------------------


def renewals(answer: RenewalsAnswer, *, language: str, currency: str) -> Message:
    tr = translator(language)
    m = macros(language, "listings.j2")
    if answer.scope.kind == "none":
        text = m.not_on_team()
        return Message(text=text, blocks=[SectionBlock(text=_md(text))])
    heading = m.renewals_heading(answer)
    lines = []
    for line in answer.lines:
        health = m.health(line.score, labels.band_label(line.band, tr), labels.band_emoji(line.band))
        lines.append(
            m.renewal_line(line, tr.money(line.arr, currency), _done(health), _who(m, line.owner, tr))
        )
    page = Page(offset=answer.offset, shown=len(lines), total=answer.total)
    next_value = page_value("renewals", answer.days, page)
    return _listing(heading, lines, page, m, context=None, next_value=next_value, language=language)


@dataclass(frozen=True)
class Page:
    """Which lines of a listing a message shows: `shown` lines after the first `offset`, of `total`."""

    offset: int
    shown: int
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - self.offset - self.shown)


def page_value(kind: str, argument: object, page: Page) -> str:
    """The "show more" button's value: the listing, its argument and where the next page starts."""
    return f"{kind}:{argument if argument is not None else ''}:{page.offset + page.shown}"


def parse_page_value(value: str) -> tuple[str, str, int]:
    """(kind, argument, offset) from a "show more" value; ValueError when it is not one of ours."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] not in ("renewals", "risks", "wins") or not parts[2].isdigit():
        raise ValueError(f"not a listing page: {value[:40]!r}")
    return parts[0], parts[1], int(parts[2])


def paging_blocks(page: Page, m: Macros, *, next_value: str, language: str) -> list[Block]:
    """Where these lines sit in the whole list, and a button for the next ones when there are more."""
    if page.offset == 0 and page.more == 0:
        return []
    blocks: list[Block] = [
        ContextBlock(elements=[_md(m.page_note(page.offset + 1, page.offset + page.shown, page.total))])
    ]
    if page.more:
        label = translator(language).ngettext("Show the next %(num)s", "Show the next %(num)s", _next(page))
        blocks.append(
            ActionsBlock(
                block_id=slack_ids.LISTING_PAGE_BLOCK,
                elements=[ButtonElement(text=label, action_id=slack_ids.LISTING_MORE, value=next_value)],
            )
        )
    return blocks


def _next(page: Page) -> int:
    return min(page.more, page.shown or page.more)


def _listing(
    heading: str,
    lines: list[str],
    page: Page,
    m: Macros,
    *,
    context: str | None,
    next_value: str,
    language: str,
) -> Message:
    blocks: list[Block] = [SectionBlock(text=_md(heading))]
    blocks.extend(SectionBlock(text=_md(text)) for text in pack(lines))
    if context:
        blocks.append(ContextBlock(elements=[_md(context)]))
    blocks.extend(paging_blocks(page, m, next_value=next_value, language=language))
    return Message(text=_fallback(heading), blocks=blocks)


# --- /cs risks ------------------------------------------------------------------------------------


def _risk_line(m: Macros, line: RiskLine, worst_band_label: str, tr: Translator) -> str:
    health = m.health(line.score, labels.band_label(line.band, tr), labels.band_emoji(line.band))
    drag = line.top_drag
    return m.risk_line(
        line,
        _done(health),
        _done(m.trend(line)),
        labels.measure_label(drag.measure.id, tr) if drag else "",
        labels.measure_value(drag.measure, tr) if drag else "",
        _done(m.reasons(line, worst_band_label)),
    )


def risks(answer: RisksAnswer, *, language: str) -> Message:
    return _accounts(answer, language=language)


def portfolio(answer: RisksAnswer, *, language: str, csm_names: dict[str, str] | None = None) -> list[Block]:
    """Every account in the person's scope, lowest score first: the Home tab's own list, one section per
    account with the button that opens its card. With `csm_names` (a manager's tab) each CSM's accounts
    come under their name; the tab draws its own paging."""
    tr = translator(language)
    m = macros(language, "listings.j2")
    if answer.scope.kind == "none":
        return [SectionBlock(text=_md(m.not_on_team()))]
    worst = labels.band_label(answer.worst_band, tr)
    home = macros(language, "home.j2")
    opener = home.open_card()
    blocks: list[Block] = [SectionBlock(text=_md(home.portfolio_heading(answer.scope.kind, answer.total)))]
    group: object = object()  # no CSM yet, not even "none"
    for line in answer.lines:
        if csm_names is not None and line.csm_email != group:
            group = line.csm_email
            who = csm_names.get(line.csm_email or "", line.csm_email) if line.csm_email else None
            blocks.append(ContextBlock(elements=[_md(home.csm_group(who))]))
        blocks.append(
            SectionBlock(
                text=_md(_risk_line(m, line, worst, tr)[:SECTION_LIMIT]),
                accessory=ButtonElement(
                    text=opener, action_id=slack_ids.HOME_OPEN_CARD, value=str(line.account_id)
                ),
            )
        )
    return blocks


def _accounts(answer: RisksAnswer, *, language: str) -> Message:
    tr = translator(language)
    m = macros(language, "listings.j2")
    if answer.scope.kind == "none":
        text = m.not_on_team()
        return Message(text=text, blocks=[SectionBlock(text=_md(text))])
    worst = labels.band_label(answer.worst_band, tr)
    lines = [_risk_line(m, line, worst, tr) for line in answer.lines]
    page = Page(offset=answer.offset, shown=len(lines), total=answer.total)
    heading = m.risks_heading(answer)
    context = m.risks_context(worst, answer.alert_days, answer.trend_days)
    next_value = page_value("risks", None, page)
    return _listing(heading, lines, page, m, context=context, next_value=next_value, language=language)
