"""Apply validated records batch by batch: compare with what is stored, then upsert only what changed.

Reading the stored rows first is what lets a dry run report inserted/updated/unchanged without writing, and
keeps a re-import of an unchanged file from touching a single row.
"""

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, insert, select, tuple_
from sqlalchemy.sql.dml import Insert

from storage.importing.records import Record
from storage.models import (
    Account,
    AccountAlias,
    Contract,
    MetricObservation,
    Milestone,
    RevenueMovement,
    TeamMember,
)
from storage.names import normalise_name
from storage.upsert import conflict_insert

# Keeps each lookup well under SQLite's and PostgreSQL's bound-parameter limits even with three-column keys.
_LOOKUP_CHUNK = 1000


@dataclass(frozen=True)
class Target:
    table: Table
    key: tuple[str, ...]


TARGETS: dict[str, Target] = {
    "team": Target(TeamMember.__table__, ("email",)),  # type: ignore[attr-defined]
    "accounts": Target(Account.__table__, ("external_id",)),  # type: ignore[attr-defined]
    "contracts": Target(Contract.__table__, ("external_id",)),  # type: ignore[attr-defined]
    "metrics": Target(MetricObservation.__table__, ("account_id", "metric", "observed_on")),  # type: ignore[attr-defined]
    "milestones": Target(Milestone.__table__, ("account_id", "name")),  # type: ignore[attr-defined]
    "movements": Target(RevenueMovement.__table__, ("account_id", "moved_on", "kind")),  # type: ignore[attr-defined]
}

Key = tuple[Any, ...]
AliasSet = tuple[tuple[str, str], ...]


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class BatchWriter:
    """Counts (and unless `write` is False, stores) batches of records of one kind within one transaction.

    Rows are applied in file order: when a key repeats, the later row wins and counts as an update of the
    earlier one. A dry run stores nothing, so it only sees repeats that fall within the same batch.
    """

    def __init__(
        self,
        connection: Connection,
        kind: str,
        columns: Sequence[str],
        *,
        insert_defaults: dict[str, Any],
        with_aliases: bool,
        write: bool,
    ) -> None:
        self.connection = connection
        self.target = TARGETS[kind]
        self.compared = tuple(column for column in columns if column not in self.target.key)
        self.insert_defaults = {k: v for k, v in insert_defaults.items() if k not in columns}
        self.with_aliases = with_aliases
        self.write = write
        self.counts = Counts()
        self._key_of = _getter(self.target.key)
        self._compared_of = _getter(self.compared)
        # Absent columns are left alone on existing rows, so only the file's own columns are updated.
        self._upsert = _upsert_statement(connection, self.target, self.compared)

    def apply(self, records: list[Record]) -> None:
        keys = [self._key_of(record.values) for record in records]
        stored = self._stored(set(keys))
        current: dict[Key, tuple[Any, ...]] = {}
        changed: dict[Key, Record] = {}
        for key, record in zip(keys, records, strict=True):
            state = current[key] if key in current else stored.get(key)
            new_state = self._state(record)
            if state is None:
                self.counts.inserted += 1
            elif state == new_state:
                self.counts.unchanged += 1
                continue
            else:
                self.counts.updated += 1
            current[key] = new_state
            changed[key] = record
        if self.write and changed:
            self._store(list(changed.values()))

    def _state(self, record: Record) -> tuple[Any, ...]:
        values = self._compared_of(record.values)
        if self.with_aliases:
            return (*values, _alias_set(record.aliases or ()))
        return values

    def _stored(self, keys: set[Key]) -> dict[Key, tuple[Any, ...]]:
        table = self.target.table
        key_columns = [table.c[name] for name in self.target.key]
        width = len(key_columns)
        found: dict[Key, tuple[Any, ...]] = {}
        ids: dict[int, Key] = {}
        for condition in _lookups(key_columns, keys):
            query = select(table.c.id, *key_columns, *(table.c[name] for name in self.compared)).where(
                condition
            )
            for row in self.connection.execute(query):
                key = tuple(row[1 : 1 + width])
                if key in keys:
                    found[key] = tuple(row[1 + width :])
                    ids[row[0]] = key
        if self.with_aliases and ids:
            aliases: dict[Key, list[tuple[str, str]]] = {key: [] for key in ids.values()}
            for account_id, alias, search_alias in self._stored_aliases(list(ids)):
                aliases[ids[account_id]].append((search_alias, alias))
            found = {key: (*values, tuple(sorted(aliases[key]))) for key, values in found.items()}
        return found

    def _stored_aliases(self, account_ids: list[int]) -> Iterable[tuple[int, str, str]]:
        table = AccountAlias.__table__  # type: ignore[attr-defined]
        for start in range(0, len(account_ids), _LOOKUP_CHUNK):
            query = select(table.c.account_id, table.c.alias, table.c.search_alias).where(
                table.c.account_id.in_(account_ids[start : start + _LOOKUP_CHUNK])
            )
            yield from self.connection.execute(query)

    def _store(self, records: list[Record]) -> None:
        self.connection.execute(self._upsert, [self.insert_defaults | record.values for record in records])
        if self.with_aliases:
            self._replace_aliases(records)

    def _replace_aliases(self, records: list[Record]) -> None:
        account = self.target.table
        alias_table = AccountAlias.__table__  # type: ignore[attr-defined]
        wanted = {record.values["external_id"]: record.aliases or () for record in records}
        external_ids = list(wanted)
        ids: dict[str, int] = {}
        for start in range(0, len(external_ids), _LOOKUP_CHUNK):
            query = select(account.c.external_id, account.c.id).where(
                account.c.external_id.in_(external_ids[start : start + _LOOKUP_CHUNK])
            )
            ids.update(self.connection.execute(query).all())
        account_ids = list(ids.values())
        for start in range(0, len(account_ids), _LOOKUP_CHUNK):
            chunk = account_ids[start : start + _LOOKUP_CHUNK]
            self.connection.execute(delete(alias_table).where(alias_table.c.account_id.in_(chunk)))
        rows = [
            {"account_id": ids[external_id], "alias": alias, "search_alias": search_alias}
            for external_id, aliases in wanted.items()
            for search_alias, alias in _alias_set(aliases)
        ]
        if rows:
            self.connection.execute(insert(alias_table), rows)


