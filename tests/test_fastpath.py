"""Quoted files on the fast path: the quote-aware scan, and the validating reader as the judge."""

from __future__ import annotations

import csv
import io

import pytest
from helpers import BAD, BAD_CASES, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.count import count
from svcount.errors import InputError, SvcountError
from svcount.io import load, read_marks
from svcount.options import ReadOptions
from svcount.reading.header import sniff
from svcount.reading.source import open_source

NAMES = ["Ann Archer", "Bob, Baker", 'Cy "Cy" Cole', "Dee\nDale", "Eve;E", ""]


def marks(path, engine):
    with open_source(str(path)) as source:
        layout = sniff(source, ReadOptions())
        return read_marks(source, layout, engine=engine)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), min_size=1, max_size=40),
    st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL, csv.QUOTE_NONNUMERIC]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_quoted_files_count_the_same_on_the_fast_path(tmp_path, rows, quoting, ending):
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator=ending)
    writer.writerow(["first", "second"])
    writer.writerows(rows)
    path = write(tmp_path, out.getvalue())
    fast, slow = marks(path, "pandas"), marks(path, "python")
    assert fast.engine == "pandas"  # a well-formed quoted file is not re-read
    assert dict(fast.counts) == dict(slow.counts) and fast.rows == slow.rows == len(rows)


def test_a_quoted_file_with_a_short_row_goes_to_the_validating_reader(tmp_path):
    path = write(tmp_path, '"first","second"\n"Ann","Bob"\n"Bob"\n"Ann",""\n')
    with pytest.raises(InputError, match=r":3: this row has 1 field but the header has 2"):
        load(path, engine="pandas")


@pytest.mark.parametrize(
    "text",
    ['first,second\n"Ann"x,Bob\n', 'first,second\nA"nn,Bob\n', 'first,second\n"Ann,Bob\n'],
    ids=["text-after-quote", "quote-inside-field", "never-closed"],
)
def test_quotes_off_a_field_boundary_leave_the_fast_path(tmp_path, text):
    path = write(tmp_path, text)
    try:
        fast = marks(path, "pandas")
    except InputError:
        return  # the validating reader found the error, with its line
    assert fast.engine == "python"


@pytest.mark.parametrize(
    ("name", "args", "message"), [c for c in BAD_CASES if not c[1]], ids=lambda c: str(c)[:30]
)
def test_the_bad_input_corpus_gives_its_exact_message_on_the_pandas_engine(name, args, message):
    if name in ("missing.csv", "."):
        pytest.skip("not a file to read")
    with pytest.raises(SvcountError) as caught:
        loaded = load(str(BAD / name), engine="pandas")
        count(loaded.ballots, loaded.method)
    assert message.split(": ", 1)[1] in str(caught.value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)), min_size=2, max_size=60),
    st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
)
def test_two_halves_on_two_threads_count_as_one_reader(tmp_path, monkeypatch, rows, quoting):
    """Cut anywhere, even inside a quoted newline: the count is the validating reader's."""
    import svcount.reading.fastpath

    monkeypatch.setattr(svcount.reading.fastpath, "PARALLEL_MIN_BYTES", 1)
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator="\n").writerows([("first", "second"), *rows])
    path = write(tmp_path, out.getvalue())
    fast, slow = marks(path, "pandas"), marks(path, "python")
    assert dict(fast.counts) == dict(slow.counts) and fast.rows == slow.rows


def test_a_cut_inside_a_quoted_field_is_noticed(tmp_path, monkeypatch):
    import svcount.reading.fastpath

    monkeypatch.setattr(svcount.reading.fastpath, "PARALLEL_MIN_BYTES", 1)
    long = "x" * 200
    text = f'first,second\nAnn,"{long}\n{long}"\nBob,\n'
    path = write(tmp_path, text)
    fast = marks(path, "pandas")
    assert fast.engine == "python"  # the halves were not trusted: re-read whole
    assert fast.rows == 2
