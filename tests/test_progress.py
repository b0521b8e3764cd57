"""Progress bars: only for long work a person watches, never in a pipe or in the data."""

from __future__ import annotations

import pytest
from helpers import EXAMPLES, run, write

from svcount.io import load
from svcount.shell.emit import PROGRESS_BYTES, _wants_progress


@pytest.mark.parametrize(
    ("size", "quiet", "terminal", "wanted"),
    [
        (PROGRESS_BYTES, False, True, True),
        (PROGRESS_BYTES - 1, False, True, False),
        (PROGRESS_BYTES, True, True, False),
        (PROGRESS_BYTES, False, False, False),
    ],
)
def test_a_bar_only_for_large_input_on_a_terminal_without_quiet(
    tmp_path, size, quiet, terminal, wanted
):
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.truncate(size)
    assert _wants_progress(str(path), quiet, terminal) is wanted


def test_stdin_of_unknown_size_gets_a_bar_on_a_terminal():
    assert _wants_progress("-", False, True) and not _wants_progress("-", False, False)


def test_the_reader_reports_bytes_as_it_goes(tmp_path):
    path = write(tmp_path, "first,second\n" + "Ann,Bob\nBob,\n" * 50_000)
    seen = []
    load(
        path,
        engine="pandas",
        progress=lambda done, total: seen.append((done, total)),
    )
    size = (tmp_path / "ballots.csv").stat().st_size
    assert seen and seen[-1] == (size, size)


def test_nothing_reaches_a_pipe(tmp_path):
    result = run("tally", EXAMPLES / "llr-2016" / "ballots.csv.gz", "-f", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.lstrip().startswith("{")
