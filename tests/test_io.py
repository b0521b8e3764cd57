"""Reading ballot files: columns, engines, compression, stdin, candidate lists, errors."""

from __future__ import annotations

import gzip
import io
import json
import os

import pytest
from helpers import (
    ENGINES,
    EXAMPLES,
    refused,
    run,
    write,
)

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


# ----------------------------------------------------------------- one column, two roles


@pytest.mark.parametrize("engine", ENGINES)
def test_one_column_for_two_roles_is_refused_on_every_engine(tmp_path, engine):
    path = write(tmp_path, "first,second,area\nAnn,Bob,Blaby\nBob,,Melton\n")
    with pytest.raises(InputError, match="cannot be both the rejected and the area column"):
        load(path, options=ReadOptions(rejected_column="area"), engine=engine)


def test_one_column_for_two_roles_is_a_usage_error_on_a_large_file(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("first,second,area\n" + "Ann,Bob,Blaby\nBob,,Melton\n" * 400_000)
    assert path.stat().st_size > 8 << 20
    message = refused("tally", path, "--rejected-column", "area")
    assert "the column 'area' cannot be both" in message


# ----------------------------------------------------------------- spreadsheet exports


@pytest.mark.parametrize("engine", ENGINES)
def test_unnamed_empty_header_cells_are_ignored(tmp_path, engine):
    path = write(tmp_path, "first,second,,,\nAnn,Bob,,,\nBob,,,,\nAnn,,,,\n")
    loaded = load(path, engine=engine)
    assert loaded.ballots.valid == 3


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_rows_at_the_end_are_counted_with_a_warning(tmp_path, engine):
    path = write(tmp_path, "first,second\nAnn,Bob\nBob,\n,\n,\n\n")
    loaded = load(path, engine=engine)
    assert loaded.ballots.rejected[Rejection.UNMARKED] == 2
    assert loaded.warnings == (
        f"{path}: 2 rows at the end of the file (lines 4-5) have every field empty: counted "
        "as unmarked ballot papers (delete them if they are not papers)",
    )


def test_a_blank_row_warning_reaches_the_user(tmp_path):
    result = run("tally", write(tmp_path, "first,second\nAnn,Bob\nAnn,\nBob,\n,\n"))
    assert result.exit_code == 0
    assert "1 row at the end of the file (line 5) has every field empty" in result.stderr


# ----------------------------------------------------------------- candidate and areas files


def test_a_headerless_name_party_candidate_file_is_named_as_the_problem(tmp_path):
    candidates = write(tmp_path, "Ann Archer,Labour\nBob Baker,Green\n", "candidates.csv")
    ballots = write(tmp_path, "first,second\nAnn Archer,Bob Baker\n")
    message = refused("tally", ballots, "-c", candidates)
    assert "candidates.csv:1: looks like a CSV without a header" in message
    assert "name,party" in message


def test_encoding_applies_to_the_candidate_and_areas_files(tmp_path):
    (tmp_path / "b.csv").write_bytes("first,second,area\nZoë,,Blaby\nAnn,,Blaby\n".encode("cp1252"))
    (tmp_path / "c.txt").write_bytes("Zoë\nAnn\n".encode("cp1252"))
    (tmp_path / "a.csv").write_bytes("area;electorate\nBlaby;10\n".encode("cp1252"))
    args = ("tally", tmp_path / "b.csv", "-c", tmp_path / "c.txt", "--seed", "1")
    result = run(*args, "--encoding", "cp1252", "--electorate-file", tmp_path / "a.csv")
    assert result.exit_code == 0, result.stderr
    assert "Zoë" in result.stdout
    assert "not valid UTF-8 text" in refused(*args)


# ----------------------------------------------------------------- short messages


def test_an_empty_separator_is_a_short_usage_error():
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    message = refused("tally", ballots, "--separator", "")
    assert "--separator must give at least one character" in message and len(message) < 200


def test_messages_never_echo_a_huge_field(tmp_path):
    huge = "X" * 5_000_000
    path = write(tmp_path, f"first,second\nAnn,Bob\n{huge},Ann\n")
    candidates = write(tmp_path, "Ann\nBob\n", "c.txt")
    message = refused("tally", path, "-c", candidates)
    assert len(message) < 300 and "…" in message and ":3:" in message


# ----------------------------------------------------------------- pipes and FIFOs as streams


def test_a_pipe_or_fifo_named_as_the_ballot_file_is_read_as_a_stream(tmp_path):
    import subprocess
    import sys
    import threading

    text = "first,second\nAnn,Bob\nAnn,\nBob,Ann\n"
    piped = subprocess.run(
        [sys.executable, "-m", "svcount", "tally", "/dev/stdin", "-f", "json"],
        input=text, capture_output=True, text=True,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["winner"] == "Ann"
    fifo = tmp_path / "ballots.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(text))
    writer.start()
    result = run("tally", fifo, "-f", "json")
    writer.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["ballot_papers"] == 3
    assert (
        "cannot be read twice" in run("tally", "/dev/stdin", "--audit", tmp_path / "a.csv").stderr
    )


@pytest.mark.parametrize(
    "header",
    ["Candidate Name,Party Name", "name,political party", "Name of candidate,Description",
     "candidate;party", "Full name,Party affiliation"],
)  # fmt: skip
def test_common_spellings_of_a_candidate_lists_party_column_are_read(tmp_path, header):
    delimiter = ";" if ";" in header else ","
    path = write(tmp_path, f"{header}\nAnn{delimiter}Red\nBob{delimiter}Blue\n", "c.csv")
    assert read_candidates(path) == (Candidate("Ann", "Red"), Candidate("Bob", "Blue"))


def test_a_one_name_list_is_never_read_as_a_header_for_a_word_in_a_name(tmp_path):
    path = write(tmp_path, "Ramona Namewala\nBob Party\n", "c.txt")
    assert [c.name for c in read_candidates(path)] == ["Ramona Namewala", "Bob Party"]


def test_a_serial_number_column_is_refused_as_a_count_unless_named(tmp_path):
    path = write(tmp_path, "n,first,second\n1,Ann,\n2,Bob,\n3,Ann,\n4,Bob,\n5,Ann,\n")
    refused = run("tally", path)
    assert refused.exit_code == 2 and "numbers the rows (1, 2, 3, …)" in refused.stderr
    named = run("tally", path, "--count-column", "n", "-f", "json")
    assert named.exit_code == 0 and json.loads(named.stdout)["ballot_papers"] == 15
    shuffled = write(tmp_path, "n,first,second\n3,Ann,\n1,Bob,\n2,Ann,\n", "agg.csv")
    counted = run("tally", shuffled, "-f", "json")
    assert counted.exit_code == 0 and "aggregated file: 3 rows stand for 6 papers" in counted.stderr


@pytest.mark.parametrize(
    ("text", "winner", "votes"),
    [
        (';vote\n;"Ann"\n;Ann\n;Bob\n', "Ann", 2),
        ("vote;\nSmith, John;\nBob;\nBob;\n", "Bob", 2),
        ("vote\t\nAnn\t\nBob\t\nAnn\t\n", "Ann", 2),
    ],
)
def test_the_delimiter_is_found_past_an_empty_header_cell(tmp_path, text, winner, votes):
    result = run("tally", write(tmp_path, text), "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    firsts = {c["name"]: c["first_preferences"] for c in doc["candidates"]}
    assert doc["winner"] == winner and firsts[winner] == votes
    assert "column '' not used" not in result.stderr


def test_header_names_match_ignoring_only_case_spaces_hyphens_and_underscores(tmp_path):
    for header in ("First Preference", "first-pref", "FIRST_CHOICE", " 1st "):
        doc = json.loads(run("tally", write(tmp_path, f"{header}\nAnn\n"), "-f", "json").stdout)
        assert [(c["name"], c["first_preferences"]) for c in doc["candidates"]] == [("Ann", 1)]
    refused = run("tally", write(tmp_path, "first.preference\nAnn\n"))
    assert refused.exit_code == 2


def test_a_line_of_only_spaces_in_a_one_column_file_is_not_dropped_in_silence(tmp_path):
    import gzip

    text = 'vote\nAnn\n   \nBob\n \t \nAnn\n" "\n'
    for name, data in (("b.csv", text.encode()), ("b.csv.gz", gzip.compress(text.encode()))):
        result = run("tally", write(tmp_path, data, name), "-f", "json")
        assert result.exit_code == 0
        assert "2 lines hold only spaces (the first is line 3)" in result.stderr
        doc = json.loads(result.stdout)
        assert doc["ballot_papers"] == 4 and doc["rejected"]["total"] == 1  # " " is unmarked
    one = run("tally", write(tmp_path, "vote\nAnn\n  \nBob\n"), "-f", "json")
    assert "line 3 holds only spaces: not counted as a ballot paper" in one.stderr


def test_standard_input_redirected_from_a_file_is_read_in_place_and_a_pipe_is_copied(tmp_path):
    """Issue 38: ``svcount tally - < FILE`` reads FILE itself (no copy), counting exactly as a
    pipe does; input already partly read is copied from where it stands."""
    import json
    import subprocess
    import sys

    path = tmp_path / "ballots.csv"
    path.write_text("first,second\nAnn,Bob\nBob,\nAnn,\n")
    command = [sys.executable, "-m", "svcount", "tally", "-", "-f", "json", "-q"]
    with open(path, "rb") as redirected:
        in_place = subprocess.run(command, stdin=redirected, capture_output=True, check=True)
    piped = subprocess.run(command, input=path.read_bytes(), capture_output=True, check=True)
    a, b = json.loads(in_place.stdout), json.loads(piped.stdout)
    assert a["input"] == b["input"] and a["input"]["file"] == "-"
    assert a["stages"] == b["stages"] and a["stages"][0]["votes"] == {"Ann": 2, "Bob": 1}
    with open(path, "rb") as started:
        started.readline()  # the header already read by someone else: the rest is no file
        os.lseek(started.fileno(), len("first,second\n"), os.SEEK_SET)
        rest = subprocess.run(command, stdin=started, capture_output=True)
    assert rest.returncode == 2 and b"no first-preference column" in rest.stderr
