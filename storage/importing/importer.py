"""One way in for rows of any origin: validate every row, and store them all or nothing.

`import_rows` takes mappings (a query's rows, a request's JSON, a CRM's records) and `import_file` a CSV
file; both go through the same header plan, cell parsers, checks, batched upserts and audit, so every
origin gets the same errors and the same guarantee: one bad row and nothing of the batch is written.
A CSV error names the file and the line; a mapping's, the origin and the row (1 for the first).
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from storage import audit
from storage.importing.errors import CellError, ImportFailed, RowError
from storage.importing.headers import ColumnPlan, IgnoredColumn, plan_columns
from storage.importing.reader import read_rows
from storage.importing.records import BUILDERS, Problem, Record, References
from storage.importing.schema import KINDS, KindSpec, defaults
from storage.importing.writer import BatchRefused, BatchWriter

MAX_ERRORS = 20
# Rows per batch: large enough that a batch's round trips cost little beside its rows, small enough to
# keep memory flat (two batches at most are held at once).
BATCH_SIZE = 20_000
# Field → {value as the source writes it (case-folded) → value as csbot knows it}.
ValueMaps = dict[str, dict[str, str]]
# Distinct refused values remembered per column, to list with the error.
_VALUES_SHOWN = 12


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # header as in the file -> field
    ignored: list[IgnoredColumn] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Internal ids of the accounts whose rows were inserted or changed (kinds that refer to an account).
    changed_accounts: set[int] = field(default_factory=set)

    def __str__(self) -> str:
        rows = f"{self.rows:,} row{'' if self.rows == 1 else 's'}"
        if self.dry_run:
            lines = [
                f"Dry run: {self.file} is a valid {self.kind} file with {rows}; it would insert "
                f"{self.inserted:,}, update {self.updated:,} and leave {self.unchanged:,} unchanged. "
                "Nothing was written."
            ]
        else:
            lines = [
                f"Imported {self.kind} from {self.file}: {rows}; {self.inserted:,} inserted, "
                f"{self.updated:,} updated, {self.unchanged:,} unchanged."
            ]
        renamed = [f'"{header}" as {name}' for header, name in self.columns.items() if header != name]
        if renamed:
            lines.append("Columns read as: " + ", ".join(renamed) + ".")
        lines.extend(f"Ignored column {column}." for column in self.ignored)
        lines.extend(self.notes)
        return "\n".join(lines)


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    values: ValueMaps | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import `path` as `kind`; raise ImportFailed (nothing stored) if any row is wrong.

    Rows stream through in batches inside one transaction, so memory stays flat however long the file is;
    a dry run performs every check and comparison but writes nothing.
    """
    label = str(path)
    path = Path(path)
    return _import(
        engine,
        kind,
        label,
        lambda: closing(read_rows(path, label)),
        mapping=mapping,
        values=values,
        dry_run=dry_run,
        batch_size=batch_size,
        traced_as=f"{kind} {path.name}",
    )


