"""Apply validated records batch by batch: compare with what is stored, then upsert only what changed.

On SQLite the stored rows are read first, which lets a dry run report inserted/updated/unchanged without
writing. On PostgreSQL each batch is sent as one array per column and merged with one INSERT … ON
CONFLICT that touches only rows whose values differ and says which rows it inserted: a row at a time
through the driver is what kept a million-row sync at a fraction of the speed the server reads it. A
dry run there merges too, inside the import's transaction, which is rolled back. Either way a re-import
of unchanged rows rewrites none of them.
"""

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, Connection, Table, and_, delete, insert, select, tuple_
from sqlalchemy.exc import DBAPIError
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
# A merged batch: rows inserted, updated, unchanged, and the accounts whose rows changed.
Merged = tuple[int, int, int, list[int]]
AliasSet = tuple[tuple[str, str], ...]


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class BatchRefused(Exception):
    """The database refused a batch that passed validation."""

    def __init__(self, records: list[Record], reason: str) -> None:
        super().__init__(reason)
        self.lines = f"lines {records[0].line}-{records[-1].line}"
        self.reason = reason


def _reason(error: Exception) -> str:
    orig = getattr(error, "orig", None) or error
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


class BatchWriter:
    """Counts (and unless `write` is False, stores) batches of records of one kind within one transaction.

    Rows are applied in file order: when a key repeats, the later row wins and counts as an update of the
    earlier one. On SQLite a dry run stores nothing, so it only sees repeats that fall within one batch.

    On PostgreSQL a batch merges in a worker thread while the caller validates the next one (the
    connection is the worker's alone until `finish`): the server's part and Python's part of an import
    then overlap on two cores instead of taking turns. Use it as a context manager, so that a batch
    still in flight is waited for before the transaction ends either way.
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
        self._staging = (
            _Staging(connection, self.target, list(columns), self.compared, self.insert_defaults)
            if connection.dialect.name == "postgresql" and not with_aliases
            else None
        )
        # Internal ids of the accounts whose rows this import inserted or changed (kinds that refer to one).
        self.changed_accounts: set[int] = set()
        self._refers_to_account = "account_id" in columns and kind != "accounts"
        # A batch waits here until the next one arrives: then it merges on the worker (started only for
        # an import of several batches) while the next is checked; the last one merges in `finish`.
        self._held: list[Record] | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._in_flight: tuple[list[Record], Future[Merged]] | None = None

    def __enter__(self) -> "BatchWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)  # the connection is the caller's again

    def apply(self, records: list[Record]) -> None:
        """Store `records` (or, on PostgreSQL, start to); BatchRefused when the database refuses them or
        the batch before."""
        if self._staging is not None:
            self._apply_staged(self._staging, records)
            return
        try:
            self._apply_compared(records)
        except DBAPIError as error:
            raise BatchRefused(records, _reason(error)) from None

    def finish(self) -> None:
        """Store what is still held or in flight; BatchRefused if the database refused it."""
        self._collect()
        if self._held is not None and self._staging is not None:
            held, self._held = self._held, None
            self._count(held, lambda: self._staging.merge(held))  # type: ignore[union-attr]

    def _collect(self) -> None:
        if self._in_flight is not None:
            records, merging = self._in_flight
            self._in_flight = None
            self._count(records, merging.result)

    def _count(self, records: list[Record], merged: Callable[[], "Merged"]) -> None:
        try:
            inserted, updated, unchanged, accounts = merged()
        except (DBAPIError, psycopg.Error) as error:
            raise BatchRefused(records, _reason(error)) from None
        self.counts.inserted += inserted
        self.counts.updated += updated
        self.counts.unchanged += unchanged
        self.changed_accounts.update(accounts)

    def _apply_compared(self, records: list[Record]) -> None:
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
        if self._refers_to_account:
            self.changed_accounts.update(record.values["account_id"] for record in changed.values())
        if self.write and changed:
            self._store(list(changed.values()))

    def _apply_staged(self, staging: "_Staging", records: list[Record]) -> None:
        latest: dict[Key, Record] = {}
        for record in records:
            key = self._key_of(record.values)
            earlier = latest.get(key)
            if earlier is not None:
                if self._state(earlier) == self._state(record):
                    self.counts.unchanged += 1
                    continue
                self.counts.updated += 1
            latest[key] = record
        unique = list(latest.values())
        if self._held is not None:
            self._collect()
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, "csbot-merge")
            self._in_flight = (self._held, self._worker.submit(staging.merge, self._held))
        self._held = unique

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


class _Staging:
    """The one statement that merges a batch into the target, PostgreSQL only: the batch travels as one
    array per column, unnested into rows on the server. No temporary table, so a small batch (an ingest
    request) costs one round trip, and a large one the same statement with longer arrays."""

    def __init__(
        self,
        connection: Connection,
        target: Target,
        columns: list[str],
        compared: Sequence[str],
        insert_defaults: dict[str, Any],
    ) -> None:
        self.connection = connection
        self.columns = columns
        dialect = connection.dialect
        quote = dialect.identifier_preparer.quote
        table = quote(target.table.name)
        listed = ", ".join(quote(column) for column in columns)
        arrays = ", ".join(
            f"%s::{target.table.c[column].type.compile(dialect=dialect)}[]" for column in columns
        )
        self.defaults = tuple(insert_defaults.values())
        inserted_columns = listed + "".join(f", {quote(name)}" for name in insert_defaults)
        default_values = "".join(", %s" for _ in insert_defaults)
        key = ", ".join(quote(name) for name in target.key)
        if compared:
            assignments = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in compared)
            old = ", ".join(f"{table}.{quote(c)}" for c in compared)
            new = ", ".join(f"EXCLUDED.{quote(c)}" for c in compared)
            # ROW(…) so that a single compared column still compares as a row.
            on_conflict = f"DO UPDATE SET {assignments} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
        else:
            on_conflict = "DO NOTHING"
        refers = "account_id" in columns and target.table.name != "account"
        # xmax is 0 on a row version this statement inserted and set on one it updated.
        self.merge_sql = (
            f"WITH written AS (INSERT INTO {table} ({inserted_columns}) "
            f"SELECT *{default_values} FROM unnest({arrays}) "
            f"ON CONFLICT ({key}) {on_conflict} "
            f"RETURNING (xmax = 0) AS inserted, {'account_id' if refers else 'NULL::int AS account_id'}) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
            "array_remove(array_agg(DISTINCT account_id), NULL) FROM written"
        )

    def merge(self, records: list[Record]) -> "Merged":
        """Merge `records` (one per key): rows inserted, updated and unchanged, and the accounts changed."""
        arrays = [[record.values[name] for record in records] for name in self.columns]
        cursor = self.connection.connection.cursor()
        try:
            cursor.execute(self.merge_sql, (*self.defaults, *arrays))  # in the order they appear
            inserted, updated, accounts = cursor.fetchone()
        finally:
            cursor.close()
        return int(inserted), int(updated), len(records) - int(inserted) - int(updated), accounts or []
