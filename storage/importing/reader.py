"""Stream a CSV file row by row with the physical line each row starts on (quoted cells may span lines)."""

import csv
from collections.abc import Iterator
from pathlib import Path

from storage.importing.errors import ImportFailed, RowError

_NOT_UTF8 = (
    'is not UTF-8 text (save it as "CSV UTF-8"; Excel in Japanese saves Shift_JIS unless told otherwise)'
)


def read_rows(path: Path, label: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line the row starts on, cells), the header first; blank lines are skipped.

    A file that cannot be opened, decoded or parsed raises ImportFailed naming the line. Wrap the call in
    `contextlib.closing` so the file is closed even when the caller stops early.
    """
    try:
        # utf-8-sig drops the byte-order mark Excel writes, and reads files without one unchanged.
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ImportFailed(label, [RowError(label, None, f"cannot be read: {error.strerror}")]) from None
    with handle:
        reader = csv.reader(handle, strict=True)
        previous_end = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                # Decoding happens in blocks, so the reader's line count can be far off; find the real line.
                line = _first_undecodable_line(path) or previous_end + 1
                raise ImportFailed(label, [RowError(label, line, f"the file {_NOT_UTF8}")]) from None
            except csv.Error as error:
                raise ImportFailed(
                    label, [RowError(label, previous_end + 1, f"is not valid CSV: {error}")]
                ) from None
            start, previous_end = previous_end + 1, reader.line_num
            if cells and (cells[0].strip() or any(cell.strip() for cell in cells)):
                yield start, cells


def _first_undecodable_line(path: Path) -> int | None:
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None