def import_rows(
    engine: Engine,
    kind: str,
    rows: Iterable[Mapping[str, object]] | Iterable[Sequence[object]],
    *,
    origin: str,
    columns: Sequence[str] | None = None,
    mapping: dict[str, str] | None = None,
    values: ValueMaps | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import mappings as `kind`, exactly as a CSV file of them would be: the first row's keys are the
    header (mapped and recognised as a file's would be), values are read as the cells would be (dates
    and numbers may come typed). With `columns` (a query's column names), rows are sequences in that
    order instead, which spares building a mapping per row. `origin` names them in the report and in
    every error. No rows: an empty report, nothing written."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
        return ImportReport(kind, origin, dry_run)
    if columns is None:
        lines = lambda: closing(_mapping_lines(first, iterator, origin))  # noqa: E731
    else:
        lines = lambda: closing(_sequence_lines(list(columns), first, iterator))  # noqa: E731
    return _import(
        engine,
        kind,
        origin,
        lines,
        mapping=mapping,
        values=values,
        dry_run=dry_run,
        batch_size=batch_size,
        traced_as=f"{kind} {origin}",
    )


# A line's cells: strings from a file; from mappings and queries, values as they came (read as a file's
# cell would be unless a parser takes the type as it is).
Cells = Sequence[object]
Lines = Iterator[tuple[int, Cells]]


def _import(
    engine: Engine,
    kind: str,
    label: str,
    open_lines: Callable[[], AbstractContextManager[Lines]],
    *,
    mapping: dict[str, str] | None,
    values: ValueMaps | None,
    dry_run: bool,
    batch_size: int,
    traced_as: str,
) -> ImportReport:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    spec = KINDS[kind]
    translations = value_maps(spec, values or {})
    with engine.connect() as connection, connection.begin() as transaction:
        with open_lines() as lines:
            report = _run(connection, spec, lines, label, mapping, translations, dry_run, max(1, batch_size))
        if dry_run:
            transaction.rollback()
        else:
            # In the import's own transaction: the rows and the trace of them commit together.
            audit.record(
                connection,
                at=datetime.now(UTC),
                slack_user_id=None,
                action="import",
                query=traced_as,
                outcome="ok",
            )
    # Leaving the `with` commits; an ImportFailed raised inside it rolls everything back instead.
    return report


def _cell(value: object) -> str:
    """A typed value as the cell a CSV file would hold for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _mapping_lines(first: Mapping[str, object], rest: Iterator[Mapping[str, object]], origin: str) -> Lines:
    """The header (line 0), then each row's values in the header's order, numbered from 1."""
    header = [str(key) for key in first]
    yield 0, header
    yield 1, [first[key] for key in header]
    for number, row in enumerate(rest, start=2):
        if len(row) != len(header) or any(key not in row for key in header):
            keys = [str(key) for key in row]
            missing = sorted(set(header) - set(keys))
            extra = sorted(set(keys) - set(header))
            what = "; ".join(
                part
                for part in (
                    f"lacks {', '.join(missing)}" if missing else "",
                    f"has {', '.join(extra)} that the first row has not" if extra else "",
                )
                if part
            )
            raise ImportFailed(
                origin, [RowError(origin, number, f"{what} (every row needs the first row's fields)")]
            )
        yield number, [row[key] for key in header]


def _sequence_lines(header: list[str], first: Sequence[object], rest: Iterator[Sequence[object]]) -> Lines:
    yield 0, header
    yield 1, first
    yield from enumerate(rest, start=2)


def _run(
    connection: Connection,
    spec: KindSpec,
    rows: Lines,
    label: str,
    mapping: dict[str, str] | None,
    values: ValueMaps,
    dry_run: bool,
    batch_size: int,
) -> ImportReport:
    report = ImportReport(spec.kind, label, dry_run)
    errors: list[RowError] = []
    header_line = next(rows, None)
    if header_line is None:
        raise ImportFailed(
            label, [RowError(label, 1, f"the file is empty (expected header: {spec.canonical_header})")]
        )
    headers = [str(cell).strip() for cell in header_line[1]]
    plan = plan_columns(spec, headers, mapping, label)
    if isinstance(plan, list):
        raise ImportFailed(label, plan)
    report.columns = {column.header: column.field for column in plan.columns}
    report.ignored = list(plan.ignored)

    refs = References.load(connection, spec.kind)
    if (
        spec.kind == "accounts"
        and not refs.team_slack_ids
        and plan.fields & {"csm_email", "ae_email", "am_email"}
    ):
        report.notes.append("Owner emails were not checked: the team table is empty.")
    validator = _RowValidator(spec, plan, refs, label, len(headers), values)
    with BatchWriter(
        connection,
        spec.kind,
        _columns(spec.kind, plan),
        insert_defaults=defaults(spec.kind),
        with_aliases="aliases" in plan.fields,
        write=not dry_run,
    ) as writer:
        try:
            _validate_and_store(rows, validator, writer, report, errors, batch_size)
            truncated = len(errors) >= MAX_ERRORS
        except ImportFailed as broken:  # the file itself could not be read on
            errors.extend(broken.errors)
            truncated = True
        except BatchRefused as refused:
            # Validation is meant to catch everything first; if the database still objects, say where.
            raise ImportFailed(
                label, [RowError(label, None, f"the database refused {refused.lines}: {refused.reason}")]
            ) from None
    if not truncated and refs.pending_managers:
        header = plan.header_of("manager_email")
        errors.extend(
            RowError(label, pending.line, "is not in the team table or in this file", header, pending.email)
            for pending in refs.unresolved_managers()
        )
    if errors:
        shown = errors[:MAX_ERRORS] + validator.values_seen()
        raise ImportFailed(label, shown, truncated=len(errors) > MAX_ERRORS or truncated)
    report.inserted = writer.counts.inserted
    report.updated = writer.counts.updated
    report.unchanged = writer.counts.unchanged
    report.changed_accounts = writer.changed_accounts
    return report


def _validate_and_store(
    rows: Lines,
    validator: "_RowValidator",
    writer: BatchWriter,
    report: ImportReport,
    errors: list[RowError],
    batch_size: int,
) -> None:
    """Every row checked; while none is wrong, stored batch by batch, and all stored when this returns."""
    batch: list[Record] = []
    for line, cells in rows:
        report.rows += 1
        record = validator.validate(line, cells, errors)
        if len(errors) >= MAX_ERRORS:
            return
        if errors:
            # Once the import is bound to fail, keep checking rows but stop storing them.
            batch.clear()
            continue
        assert record is not None
        batch.append(record)
        if len(batch) >= batch_size:
            writer.apply(batch)
            batch = []
    if batch and not errors:
        writer.apply(batch)
    if not errors:
        writer.finish()


def _columns(kind: str, plan: ColumnPlan) -> list[str]:
    """The table columns a record of this file carries (renamed and derived ones included)."""
    renamed = {"account_id": "external_id"} if kind == "accounts" else {}
    renamed |= {"contract_id": "external_id"} if kind == "contracts" else {}
    renamed |= {"date": "observed_on"} if kind == "metrics" else {}
    renamed |= {"date": "moved_on"} if kind == "movements" else {}
    columns = [renamed.get(name, name) for name in plan.fields if name != "aliases"]
    if kind == "accounts":
        columns.append("search_name")
    return columns


def value_maps(spec: KindSpec, values: Mapping[str, Mapping[str, str]]) -> ValueMaps:
    """The maps checked against the kind's fields and keyed for lookup; ValueError names a wrong field."""
    known = [f.name for f in spec.fields]
    for name in values:
        if name not in known:
            raise ValueError(
                f'{spec.kind} has no field "{name}" to map values of (expected one of: {", ".join(known)})'
            )
    return {
        name: {str(k).strip().casefold(): str(v) for k, v in mapped.items()}
        for name, mapped in values.items()
    }


class _RowValidator:
    def __init__(
        self, spec: KindSpec, plan: ColumnPlan, refs: References, label: str, width: int, values: ValueMaps
    ) -> None:
        self.refs = refs
        self.label = label
        self.width = width
        self.values = values
        self.refused: dict[str, dict[str, None]] = {}  # header → refused values, in the order seen
        self.build = BUILDERS[spec.kind]
        empty_values = defaults(spec.kind)
        # (cell index, header, field, parser, parser of a typed value, required, value for an empty cell)
        self.cells = [
            (
                column.index,
                column.header,
                column.field,
                spec.spec(column.field).parse,
                None if column.field in values else getattr(spec.spec(column.field).parse, "typed", None),
                spec.spec(column.field).required,
                empty_values.get(column.field),
            )
            for column in plan.columns
        ]
        self.where = {column.field: (column.header, column.index) for column in plan.columns}

    def validate(self, line: int, cells: Cells, errors: list[RowError]) -> Record | None:
        if len(cells) != self.width:
            errors.append(
                RowError(
                    self.label,
                    line,
                    f"has {len(cells)} cells but the header has {self.width} "
                    "(a missing comma, or an unquoted comma inside a value?)",
                )
            )
            return None
        values: dict[str, Any] = {}
        before = len(errors)
        for index, header, name, parse, typed, required, empty in self.cells:
            raw = cells[index]
            if raw.__class__ is not str:
                if typed is not None and raw is not None:
                    value = typed(raw)
                    if value is not None:
                        values[name] = value
                        continue
                raw = _cell(raw)  # read as the cell a file would hold, with the same checks and errors
            raw = raw.strip()
            if not raw:
                if required:
                    errors.append(RowError(self.label, line, "is empty, but this column is required", header))
                values[name] = empty
                continue
            translated = self.values.get(name, {}).get(raw.casefold(), raw)
            try:
                values[name] = parse(translated)
            except CellError as error:
                errors.append(RowError(self.label, line, str(error), header, raw))
                if hasattr(parse, "allowed"):  # a fixed vocabulary: a value map can translate a source's
                    seen = self.refused.setdefault(header, {})
                    if len(seen) < _VALUES_SHOWN:
                        seen[raw] = None
        if len(errors) > before:
            return None
        problems: list[Problem] = []
        record = self.build(line, values, self.refs, problems)
        for problem in problems:
            header, index = self.where[problem.field]
            errors.append(RowError(self.label, line, problem.message, header, _cell(cells[index]).strip()))
        return None if problems else record

    def values_seen(self) -> list[RowError]:
        """For each column that refused several values: which ones, so one value map can fix them all (a
        single refused value is named in its row's error already)."""
        return [
            RowError(
                self.label,
                None,
                f"values refused in this column: {', '.join(seen)} (translate a source's own values "
                "with --map-value FIELD:SOURCE=TARGET, or `values:` in a source)",
                header,
            )
            for header, seen in self.refused.items()
            if len(seen) > 1
        ]
