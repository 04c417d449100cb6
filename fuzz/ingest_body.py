"""Fuzz the ingest API's body parser: any bytes, under any content type, are rows or a reason.

python -m fuzz.ingest_body [-runs=N] [-max_total_time=SECONDS] [corpus dir]
"""

import sys

import atheris

from fuzz import OURS

with atheris.instrument_imports(include=OURS):
    from bot.ingest import rows_of

CONTENT_TYPES = ("application/json", "application/x-ndjson", "text/plain", "")


def test_one_input(data: bytes) -> None:
    if not data:
        return
    content_type = CONTENT_TYPES[data[0] % len(CONTENT_TYPES)]
    try:
        rows = rows_of(data[1:], content_type)
    except ValueError as refused:  # the 400 answer's text
        if not str(refused):
            raise AssertionError("a refusal without a reason") from refused
        return
    if not all(isinstance(row, dict) for row in rows):
        raise AssertionError("a row that is not an object")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
