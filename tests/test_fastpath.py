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


def marks(path, engine, encoding=None):
    with open_source(str(path)) as source:
        layout = sniff(source, ReadOptions(encoding=encoding))
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
    slow = marks(path, "python")
    for engine in ("pandas", "polars"):
        fast = marks(path, engine)
        if engine == "pandas" or all(a or b for a, b in rows):  # a blank row: pandas decides
            assert fast.engine == engine  # a well-formed quoted file is not re-read
        assert dict(fast.counts) == dict(slow.counts) and fast.rows == slow.rows == len(rows)


#: Values of a field: names, those that need quotes, blanks, and look-alikes of nothing.
VALUES = ["Ann", "Bob", "NA", " Cy ", "", "A,B", 'Dee "D"', "Eve\nE", "é", "Ann|Bob", "?", ";",
          "Zoë €"]  # fmt: skip
#: One damage done to a well-formed file, or none.
DAMAGE = ["", "", "drop a delimiter", "add a field", "stray quote", "blank line", "cr only",
          "unclosed quote", "row of delimiters", "space after a quote"]  # fmt: skip


@st.composite
def ballot_texts(draw):
    """A CSV as a spreadsheet writes one (any quoting, any line end), maybe damaged once."""
    header = draw(st.sampled_from([["first", "second"], ["first", "second", "area"], ["first"],
                                   ["first", "second", "ballot_id"],
                                   ["first", "second", "notes, if any"]]))  # fmt: skip
    rows = draw(
        st.lists(
            st.lists(st.sampled_from(VALUES), min_size=len(header), max_size=len(header)),
            min_size=1,
            max_size=25,
        )  # fmt: skip
    )
    quoting = draw(st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows([header, *rows])
    text = out.getvalue()
    damage = draw(st.sampled_from(DAMAGE))
    at = draw(st.integers(len(ending) + len(",".join(header)), max(len(text) - 1, 1)))
    if damage == "drop a delimiter" and "," in text[at:]:
        cut = text.index(",", at)
        text = text[:cut] + text[cut + 1 :]
    elif damage == "add a field":
        text = text.replace(ending, ",x" + ending, 2)
    elif damage == "stray quote":
        text = text[:at] + '"' + text[at:]
    elif damage == "blank line":
        text = text[:at] + ending + ending + text[at:] if ending in text[at:] else text + ending
    elif damage == "cr only":
        text = text.replace("\r\n", "\r").replace("\n", "\r")
    elif damage == "unclosed quote":
        text = text + '"Ann,Bob' + ending
    elif damage == "row of delimiters":
        text = text + "," * (len(header) - 1) + ending
    elif damage == "space after a quote" and '",' in text[at:]:
        cut = text.index('",', at) + 1
        text = text[:cut] + " " + text[cut:]
    return text


def _outcome(path, engine, encoding=None):
    """What a reader makes of a file: its distinct rows and papers, or its one-line refusal."""
    try:
        found = marks(path, engine, encoding)
    except SvcountError as exc:
        return ("refused", str(exc))
    return ("counted", dict(found.counts), found.rows, found.blank_tail)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ballot_texts(), st.sampled_from(["utf-8", "cp1252"]))
def test_every_engine_counts_or_refuses_a_file_as_the_careful_reader_does(tmp_path, text, encoding):
    """Issue 38: polars and chunked pandas against the validating reader, on random files good
    and malformed, in UTF-8 and in Windows-1252 (which polars reads re-encoded): the same
    distinct rows and papers, the same blank rows at the end, or the same refusal, line and
    all."""
    path = write(tmp_path, text.encode(encoding))
    careful = _outcome(path, "python", encoding)
    for engine in ("polars", "pandas"):
        assert _outcome(path, engine, encoding) == careful, engine


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


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_windows_1252_in_blocks_of_any_size_counts_as_the_careful_reader(
    tmp_path, monkeypatch, block
):
    """Issue 38: a file of a byte a character goes to polars in blocks cut at line feeds; a
    line longer than a block, blank lines at a block's edge and a last line without its line
    feed are counted as the validating reader counts them."""
    from svcount.reading import engine

    monkeypatch.setattr(engine, "BLOCK_BYTES", block)
    text = "first,second\r\n" + "Zoë €,Ann\r\n\r\nAnn,\r\n" * 4 + "A very long name indeed,Bob\n,"
    path = write(tmp_path, text.encode("cp1252"))
    found = marks(path, "polars", "cp1252")
    assert found.engine == "polars" and found.counts[("Zoë €", "Ann", "", "")] == 4
    assert _outcome(path, "polars", "cp1252") == _outcome(path, "python", "cp1252")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("quoting", [csv.QUOTE_ALL, csv.QUOTE_MINIMAL])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_file_of_the_counts_own_columns_is_read_a_line_at_a_time(
    tmp_path, monkeypatch, encoding, quoting, ending
):
    """Issue 38: quoted or not, any line end, UTF-8 or Windows-1252, with unmarked papers and
    a quoted delimiter: polars counts the distinct lines and nothing reads columns."""
    from svcount.reading import engine

    def no_columns(*args):
        raise AssertionError("read a column at a time")

    monkeypatch.setattr(engine, "_grouped", no_columns)
    rows = [["Zoë €", "Bob, Baker", "North"], ["", "", "South"], ["", "", ""], ["Ann", "", "North"]]
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator=ending).writerows(
        [["first", "second", "area"], *rows * 3]
    )
    path = write(tmp_path, out.getvalue().encode(encoding))
    found = marks(path, "polars", encoding)
    assert found.engine == "polars" and found.rows == 12 and found.lines_in_order
    assert found.counts[("Zoë €", "Bob, Baker", "", "North")] == 3
    assert found.counts[("", "", "", "")] == 3 and found.blank_tail is None
    assert _outcome(path, "polars", encoding) == _outcome(path, "python", encoding)


def test_what_the_line_reading_relies_on_in_polars(tmp_path):
    """polars keeps blank lines (every line after the header is one row), takes off a CR
    before a line feed and a UTF-8 byte-order mark, and keeps a lone CR: if an upgrade
    changes any of it, this says so before the counts do."""
    from svcount.reading import engine

    path = write(tmp_path, b'\xef\xbb\xbffirst,second\r\nAnn,Bob\r\n\r\n"A\rB",\n\nAnn,Bob')
    with open_source(path) as source:
        layout = sniff(source, ReadOptions())
        header, lines = engine._lines(source, layout)
    assert header == "first,second" == layout.header_line
    assert sorted(lines) == [("", 2), ('"A\rB",', 1), ("Ann,Bob", 2)]
