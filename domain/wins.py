"""Customer wins: which account and story a person typed, the limits, recording and the audit trail.

Typed text names the account first. A quoted name or a separator (`:`, ` - `, `|`) says where the name
ends; otherwise the longest run of leading words that finds exactly one account is the name.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Engine

from domain.accounts import Lookup, find_account
from domain.digest.month import Month
from storage import audit
from storage.accounts import AccountRef
from storage.wins import WinRecord, WinView, record_win, wins_between

MAX_STORY = 2000
MAX_IMPACT = 500
# Account names are short; trying more leading words only costs look-ups that cannot succeed.
MAX_ACCOUNT_WORDS = 6

Outcome = Literal[
    "recorded",
    "already_recorded",
    "no_account",
    "no_story",
    "not_found",
    "ambiguous",
    "story_too_long",
    "impact_too_long",
]
Source = Literal["command", "shortcut"]

# Opening quote → the closing quotes accepted for it. Phones and Macs turn " into “ ” as people type,
# and not always into a matching pair.
_QUOTES = {'"': '"”“', "“": '”“"', "”": "”", "「": "」", "『": "』", "＂": "＂"}
# A colon ends the name only when followed by a space, so ":tada:" and "10:30" do not; the full-width
# colon needs no space after it in Japanese. A dash needs spaces round it: "A-1" is an account id.
_SEPARATOR = re.compile(r"(?<=\S):(?=\s|$)|：|\s+[-–—]\s+|\s*[|｜]\s*")
_LEADING_SEPARATORS = ":：-–—|｜ \t\n\u3000"
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class ParsedWin:
    """What a person typed: the account as written, what it found, and the story after it."""

    query: str
    lookup: Lookup | None  # None when no account was given
    story: str


@dataclass(frozen=True)
class WinOutcome:
    outcome: Outcome
    query: str = ""
    lookup: Lookup | None = None
    win: WinRecord | None = None
    length: int | None = None  # of the story or impact that is too long

    @property
    def account(self) -> AccountRef | None:
        return self.lookup.match if self.lookup else None


@dataclass(frozen=True)
class MonthWins:
    month: Month
    wins: list[WinView]
    in_progress: bool  # the month is the current one: more wins may come

    @property
    def first(self) -> date:
        return self.month.first


def split_quoted(text: str) -> tuple[str, str] | None:
    """`"Acme Corp" story…` (also 「」 and “”) → ("Acme Corp", "story…"); None when not quoted."""
    closers = _QUOTES.get(text[:1])
    if not closers:
        return None
    end = next((i for i in range(1, len(text)) if text[i] in closers), -1)
    if end < 0:
        return None
    return text[1:end].strip(), text[end + 1 :].lstrip(_LEADING_SEPARATORS).strip()


def split_separated(text: str) -> tuple[str, str] | None:
    """`account: story`, `account - story`, `account | story` → (account, story); None without one."""
    found = _SEPARATOR.search(text)
    if found is None:
        return None
    account = text[: found.start()].strip()
    # A colon left in the name means the separator closed an emoji (`acme :tada: renewed`).
    if not account or ":" in account:
        return None
    return account, text[found.end() :].strip()


def _longest_prefix(engine: Engine, text: str) -> ParsedWin | None:
    """The most leading words that find exactly one account, or the most telling failure; None if empty."""
    words = list(_WORD.finditer(text))
    if not words:
        return None
    ambiguous: ParsedWin | None = None
    shortest: ParsedWin | None = None
    for count in range(min(MAX_ACCOUNT_WORDS, len(words)), 0, -1):
        query = text[: words[count - 1].end()]
        lookup = find_account(engine, query)
        parsed = ParsedWin(query=query, lookup=lookup, story=text[words[count - 1].end() :].strip())
        if lookup.match:
            return parsed
        if lookup.choices and ambiguous is None:
            ambiguous = parsed
        shortest = parsed
    return ambiguous or shortest


def parse_win_text(engine: Engine, text: str) -> ParsedWin:
    text = text.strip()
    quoted = split_quoted(text)
    if quoted is not None:
        query, story = quoted
        return ParsedWin(query=query, lookup=find_account(engine, query) if query else None, story=story)
    separated = split_separated(text)
    if separated is not None:
        query, story = separated
        lookup = find_account(engine, query)
        if lookup.match or lookup.choices:
            return ParsedWin(query=query, lookup=lookup, story=story)
        # "acme renewed: two more years" still names Acme, though not before the colon.
        by_prefix = _longest_prefix(engine, text)
        if by_prefix is not None and by_prefix.lookup and by_prefix.lookup.match:
            return by_prefix
        return ParsedWin(query=query, lookup=lookup, story=story)
    return _longest_prefix(engine, text) or ParsedWin(query="", lookup=None, story="")


def account_from_field(engine: Engine, typed: str) -> ParsedWin:
    """An account typed on its own, as in a form field: all of it is the name, quotes or not."""
    query = typed.strip()
    quoted = split_quoted(query)
    if quoted is not None and not quoted[1]:
        query = quoted[0]
    return ParsedWin(query=query, lookup=find_account(engine, query) if query else None, story="")


def problem_with(parsed: ParsedWin, impact: str | None = None) -> Outcome | None:
    """Why this cannot be recorded, or None when it can."""
    if parsed.lookup is None:
        return "no_account"
    if parsed.lookup.match is None:
        return "ambiguous" if parsed.lookup.choices else "not_found"
    if not parsed.story:
        return "no_story"
    if len(parsed.story) > MAX_STORY:
        return "story_too_long"
    if impact and len(impact) > MAX_IMPACT:
        return "impact_too_long"
    return None


def _record(
    engine: Engine,
    parsed: ParsedWin,
    *,
    impact: str | None,
    author_slack_user_id: str,
    recorded_by_slack_user_id: str,
    source: Source,
    today: date,
    at: datetime,
    source_channel: str | None = None,
    source_ts: str | None = None,
) -> WinOutcome:
    problem = problem_with(parsed, impact)
    if problem == "no_account":
        return WinOutcome("no_account")
    win = None
    if problem is None and parsed.lookup and parsed.lookup.match:
        win = record_win(
            engine,
            account_id=parsed.lookup.match.id,
            story=parsed.story,
            impact=impact or None,
            author_slack_user_id=author_slack_user_id,
            recorded_by_slack_user_id=recorded_by_slack_user_id,
            won_on=today,
            created_at=at,
            source=source,
            source_channel=source_channel,
            source_ts=source_ts,
        )
    outcome: Outcome = problem or ("recorded" if win else "already_recorded")
    audit.record(
        engine,
        at=at,
        slack_user_id=recorded_by_slack_user_id,
        action="win",
        query=parsed.query,
        account_id=parsed.lookup.match.id if parsed.lookup and parsed.lookup.match else None,
        outcome=outcome,
    )
    lengths = {"story_too_long": len(parsed.story), "impact_too_long": len(impact or "")}
    return WinOutcome(outcome, query=parsed.query, lookup=parsed.lookup, win=win, length=lengths.get(outcome))


def record_typed_win(
    engine: Engine, text: str, *, slack_user_id: str, today: date, at: datetime
) -> WinOutcome:
    """`/cs win <account> <story>`: the person who types it is the one credited."""
    return _record(
        engine,
        parse_win_text(engine, text),
        impact=None,
        author_slack_user_id=slack_user_id,
        recorded_by_slack_user_id=slack_user_id,
        source="command",
        today=today,
        at=at,
    )


def record_shared_win(
    engine: Engine,
    *,
    account: str,
    story: str,
    impact: str | None,
    author_slack_user_id: str,
    recorded_by_slack_user_id: str,
    source_channel: str | None,
    source_ts: str | None,
    today: date,
    at: datetime,
) -> WinOutcome:
    """A message shared as a win: its author is credited, whoever shared it; once per message and account."""
    parsed = account_from_field(engine, account)
    return _record(
        engine,
        ParsedWin(query=parsed.query, lookup=parsed.lookup, story=story.strip()),
        impact=(impact or "").strip() or None,
        author_slack_user_id=author_slack_user_id,
        recorded_by_slack_user_id=recorded_by_slack_user_id,
        source="shortcut",
        today=today,
        at=at,
        source_channel=source_channel,
        source_ts=source_ts,
    )


def wins_of_month(
    engine: Engine, *, month: Month, today: date, slack_user_id: str, at: datetime
) -> MonthWins:
    """The wins recorded in `month` (workspace dates), oldest first; the caller refuses future months."""
    wins = wins_between(engine, month.first, month.last)
    audit.record(
        engine, at=at, slack_user_id=slack_user_id, action="wins", query=str(month), outcome="listed"
    )
    return MonthWins(month=month, wins=wins, in_progress=month == Month.containing(today))


def story_for_prefill(text: str) -> str:
    """A message's text as the starting point of a story: as much as the limit allows."""
    text = text.strip()
    return text if len(text) <= MAX_STORY else text[: MAX_STORY - 1].rstrip() + "…"