def _getter(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda values: (values[name],)
    return itemgetter(*names) if names else lambda _values: ()


def _lookups(columns: list[ColumnElement[Any]], keys: set[Key]) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together find every stored row with one of `keys` (and maybe a few more).

    Matching each key column against its own distinct values is far cheaper than a long tuple IN list, and
    exact whenever a batch is a block of a sorted file (some accounts × some days); when the combinations
    would fetch many rows that were not asked for, fall back to exact tuples.
    """
    if len(columns) == 1:
        values = [key[0] for key in keys]
        for start in range(0, len(values), _LOOKUP_CHUNK):
            yield columns[0].in_(values[start : start + _LOOKUP_CHUNK])
        return
    distinct = [sorted({key[i] for key in keys}) for i in range(len(columns))]
    if math.prod(len(values) for values in distinct) <= 4 * len(keys) and sum(map(len, distinct)) <= 20_000:
        yield and_(*(column.in_(values) for column, values in zip(columns, distinct, strict=True)))
        return
    ordered = list(keys)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        yield tuple_(*columns).in_(ordered[start : start + _LOOKUP_CHUNK])


def _alias_set(aliases: Iterable[str]) -> AliasSet:
    """Aliases as stored: one per normalised form (the table is unique on it), in a stable order."""
    unique: dict[str, str] = {}
    for alias in aliases:
        unique.setdefault(normalise_name(alias), alias)
    return tuple(sorted((search, alias) for search, alias in unique.items() if search))


def _upsert_statement(bind: Connection, target: Target, update_columns: Sequence[str]) -> Insert:
    statement = conflict_insert(bind, target.table)
    if not update_columns:
        return statement.on_conflict_do_nothing(index_elements=list(target.key))
    return statement.on_conflict_do_update(
        index_elements=list(target.key),
        set_={name: statement.excluded[name] for name in update_columns},
    )
