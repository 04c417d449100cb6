"""What goes wrong during an import, phrased so a person can fix the file without reading code."""

from dataclasses import dataclass

# A long cell (a pasted paragraph, a whole broken row) would drown the message it is quoted in.
_MAX_SHOWN_VALUE = 60


class CellError(ValueError):
    """A single cell cannot be read; the message says what it is and what was expected."""


@dataclass(frozen=True)
class RowError:
    """One problem, located the way an editor or spreadsheet shows it: physical line, header as written."""

    file: str
    line: int | None
    message: str
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column is not None:
            parts.append(f"column {_quote(self.column)}")
        text = self.message if self.value is None else f"{_quote(_shorten(self.value))} {self.message}"
        return ": ".join([*parts, text])


class ImportFailed(Exception):
    """Raised when any row is rejected; the database is left exactly as it was."""

    def __init__(self, file: str, errors: list[RowError], *, truncated: bool = False) -> None:
        self.file = file
        self.errors = errors
        self.truncated = truncated
        super().__init__(self._describe())

    def _describe(self) -> str:
        count = f"{len(self.errors)}{'+' if self.truncated else ''}"
        noun = "error" if count == "1" else "errors"
        lines = [f"{self.file}: import failed with {count} {noun}; nothing was written."]
        lines.extend(str(error) for error in self.errors)
        if self.truncated:
            lines.append(f"{self.file}: stopped after {len(self.errors)} errors; fix these and run again.")
        return "\n".join(lines)


def _shorten(value: str) -> str:
    return value if len(value) <= _MAX_SHOWN_VALUE else value[: _MAX_SHOWN_VALUE - 1] + "…"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'
