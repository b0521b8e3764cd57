"""Reading ballot files: columns, engines, compression, stdin, candidate lists, errors."""

from __future__ import annotations

import gzip
import io

import pytest
from helpers import ENGINES, write

from svcount.documents.writing import write_atomic
from svcount.errors import InputError
from svcount.io import load
from svcount.model import (
    Candidate,
    Method,
    NotCounted,
    Rejection,
)
from svcount.options import ReadOptions
from svcount.reading.lists import read_candidates


def load_with(path, engine, **kw):
    options = ReadOptions(**kw.pop("options", {}))
    return load(path, options=options, engine=engine, **kw)


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


@pytest.mark.parametrize(
    "header",
    [
        "first,second",
        "First,Second",
        "first_preference,second_preference",
        "First Preference,Second Preference",
        "1st,2nd",
        "1st choice,2nd choice",
        "FIRST-PREFERENCE,SECOND-PREFERENCE",
        "id,first,notes,second",
    ],
)
def test_header_spellings_are_recognised(tmp_path, header, engine):
    extra = header.startswith("id")
    rows = "1,Ann,x,Bob\n2,Bob,y,\n" if extra else "Ann,Bob\nBob,\n"
    loaded = load_with(write(tmp_path, header + "\n" + rows), engine)
    assert dict(loaded.ballots.pairs) == {("Ann", "Bob"): 1, ("Bob", NotCounted.BLANK): 1}
    assert loaded.method is Method.SV


def test_columns_can_be_named(tmp_path, engine):
    path = write(tmp_path, "a,b\nAnn,Bob\n")
    loaded = load_with(
        path,
        engine,
        options={"first_column": "b", "second_column": "A"},
        candidates=(Candidate("Ann"), Candidate("Bob")),
    )
    assert dict(loaded.ballots.pairs) == {("Bob", "Ann"): 1}


def test_a_named_column_that_is_missing_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r":1: --second-column 'zweite' is not in the header"):
        load(
            write(tmp_path, "first,second\nAnn,Bob\n"), options=ReadOptions(second_column="zweite")
        )


def test_one_column_means_first_past_the_post(tmp_path, engine):
    loaded = load_with(write(tmp_path, "vote\nAnn\nBob\nAnn\n\n"), engine)
    assert loaded.method is Method.FPTP and loaded.rows == 3
    assert loaded.ballots.valid == 3


def test_method_sv_needs_a_second_column(tmp_path):
    with pytest.raises(InputError, match="--method sv needs a second-preference column"):
        load(write(tmp_path, "vote\nAnn\n"), method=Method.SV)


def test_fptp_ignores_a_second_column(tmp_path, engine):
    loaded = load_with(
        write(tmp_path, "first,second\nAnn,Bob\nAnn,Zed\n"), engine, method=Method.FPTP
    )
    assert loaded.ballots.valid == 2 and not loaded.warnings
    assert any("ignored" in note for note in loaded.notes)


def test_rejected_column_is_detected(tmp_path, engine):
    text = "first,second,rejected\nAnn,Bob,\nAnn,,want of official mark\nBob,,identifying mark\n"
    loaded = load_with(write(tmp_path, text), engine)
    assert dict(loaded.ballots.rejected) == {
        Rejection.WANT_OF_OFFICIAL_MARK: 1,
        Rejection.IDENTIFYING_MARK: 1,
    }


def test_na_and_null_are_names_not_blanks(tmp_path, engine):
    """perf-notes' correctness trap: pandas would read these as missing values."""
    text = "first,second\nNA,None\nnull,N/A\nNaN,\n"
    loaded = load_with(write(tmp_path, text), engine)
    assert {c.name for c in loaded.ballots.candidates} == {"NA", "null", "NaN"}
    assert loaded.ballots.rejected == {}


def test_gzip_is_read(tmp_path, engine):
    path = write(tmp_path, gzip.compress(b"first,second\nAnn,Bob\nBob,Ann\n"), "b.csv.gz")
    loaded = load_with(path, engine)
    assert loaded.ballots.valid == 2 and loaded.layout.compressed


def test_stdin_is_read_and_hashed():
    data = b"first,second\nAnn,Bob\n"
    loaded = load("-", stdin=io.BytesIO(data))
    assert loaded.file == "-" and loaded.ballots.valid == 1
    import hashlib

    assert loaded.sha256 == hashlib.sha256(data).hexdigest()


