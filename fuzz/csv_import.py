"""Fuzz the CSV importer: any bytes as a metrics file import, or fail naming the file, line and
column, and write nothing (a dry run against a scratch SQLite database).

    python -m fuzz.csv_import [-runs=N] [-max_total_time=SECONDS] [corpus dir]
"""

import sys
import tempfile
from pathlib import Path

import atheris

from fuzz import OURS

with atheris.instrument_imports(include=OURS):
    from storage.db import make_engine, migrate
    from storage.importing import ImportFailed, import_file

FOLDER = Path(tempfile.mkdtemp(prefix="csbot-fuzz-"))
ENGINE = make_engine(f"sqlite:///{FOLDER / 'fuzz.db'}")
migrate(ENGINE)
FILE = FOLDER / "metrics.csv"
KINDS = ("metrics", "accounts", "contracts", "team")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    FILE.write_bytes(data[1:])
    try:
        import_file(ENGINE, KINDS[data[0] % len(KINDS)], FILE, dry_run=True)
    except ImportFailed as failed:
        if not failed.errors or not all(str(error).startswith(str(FILE)) for error in failed.errors):
            raise AssertionError("an import error that does not name the file") from failed


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
