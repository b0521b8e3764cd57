"""Malformed input: one line on stderr, exit 2, no traceback, nothing half-written."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import BAD, BAD_CASES, ENGINES, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.cli import app
from svcount.errors import InputError
from svcount.io import load
from svcount.options import ReadOptions

QUICKSTART = Path(__file__).resolve().parent.parent / "examples" / "quickstart" / "ballots.csv"


@pytest.mark.parametrize(
    ("name", "args", "message"), BAD_CASES, ids=[f"{c[0]}{'+' if c[1] else ''}" for c in BAD_CASES]
)
def test_bad_input_is_one_line_and_exit_2(name, args, message):
    result = run("tally", BAD / name, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("svcount: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_the_fixed_encoding_counts():
    result = run("tally", BAD / "cp1252.csv", "--encoding", "cp1252", "-f", "csv")
    assert result.exit_code == 3 and "Zoë" in result.stdout  # a 1-1 tie: a lot is required


@pytest.mark.parametrize(
    ("electorate", "message"),
    [
        ("0", "must be a positive number"),
        ("-1", "must be a positive number"),
        ("42", "is smaller than the 43 ballot papers"),
    ],
)
def test_impossible_electorates(electorate, message):
    result = run("tally", QUICKSTART, "--electorate", electorate)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.csv"
    path.write_text("first\nAnn\n")
    path.chmod(0)
    result = run("tally", path)
    assert result.exit_code == 2 and "permission denied" in result.stderr


def test_output_onto_a_directory_is_an_error(tmp_path):
    (tmp_path / "out").mkdir()
    result = run("tally", QUICKSTART, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "cannot write the output" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# ----------------------------------------------------------------- unusual but unambiguous


def load_text(tmp_path, data, engine, **options):
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    return load(str(path), options=ReadOptions(**options), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_utf16_with_a_bom_counts(tmp_path, engine):
    loaded = load_text(tmp_path, "first,second\nZoë,Ann\nAnn,\n".encode("utf-16"), engine)
    assert {c.name for c in loaded.ballots.candidates} == {"Zoë", "Ann"}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_one_megabyte_field_is_read_and_refused_as_a_name_in_one_short_line(tmp_path, engine):
    big = "X" * (1 << 20)
    with pytest.raises(InputError) as refused:
        load_text(tmp_path, f"first,second\n{big},Ann\nAnn,\n".encode(), engine)
    message = str(refused.value)
    assert ":2:" in message and "1,048,576 characters long" in message and len(message) < 300


@pytest.mark.parametrize("engine", ENGINES)
def test_newlines_inside_quoted_fields_count(tmp_path, engine):
    data = b'first,second,note\nAnn,Bob,"a\nb"\nBob,Ann,"c\r\nd"\nBob,,\n'
    loaded = load_text(tmp_path, data, engine)
    assert loaded.rows == 3
    assert {c.name for c in loaded.ballots.candidates} == {"Ann", "Bob"}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_line_break_inside_a_name_is_refused_with_its_line(tmp_path, engine):
    data = b'first,second\n"Ann\nSmith",Bob\nBob,Ann\n'
    with pytest.raises(InputError, match="U\\+000A"):
        load_text(tmp_path, data, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_short_row_after_quotes_is_found_with_its_line(tmp_path, engine):
    data = b'first,second\n"Ann, A",Bob\n"Bob\nB"\nBob,Ann\n'
    with pytest.raises(InputError, match=r"b.csv:3: this row has 1 field"):
        load_text(tmp_path, data, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_names_differing_only_in_spacing_or_normalisation_merge(tmp_path, engine):
    data = "first,second\n Zoe\u0301 ,Ann\nZoé,Ann\nAnn,\n".encode()
    loaded = load_text(tmp_path, data, engine)
    assert {c.name for c in loaded.ballots.candidates} == {"Zoé", "Ann"}
    assert any("counted" in note for note in loaded.notes)


# ----------------------------------------------------------------- processes


def svcount(*args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "svcount", *map(str, args)], stderr=subprocess.PIPE, **kwargs
    )


def test_a_closed_pipe_is_quiet():
    with svcount("tally", QUICKSTART, "--format", "csv", stdout=subprocess.PIPE) as child:
        child.stdout.close()  # the reader has gone, like `| head -0`
        err = child.stderr.read().decode()
        child.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err
    assert child.returncode != 0


def _wait_for_handler(pid: int, number: int) -> None:
    """Until the process catches ``number`` (Linux's SigCgt), so a slow start cannot race it.

    svcount's ``main()`` catches SIGTERM first thing; Python catches SIGINT from its start.
    """
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            caught = next(
                int(line.split()[1], 16)
                for line in status.read_text().splitlines()
                if line.startswith("SigCgt:")
            )
        except (OSError, StopIteration):
            caught = 0
        if caught & (1 << (number - 1)):
            return
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_exits_130_and_leaves_no_output(tmp_path, stop):
    big = tmp_path / "big.csv"
    with open(big, "w", newline="") as f:  # a long row at the end: the slow, validating reader
        f.write("first,second\n" + '"Ann","Bob"\n"Bob",""\n' * 1_500_000 + "Ann,Bob,x\n")
    target = tmp_path / "result.json"
    target.write_text("precious")
    with svcount("tally", big, "-f", "json", "-o", target, stdout=subprocess.DEVNULL) as child:
        _wait_for_handler(child.pid, signal.SIGTERM)  # svcount's main() has begun
        time.sleep(1.0)  # and is counting
        child.send_signal(stop)
        err = child.stderr.read().decode()
        child.wait(timeout=60)
    if child.returncode == 0:
        pytest.skip("the count finished before the interrupt arrived")
    assert child.returncode == 130, err
    assert "svcount: interrupted" in err and "Traceback" not in err
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "result.json"]


def test_crash_reports_never_show_local_variables():
    assert app.pretty_exceptions_show_locals is False


# ----------------------------------------------------------------- fuzzing


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300), engine=st.sampled_from(ENGINES))
def test_arbitrary_bytes_count_or_raise_input_error(tmp_path, data, engine):
    try:
        load_text(tmp_path, data, engine)
    except InputError:
        pass


CELL = st.text(alphabet=st.sampled_from(list('Ab ,;|?"\n\r\t\x00é\ufeff=')), max_size=6)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from(["first", "second", "rejected", "x", "First", ""]), min_size=1, max_size=4
    ),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=5), max_size=8),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_NONE, csv.QUOTE_ALL]),
    engine=st.sampled_from(ENGINES),
)
def test_csv_shaped_text_counts_or_raises_input_error(tmp_path, header, rows, quoting, engine):
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, escapechar="\\", lineterminator="\n")
    try:
        writer.writerow(header)
        writer.writerows(rows)
    except csv.Error:
        return
    try:
        load_text(tmp_path, out.getvalue().encode(), engine)
    except InputError:
        pass


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["tally", QUICKSTART, "--format", "xml"],
            "'xml' is not one of its choices: give table, json, csv",
        ),
        (["tally"], "Missing argument"),
        (["tally", QUICKSTART, "--bogus"], "No such option: --bogus"),
    ],
)
def test_usage_errors_are_one_line_through_the_entry_point(args, message):
    with svcount(*args, stdout=subprocess.PIPE) as child:
        out, err = child.communicate(timeout=60)
    err = err.decode()
    assert child.returncode == 2 and err.count("\n") == 1 and message in err, err
    assert err.startswith("svcount: error: ") and out == b""
