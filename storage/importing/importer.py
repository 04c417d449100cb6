"""`import_file`: read a CSV of one kind, validate every row, and store it all or nothing."""

from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.importing.errors import CellError, ImportFailed, RowError
from storage.importing.headers import ColumnPlan, IgnoredColumn, plan_columns
from storage.importing.reader import read_rows
from storage.importing.records import BUILDERS, Problem, Record, References
from storage.importing.schema import KINDS, KindSpec, defaults
from storage.importing.writer import BatchWriter

MAX_ERRORS = 20
BATCH_SIZE = 5000


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
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import `path` as `kind`; raise ImportFailed (nothing stored) if any row is wrong.

    Rows stream through in batches inside one transaction, so memory stays flat however long the file is;
    a dry run performs every check and comparison but writes nothing.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    spec = KINDS[kind]
    label = str(path)
    path = Path(path)
    with engine.connect() as connection, connection.begin() as transaction:
        report = _run(connection, spec, path, label, mapping, dry_run, max(1, batch_size))
        if dry_run:
            transaction.rollback()
        else:
            # In the import's own transaction: the rows and the trace of them commit together.
            audit.record(
                connection,
                at=datetime.now(UTC),
                slack_user_id=None,
                action="import",
                query=f"{kind} {path.name}",
                outcome="ok",
            )
    # Leaving the `with` commits; an ImportFailed raised inside it rolls everything back instead.
    return report


def _run(
    connection: Connection,
    spec: KindSpec,
    path: Path,
    label: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
    batch_size: int,
) -> ImportReport:
    report = ImportReport(spec.kind, label, dry_run)
    errors: list[RowError] = []
    with closing(read_rows(path, label)) as rows:
        header_line = next(rows, None)
        if header_line is None:
            raise ImportFailed(
                label, [RowError(label, 1, f"the file is empty (expected header: {spec.canonical_header})")]
            )
        headers = [cell.strip() for cell in header_line[1]]
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
        writer = BatchWriter(
            connection,
            spec.kind,
            _columns(spec.kind, plan),
            insert_defaults=defaults(spec.kind),
            with_aliases="aliases" in plan.fields,
            write=not dry_run,
        )
        validator = _RowValidator(spec, plan, refs, label, len(headers))
        batch: list[Record] = []
        truncated = False
        try:
            for line, cells in rows:
                report.rows += 1
                record = validator.validate(line, cells, errors)
                if len(errors) >= MAX_ERRORS:
                    truncated = True
                    break
                if errors:
                    # Once the import is bound to fail, keep checking rows but stop storing them.
                    batch.clear()
                    continue
                assert record is not None
                batch.append(record)
                if len(batch) >= batch_size:
                    _store(writer, batch, label)
                    batch.clear()
        except ImportFailed as broken:  # the file itself could not be read on
            errors.extend(broken.errors)
            truncated = True
        if not truncated and refs.pending_managers:
            header = plan.header_of("manager_email")
            errors.extend(
                RowError(
                    label, pending.line, "is not in the team table or in this file", header, pending.email
                )
                for pending in refs.unresolved_managers()
            )
        if errors:
            raise ImportFailed(label, errors[:MAX_ERRORS], truncated=len(errors) > MAX_ERRORS or truncated)
        if batch:
            _store(writer, batch, label)
    report.inserted = writer.counts.inserted
    report.updated = writer.counts.updated
    report.unchanged = writer.counts.unchanged
    return report


def _store(writer: BatchWriter, batch: list[Record], label: str) -> None:
    try:
        writer.apply(batch)
    except DBAPIError as error:
        # Validation is meant to catch everything first; if the database still objects, say where, not how.
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        lines = f"lines {batch[0].line}-{batch[-1].line}"
        raise ImportFailed(
            label, [RowError(label, None, f"the database refused {lines}: {reason}")]
        ) from None


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


class _RowValidator:
    def __init__(self, spec: KindSpec, plan: ColumnPlan, refs: References, label: str, width: int) -> None:
        self.refs = refs
        self.label = label
        self.width = width
        self.build = BUILDERS[spec.kind]
        empty_values = defaults(spec.kind)
        # (cell index, header, field, parser, required, value for an empty cell)
        self.cells = [
            (
                column.index,
                column.header,
                column.field,
                spec.spec(column.field).parse,
                spec.spec(column.field).required,
                empty_values.get(column.field),
            )
            for column in plan.columns
        ]
        self.where = {column.field: (column.header, column.index) for column in plan.columns}

    def validate(self, line: int, cells: list[str], errors: list[RowError]) -> Record | None:
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
        for index, header, name, parse, required, empty in self.cells:
            raw = cells[index].strip()
            if not raw:
                if required:
                    errors.append(RowError(self.label, line, "is empty, but this column is required", header))
                values[name] = empty
                continue
            try:
                values[name] = parse(raw)
            except CellError as error:
                errors.append(RowError(self.label, line, str(error), header, raw))
        if len(errors) > before:
            return None
        problems: list[Problem] = []
        record = self.build(line, values, self.refs, problems)
        for problem in problems:
            header, index = self.where[problem.field]
            errors.append(RowError(self.label, line, problem.message, header, cells[index].strip()))
        return None if problems else record