def test_unknown_names_name_the_line_of_first_occurrence(tmp_path, engine):
    text = "first,second\nAnn,Bob\nBob,Ann\nAnn,Bobb\nAnn,Bobb\n"
    with pytest.raises(InputError) as caught:
        load_with(write(tmp_path, text), engine, candidates=(Candidate("Ann"), Candidate("Bob")))
    assert str(caught.value) == (
        f"{tmp_path}/ballots.csv:4: second preference 'Bobb' is not a candidate "
        "(did you mean 'Bob'?) (2 papers)"
    )


def test_several_unknown_names_are_listed_together(tmp_path):
    text = "first,second\nAnn,Zed\nYan,Ann\nYan,\n"
    with pytest.raises(InputError) as caught:
        load(write(tmp_path, text), candidates=(Candidate("Ann"), Candidate("Bob")))
    message = str(caught.value)
    assert "2 problems with names" in message
    assert "first preference 'Yan' is not a candidate (2 papers, first on line 3)" in message
    assert "second preference 'Zed' is not a candidate (1 paper, first on line 2)" in message


def test_unknown_second_preference_without_a_list_is_a_warning_with_its_line(tmp_path):
    loaded = load(write(tmp_path, "first,second\nAnn,Bob\nBob,Ann\nAnn,Zed\n"))
    [warning] = loaded.warnings
    assert "'Zed' is nobody's first preference" in warning
    assert warning.endswith("(1 paper, first on line 4)")


def test_short_rows_are_errors_in_both_engines(tmp_path, engine):
    text = "first,second\nAnn,Bob\nBob\nAnn,\n"
    with pytest.raises(
        InputError,
        match=r"ballots.csv:3: this row has 1 field but the header "
        r"has 2",
    ):
        load_with(write(tmp_path, text), engine)


def test_long_rows_are_errors_in_both_engines(tmp_path, engine):
    text = "first,second\nAnn,Bob\nBob,Ann,Cy\n"
    with pytest.raises(InputError, match=r"ballots.csv:3: this row has 3 fields"):
        load_with(write(tmp_path, text), engine)


def test_quoted_fields_and_crlf_and_no_final_newline(tmp_path, engine):
    text = 'first,second\r\n"Smith, Ann","Jones ""Bob"""\r\n"Jones ""Bob""",\r\n"Smith, Ann",'
    loaded = load_with(write(tmp_path, text), engine)
    assert dict(loaded.ballots.pairs) == {
        ("Smith, Ann", 'Jones "Bob"'): 1,
        ('Jones "Bob"', NotCounted.BLANK): 1,
        ("Smith, Ann", NotCounted.BLANK): 1,
    }


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters_are_detected(tmp_path, engine, delimiter):
    text = f"first{delimiter}second\nAnn{delimiter}Bob\nBob{delimiter}\n"
    loaded = load_with(write(tmp_path, text), engine)
    assert loaded.ballots.valid == 2 and loaded.layout.delimiter == delimiter


def test_utf8_bom_is_counted(tmp_path, engine):
    loaded = load_with(write(tmp_path, "\ufefffirst,second\nZoë,Ann\n".encode()), engine)
    assert [c.name for c in loaded.ballots.candidates] == ["Zoë"]


def test_the_candidate_list_one_name_per_line(tmp_path):
    path = write(tmp_path, "Ann Smith\n\n  Bob, Jr  \n", "cands.txt")
    assert read_candidates(path) == (Candidate("Ann Smith"), Candidate("Bob, Jr"))


def test_the_candidate_list_as_csv_with_parties(tmp_path):
    path = write(tmp_path, "name,party\nAnn,Green Party\nBob,\n", "cands.csv")
    assert read_candidates(path) == (Candidate("Ann", "Green Party"), Candidate("Bob"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Ann\nBob\nAnn\n", r"cands.txt:3: candidate 'Ann' is listed twice \(lines 1 and 3\)"),
        ("Ann\nbob\nBOB\n", r"cands.txt:3: candidate 'BOB' is listed twice"),
        ("\n\n", "cands.txt: the candidate list is empty"),
        ("name,party\n", "the candidate list has a header but no names"),
    ],
)
def test_bad_candidate_lists(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_candidates(write(tmp_path, text, "cands.txt"))


def test_candidate_order_and_parties_carry_into_the_count(tmp_path):
    path = write(tmp_path, "first,second\nBob,Ann\n")
    loaded = load(path, candidates=(Candidate("Cy", "X"), Candidate("Bob"), Candidate("Ann")))
    assert [c.name for c in loaded.ballots.candidates] == ["Cy", "Bob", "Ann"]


def test_write_atomic_replaces_whole_and_never_half(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    with pytest.raises(InputError, match="folder .* does not exist"):
        write_atomic(tmp_path / "missing" / "out.json", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left
