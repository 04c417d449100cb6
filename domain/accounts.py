"""Finding the account a person means from what they typed: id, name, alias or domain, loosely."""

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import Engine

from storage.accounts import AccountRef, all_search_names, exact_matches, partial_matches
from storage.names import normalise_name

MAX_CHOICES = 5
_SUGGESTION_CUTOFF = 70
# Names, aliases and ids are stored in at most 255 characters: a longer query cannot match, and a
# pattern that long makes SQLite's LIKE give up ("LIKE or GLOB pattern too complex").
MAX_QUERY_LENGTH = 255


@dataclass(frozen=True)
class Lookup:
    query: str
    match: AccountRef | None = None
    choices: list[AccountRef] = field(default_factory=list)  # several accounts fit: let the person pick
    more_choices: int = 0  # how many fitting accounts were not offered
    suggestions: list[str] = field(default_factory=list)  # nothing fits: names close to the query

    @property
    def outcome(self) -> str:
        """What the audit log records of a lookup: shown, ambiguous or not_found."""
        if self.match:
            return "shown"
        return "ambiguous" if self.choices else "not_found"

    @property
    def too_long(self) -> bool:
        """Longer than any name could be: nothing was looked up."""
        return len(self.query.strip()) > MAX_QUERY_LENGTH


def _rank(normalised: str, ref: AccountRef) -> tuple[int, str]:
    """Starts-with beats whole-word beats anywhere-inside; ties by name."""
    if ref.search_name.startswith(normalised):
        rank = 0
    elif re.search(rf"\b{re.escape(normalised)}\b", ref.search_name):
        rank = 1
    else:
        rank = 2
    return rank, ref.name.casefold()


def suggest(engine: Engine, normalised: str, limit: int = 3) -> list[str]:
    """Names close to a typo. Each whole name and each of its words is a candidate, so "acmee" finds
    "Acme Corporation" while a long name that merely shares letters ("globex america") does not."""
    names = all_search_names(engine)
    candidates: list[str] = []
    owners: list[str] = []
    for _, display, searchable in names:
        for candidate in {searchable, *searchable.split()}:
            candidates.append(candidate)
            owners.append(display)
    found = process.extract(
        normalised, candidates, scorer=fuzz.ratio, limit=limit * 10, score_cutoff=_SUGGESTION_CUTOFF
    )
    suggestions: list[str] = []
    for _, _, index in found:
        if owners[index] not in suggestions:
            suggestions.append(owners[index])
    return suggestions[:limit]


def find_account(engine: Engine, query: str) -> Lookup:
    if len(query.strip()) > MAX_QUERY_LENGTH:
        return Lookup(query=query)
    normalised = normalise_name(query)
    if not normalised:
        return Lookup(query=query)
    exact = exact_matches(engine, raw=query, normalised=normalised)
    if len(exact) == 1:
        return Lookup(query=query, match=exact[0])
    fitting = exact or partial_matches(engine, normalised=normalised, limit=MAX_CHOICES * 4 + 1)
    if len(fitting) == 1:
        return Lookup(query=query, match=fitting[0])
    if fitting:
        ranked = sorted(fitting, key=lambda ref: _rank(normalised, ref))
        return Lookup(
            query=query, choices=ranked[:MAX_CHOICES], more_choices=max(0, len(ranked) - MAX_CHOICES)
        )
    return Lookup(query=query, suggestions=suggest(engine, normalised))
