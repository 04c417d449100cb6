"""Decide which column of a file feeds which field: --map first, then canonical names, then CRM headers."""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storage.importing.errors import RowError
from storage.importing.schema import KindSpec

_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
_WRONG_SEPARATOR = "the header is a single column; the file looks separated by semicolons or tabs, not commas"


def header_key(header: str) -> str:
    """Fold a header so that "Account ID", "account_id" and "ACCOUNT-ID" compare equal."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", header).casefold())


def _exact_key(header: str) -> str:
    # Hints are matched on spelling, not just letters: "Lifecycle Stage" is HubSpot's, "lifecycle_stage" ours.
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", header).strip()).casefold()


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str


@dataclass(frozen=True)
class IgnoredColumn:
    header: str
    reason: str

    def __str__(self) -> str:
        return f'"{self.header}": {self.reason}'


@dataclass(frozen=True)
class ColumnPlan:
    columns: tuple[Column, ...]
    ignored: tuple[IgnoredColumn, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(column.field for column in self.columns)

    def header_of(self, field: str) -> str:
        return next(column.header for column in self.columns if column.field == field)


def plan_columns(
    spec: KindSpec, headers: Sequence[str], mapping: Mapping[str, str] | None, file: str
) -> ColumnPlan | list[RowError]:
    """Return the plan, or every problem with the header line (all of them, so one run shows them all)."""
    errors: list[RowError] = []
    explicit = _check_mapping(spec, headers, mapping or {}, file, errors)
    hints = {_exact_key(header): reason for header, reason in spec.hints.items()}
    ranks = {header_key(name): (name, 0) for name in spec.field_names}
    for name, others in spec.crm_headers.items():
        for rank, other in enumerate(others, start=1):
            ranks.setdefault(header_key(other), (name, rank))

    ignored: list[IgnoredColumn] = []
    chosen: dict[str, tuple[int, int]] = {}  # field -> (rank, column index); rank -1 means --map
    contenders: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if index in explicit:
            target = explicit[index]
            if target:
                chosen[target] = (-1, index)
            else:
                ignored.append(IgnoredColumn(_label(header, index), "ignored with --map"))
            continue
        if _exact_key(header) in hints:
            reason = hints[_exact_key(header)]
            if "--map" not in reason:
                reason += f'; use --map "{header}=FIELD" if it is what you want'
            ignored.append(IgnoredColumn(header, reason))
            continue
        if key not in ranks:
            ignored.append(IgnoredColumn(_label(header, index), f"not one of the {spec.kind} columns"))
            continue
        name, rank = ranks[key]
        contenders.setdefault(name, []).append(index)
        best = chosen.get(name)
        if best is None or rank < best[0]:
            chosen[name] = (rank, index)

    for name, indexes in contenders.items():
        rank, winner = chosen[name]
        same_rank = [i for i in indexes if ranks[header_key(headers[i])][1] == rank]
        if rank >= 0 and len(same_rank) > 1:
            names = " and ".join(f'"{headers[i]}"' for i in same_rank)
            errors.append(
                RowError(
                    file, 1, f'columns {names} both look like {name}; pick one with --map "SOURCE={name}"'
                )
            )
            continue
        ignored.extend(
            IgnoredColumn(headers[index], f'{name} is taken from "{headers[winner]}"')
            for index in indexes
            if index != winner
        )

    if len(headers) == 1 and any(separator in headers[0] for separator in (";", "\t")):
        errors.append(RowError(file, 1, _WRONG_SEPARATOR))
        return errors
    for name in spec.required:
        if name not in chosen:
            errors.append(RowError(file, 1, _missing_message(spec, name)))
    if errors:
        return errors
    columns = tuple(
        sorted(
            (Column(index, headers[index], name) for name, (_, index) in chosen.items()),
            key=lambda c: c.index,
        )
    )
    return ColumnPlan(columns, tuple(ignored))


def _check_mapping(
    spec: KindSpec, headers: Sequence[str], mapping: Mapping[str, str], file: str, errors: list[RowError]
) -> dict[int, str]:
    """Column index -> field ("" to ignore the column) for each --map entry that makes sense."""
    explicit: dict[int, str] = {}
    sources: dict[str, str] = {}  # field -> the --map source that claimed it
    for source, raw_target in mapping.items():
        target = raw_target.strip()
        shown = f'--map "{source}={target}"'
        if target and target not in spec.field_names:
            expected = ", ".join(spec.field_names)
            errors.append(
                RowError(
                    file, None, f'{shown}: {spec.kind} has no field "{target}" (expected one of: {expected})'
                )
            )
            continue
        # The exact spelling wins, so "Account ID" can be told apart from "account_id" in the same file.
        matches = [i for i, header in enumerate(headers) if header == source.strip()]
        matches = matches or [
            i for i, header in enumerate(headers) if header_key(header) == header_key(source)
        ]
        if len(matches) != 1:
            problem = "has no column" if not matches else "has more than one column like"
            errors.append(RowError(file, 1, f'{shown}: the file {problem} "{source}"'))
            continue
        if target and target in sources:
            errors.append(
                RowError(file, None, f'--map sends both "{sources[target]}" and "{source}" to {target}')
            )
            continue
        if target:
            sources[target] = source
        explicit[matches[0]] = target
    return explicit


def _missing_message(spec: KindSpec, name: str) -> str:
    return (
        f'missing required column "{name}" (expected header: {spec.canonical_header}; '
        f'or name the column with --map "SOURCE={name}")'
    )


def _label(header: str, index: int) -> str:
    return header if header.strip() else f"(unnamed column {index + 1})"
