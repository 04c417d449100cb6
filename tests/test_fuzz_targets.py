"""The fuzz targets in fuzz/ run briefly on every commit: each must survive its runs (atheris exits
non-zero, leaving a crash-* file with the input, when a target raises). Longer runs: README,
"Development"."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).parent.parent
RUNS = {"ingest_body": 2000, "csv_import": 2000, "command_text": 300}


@pytest.mark.parametrize("target", sorted(RUNS))
def test_a_short_fuzz_run_finds_nothing(target: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"fuzz.{target}", f"-runs={RUNS[target]}", "-max_total_time=60"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"Done {RUNS[target]} runs" in done.stderr
    assert not list(tmp_path.glob("crash-*"))


def test_a_target_that_raises_is_reported(tmp_path: Path) -> None:
    """The harness itself can fail: a target that raises on some input makes the run exit non-zero."""
    broken = tmp_path / "broken.py"
    broken.write_text(
        "import sys, atheris\n"
        "def one(data):\n"
        "    if data[:1] == b'x':\n"
        "        raise ValueError('found')\n"
        "atheris.Setup(sys.argv, one)\n"
        "atheris.Fuzz()\n",
        encoding="utf-8",
    )
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "one").write_bytes(b"x")
    done = subprocess.run(
        [sys.executable, str(broken), "-runs=10", str(tmp_path / "seeds")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "found" in done.stderr
