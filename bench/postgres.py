"""What the benchmarks share about PostgreSQL: databases of their own, COPY, and the memory of every process.

A benchmark measures the whole system, and on PostgreSQL part of the work (and of the memory) is in the
server's processes, not the benchmark's: `ProcessMemory` samples both while a benchmark runs.
"""

import contextlib
import os
import resource
import struct
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

DEFAULT_ADMIN_URL = os.environ.get("CSBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/postgres")
# PostgreSQL's binary COPY: a fixed signature, flags, and no header extension; -1 fields ends the data.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_BINARY_TRAILER = struct.pack(">h", -1)
_POSTGRES_EPOCH = np.datetime64("2000-01-01", "D")


def maxrss_mib() -> float:
    """This process's peak resident memory so far."""
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def admin_engine(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).startswith("postgresql")


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = admin_engine(admin_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield database_url(admin_url, name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_rows(connection: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """COPY dict rows (all with the same keys) into `table`, in PostgreSQL's text format."""
    if not rows:
        return
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


class BinaryCopy:
    """A binary COPY fed with numpy columns: building a block of rows is a few array operations, so the
    load runs at the server's pace, not at Python's (a hundred million rows at the million-account scale).

    Each `write` takes one block of equal-length columns; a text column is one fixed string per block."""

    def __init__(self, connection: Connection, table: str, columns: Sequence[str]) -> None:
        self._cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        self._columns = len(columns)
        self._copy: Any = None
        self._context: Any = None

    def __enter__(self) -> "BinaryCopy":
        self._context = self._cursor.copy(self._statement)
        self._copy = self._context.__enter__()
        self._copy.write(_BINARY_HEADER)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self._copy.write(_BINARY_TRAILER)
        self._context.__exit__(kind, error, trace)

    def write(self, values: Sequence[np.ndarray | str]) -> None:
        if len(values) != self._columns:
            raise ValueError(f"{len(values)} columns given, {self._columns} expected")
        length = next(len(value) for value in values if isinstance(value, np.ndarray))
        fields: list[tuple[str, str]] = [("count", ">i2")]
        parts: list[tuple[str, Any]] = [("count", self._columns)]
        for index, value in enumerate(values):
            kind, data = _binary_field(value)
            fields += [(f"length{index}", ">i4"), (f"value{index}", kind)]
            parts += [(f"length{index}", np.dtype(kind).itemsize), (f"value{index}", data)]
        block = np.empty(length, dtype=fields)
        for name, data in parts:
            block[name] = data
        self._copy.write(block.tobytes())


def _binary_field(value: np.ndarray | str) -> tuple[str, Any]:
    """The big-endian wire type of a column and its data, as PostgreSQL's binary COPY expects them."""
    if isinstance(value, str):
        encoded = value.encode()
        return f"S{len(encoded)}", encoded
    if value.dtype.kind == "M":
        return ">i4", (value.astype("datetime64[D]") - _POSTGRES_EPOCH).astype(np.int64)
    if value.dtype.kind == "f":
        return ">f8", value
    if value.dtype == np.int64:
        return ">i8", value
    if value.dtype.kind in "iu":
        return ">i4", value
    raise TypeError(f"no binary COPY for {value.dtype}")


class ProcessMemory:
    """Samples, while open, the memory of this process and of every PostgreSQL server process.

    A server process's resident size counts the shared buffers it touched, which every process shares;
    its proportional size (PSS) splits those among them, so the sum of PSS is what the server as a whole
    holds. Reported: this process's peak, the largest server process's peak RSS, and the peak sum of
    the server's PSS."""

    def __init__(self, engine: Engine, every_seconds: float = 0.25) -> None:
        with engine.connect() as connection:
            backend = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        self._postmaster = _parent_pid(backend)
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="memory-sampler", daemon=True)
        self.server_process_peak_mib = 0.0
        self.server_total_pss_peak_mib = 0.0

    def __enter__(self) -> "ProcessMemory":
        # Forget this process's peak so far (building the workspace, the floor's fetch): Linux resets
        # VmHWM when "5" is written to clear_refs.
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample_once()

    def figures(self) -> dict[str, float]:
        return {
            "peak_mib_this_process": round(_memory_mib(os.getpid())[0] or maxrss_mib(), 1),
            "peak_mib_largest_server_process": round(self.server_process_peak_mib, 1),
            "peak_mib_server_total_pss": round(self.server_total_pss_peak_mib, 1),
        }

    def _sample(self) -> None:
        while not self._stop.wait(self._every):
            self._sample_once()

    def _sample_once(self) -> None:
        total = 0.0
        for pid in _server_processes(self._postmaster):
            rss, pss = _memory_mib(pid)
            self.server_process_peak_mib = max(self.server_process_peak_mib, rss)
            total += pss
        self.server_total_pss_peak_mib = max(self.server_total_pss_peak_mib, total)


def _parent_pid(pid: int) -> int:
    # The command name in /proc/<pid>/stat is in parentheses and may hold spaces: split after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1])


def _server_processes(postmaster: int) -> Iterable[int]:
    yield postmaster
    try:
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    except OSError:
        return
    yield from (int(child) for child in children)


def _memory_mib(pid: int) -> tuple[float, float]:
    """(peak RSS, current PSS) of a process, 0 for one that has exited or cannot be read."""
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return rss, pss
