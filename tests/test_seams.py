"""Trust at the seams (issue 9): between local counts and totals, outputs and inputs,
the library and the command, and odd exports. One test per item, named after what it
protects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import ENGINES, EXAMPLES, run, write, write_sealed

from svcount.count import (
    count,
)
from svcount.errors import CountError, InputError, MarkError
from svcount.io import load
from svcount.marks import classify
from svcount.model import (
    Ballots,
    Candidate,
    NotCounted,
    Rejection,
)
from svcount.options import ReadOptions

FIRSTS = ["blaby-1.json", "melton-1.json", "rutland-1.json"]
SECONDS = ["blaby-2.json", "melton-2.json", "rutland-2.json"]


def refused(*args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert result.stderr.startswith("svcount: error: ")
    return result.stderr


def second_count(ballots, area, out, total="total.json"):
    return run(
        "tally", ballots, "-c", "candidates.txt", "--stage", "second", "--area", area,
        "--remaining-from", total, "-o", out,
    )  # fmt: skip


# ----------------------------------------------------------------- 1. ties between files


def test_a_second_count_from_another_areas_ballots_is_refused_when_made(staged):
    message = refused(
        "tally", "melton.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json", "-o", "blaby-2.json",
    )  # fmt: skip
    assert "melton.csv: Blaby's first count (blaby-1.json) was made from another ballot file" in (
        message
    )


def test_combine_refuses_a_second_count_relabelled_for_another_area(staged):
    doc = json.loads(Path("melton-2.json").read_text())
    doc["area"] = "Blaby"
    write_sealed("blaby-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS, "--areas", "areas.csv")
    assert "blaby-2.json: the second count for 'Blaby' was made from another ballot file" in (
        message
    )
    assert "(compare blaby-1.json)" in message


def test_combine_refuses_a_second_count_whose_excluded_papers_differ_from_its_first_count(staged):
    doc = json.loads(Path("blaby-2.json").read_text())
    doc["excluded_papers"] -= 10
    doc["non_transferable"]["blank"] -= 10
    write_sealed("blaby-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "the second count for 'Blaby' looked at" in message
    assert "but its first count gives them" in message and "blaby-1.json" in message


def test_combine_refuses_a_second_count_made_from_a_total_of_other_first_counts(staged):
    doc = json.loads(Path("rutland-2.json").read_text())
    doc["first_counts"]["Melton"] = "0" * 64
    write_sealed("rutland-2.json", doc)
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "was made from a total (total.json) of other first counts" in message


def test_a_second_count_with_other_options_than_its_first_is_refused(staged):
    message = refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json", "--separator", ";", "--unknown-as-void",
    )  # fmt: skip
    assert "these ballots do not give Blaby's first count" in message


def test_the_staged_example_still_declares_241_to_203(staged):
    result = run("combine", *FIRSTS, *SECONDS, "-f", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0
    assert doc["stages"][1]["totals"] == {"Ann": 241, "Bob": 203}


# ----------------------------------------------------------------- 2. edited files


def test_a_hand_edited_local_file_is_refused_by_its_own_arithmetic(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["first_preferences"]["Bob"] += 1000
    Path("melton-1.json").write_text(json.dumps(doc))
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "melton-1.json: the figures do not add up: first preferences sum to 1,195" in message


def test_a_consistently_edited_local_file_is_refused_by_its_digest(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    doc["first_preferences"]["Bob"] += 1000
    doc["valid_votes"] += 1000
    doc["ballot_papers"] += 1000
    Path("melton-1.json").write_text(json.dumps(doc))
    message = refused("combine", *FIRSTS)
    assert "melton-1.json: the file was changed after svcount wrote it" in message


def test_a_local_file_without_a_digest_is_refused(staged):
    doc = json.loads(Path("melton-1.json").read_text())
    del doc["digest"]
    Path("melton-1.json").write_text(json.dumps(doc))
    assert "has no digest of its figures" in refused("combine", *FIRSTS)


def test_a_second_count_whose_transfers_do_not_add_up_is_refused(staged):
    doc = json.loads(Path("blaby-2.json").read_text())
    doc["transfers"]["Ann"] += 5
    Path("blaby-2.json").write_text(json.dumps(doc))
    message = refused("combine", *FIRSTS, *SECONDS)
    assert "blaby-2.json: the figures do not add up" in message


def test_an_edited_total_is_refused_by_the_second_count(staged):
    doc = json.loads(Path("total.json").read_text())
    doc["remaining"] = ["Ann", "Cy"]
    Path("total.json").write_text(json.dumps(doc))
    message = refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json",
    )  # fmt: skip
    assert "total.json: the figures do not add up" in message


def test_a_total_with_its_digest_edited_is_refused(staged):
    doc = json.loads(Path("total.json").read_text())
    doc["svcount_version"] = "9.9"
    Path("total.json").write_text(json.dumps(doc))
    assert "total.json: the file was changed" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json",
    )  # fmt: skip


# ----------------------------------------------------------------- 3. outputs never onto inputs


@pytest.mark.parametrize("how", ["same", "dot-slash", "symlink", "hard-link"])
def test_no_output_overwrites_the_ballot_file(tmp_path, how):
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("first,second\nAnn,Bob\nBob,\n")
    before = ballots.read_bytes()
    target = {"same": str(ballots), "dot-slash": str(tmp_path / "." / "ballots.csv")}.get(how)
    if how == "symlink":
        target = str(tmp_path / "link.csv")
        os.symlink(ballots, target)
    if how == "hard-link":
        target = str(tmp_path / "hard.csv")
        os.link(ballots, target)
    message = refused("tally", ballots, "-o", target)
    assert "is the input file" in message and "choose another output" in message
    assert ballots.read_bytes() == before


def test_no_output_overwrites_any_input_of_any_command(tmp_path):
    quick = EXAMPLES / "quickstart"
    for name in ("ballots.csv", "candidates.csv"):
        shutil.copy(quick / name, tmp_path / name)
    ballots, candidates = tmp_path / "ballots.csv", tmp_path / "candidates.csv"
    before = candidates.read_bytes()
    assert "is the input file" in refused("tally", ballots, "-c", candidates, "-o", candidates)
    expected = tmp_path / "expected.json"
    expected.write_text('{"figures": {"winner": "Bob Baker"}}')
    assert "is the input file" in refused("verify", ballots, expected, "-o", expected)
    figures = tmp_path / "figures.json"
    shutil.copy(EXAMPLES / "llr-2012" / "figures.json", figures)
    assert "is the input file" in refused("synth", figures, "-o", figures)
    out = tmp_path / "out.csv"
    message = refused("synth", figures, "-o", out, "--areas-output", out)
    assert "is the output of --output" in message and not out.exists()
    assert candidates.read_bytes() == before


def test_combine_never_writes_onto_a_local_file(staged):
    before = Path("blaby-1.json").read_bytes()
    assert "is the input file" in refused("combine", *FIRSTS, "-o", "blaby-1.json")
    assert Path("blaby-1.json").read_bytes() == before


# ----------------------------------------------------------------- 4. the library and pandas


def test_missing_values_from_pandas_are_blanks_in_the_library():
    names = tuple(Candidate(n) for n in ("Ann", "Bob", "Cy"))
    pairs = {
        ("Ann", "Bob"): 7,
        ("Bob", "Ann"): 6,
        ("Cy", np.nan): np.int64(2),
        ("Cy", None): 1,
        ("Cy", pd.NA): 1,
        ("Cy", "Ann"): 1,
        (None, "Ann"): 3,
    }
    ballots = Ballots(names, pairs)
    assert ballots.pairs[("Cy", NotCounted.BLANK)] == 4
    assert ballots.rejected == {Rejection.UNMARKED: 3}
    result = count(ballots)
    assert result.stage_two.non_transferable[NotCounted.BLANK] == 4
    assert result.stage_two.non_transferable[NotCounted.NOT_REMAINING] == 0


def test_missing_values_in_raw_marks_are_blanks():
    frame = pd.DataFrame(
        {"first": ["Ann", "Bob", None, "Ann"], "second": [np.nan, "Ann", "Bob", "Bob"]}
    )
    grouped = frame.groupby(["first", "second"], dropna=False).size()
    raw = {(f, s, None): n for (f, s), n in grouped.items()}
    ballots = classify(raw).ballots
    assert dict(ballots.pairs) == {
        ("Ann", NotCounted.BLANK): 1,
        ("Ann", "Bob"): 1,
        ("Bob", "Ann"): 1,
    }
    assert dict(ballots.rejected) == {Rejection.UNMARKED: 1}


def test_numpy_counts_are_accepted_and_bad_ones_refused():
    ballots = Ballots((Candidate("Ann"),), {("Ann", NotCounted.BLANK): np.int64(0)})
    assert ballots.valid == 0
    with pytest.raises(CountError, match="must be a whole number of at least 0, not 2.5"):
        Ballots((Candidate("Ann"),), {("Ann", NotCounted.BLANK): 2.5})


# ----------------------------------------------------------------- 5. one column, two roles


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


# ----------------------------------------------------------------- 6. readable local counts


def test_a_first_count_reads_as_a_table_when_asked(staged):
    result = run(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area", "Blaby",
        "--format", "table",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Stage one: first preferences in Blaby" in result.stdout
    assert "Statement of rejected ballot papers" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_combine_of_first_counts_reads_as_a_table_or_csv_when_asked(staged):
    table = run("combine", *FIRSTS, "--format", "table")
    assert table.exit_code == 0 and "Ann and Bob remain" in table.stdout
    assert "Stage one: first preferences" in table.stdout
    csv_ = run("combine", *FIRSTS, "--format", "csv")
    assert csv_.exit_code == 0
    assert csv_.stdout.splitlines()[0].startswith("stage,candidate,party,first_preferences")
    assert ",remaining" in csv_.stdout and ",excluded" in csv_.stdout
    as_file = run("combine", *FIRSTS, "-o", "t.json")
    assert json.loads(Path("t.json").read_text())["schema"] == "svcount-total/1"
    assert as_file.exit_code == 0


# ----------------------------------------------------------------- 7. spreadsheet exports


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


# ----------------------------------------------------------------- 8. areas read as names


def test_areas_differing_in_case_are_refused_naming_both(tmp_path):
    path = write(tmp_path, "first,second,area\nAnn,,Blaby\nBob,,Blaby\nAnn,,blaby\n")
    message = refused("tally", path)
    assert "voting area 'blaby' differs only in case from 'Blaby'" in message
    assert "b.csv" not in message and ":4:" in message


def test_areas_are_trimmed_and_normalised_like_names(tmp_path):
    path = write(tmp_path, "first,second,area\nAnn,,Blaby\nBob,, Blaby \nAnn,,Melton\n")
    doc = json.loads(run("tally", path, "-f", "json").stdout)
    assert [a["area"] for a in doc["areas"]] == ["Blaby", "Melton"]


def test_an_areas_file_with_a_case_clash_is_refused(tmp_path):
    areas = write(tmp_path, "area,electorate\nBlaby,10\nBLABY ,20\n", "areas.csv")
    path = write(tmp_path, "first,second,area\nAnn,,Blaby\n")
    message = refused("tally", path, "--electorate-file", areas)
    assert "area 'BLABY' and 'Blaby' differ only in case (lines 2 and 3)" in message


# ----------------------------------------------------------------- 9. candidate and areas files


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


# ----------------------------------------------------------------- 10. options that cannot apply


def test_options_that_cannot_apply_are_refused_or_warned(staged):
    assert "--electorate belongs to the first-stage count" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "total.json", "--electorate", "5000",
    )  # fmt: skip
    assert "--electorate belongs to the declaration" in refused(
        "combine", *FIRSTS, "--electorate", "5"
    )
    assert "--electorate-file belongs to the declaration" in refused(
        "combine", *FIRSTS, "--electorate-file", "areas.csv"
    )
    assert "give either --electorate" in refused(
        "combine", *FIRSTS, *SECONDS, "--electorate", "5000", "--electorate-file", "areas.csv"
    )
    warned = run("combine", *FIRSTS, "--lot", "Ann", "-f", "json")
    assert warned.exit_code == 0
    assert "the count goes on to second preferences; --lot ignored" in warned.stderr


def test_a_first_count_refuses_a_total_to_count_for(staged):
    assert "--remaining-from belongs to the second-stage count" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area", "Blaby",
        "--remaining-from", "total.json",
    )  # fmt: skip


def test_an_impossible_electorate_for_a_local_count_is_refused(staged):
    assert "is smaller than the 300 ballot papers" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area", "Blaby",
        "--electorate", "5",
    )  # fmt: skip


# ----------------------------------------------------------------- 11. verify's own input


def test_a_misspelled_figure_is_bad_input_with_the_nearest_name(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    expected = tmp_path / "e.json"
    expected.write_text('{"figures": {"winer": "Bob Baker"}}')
    assert "unknown figure 'winer' (did you mean 'winner'?)" in refused("verify", ballots, expected)
    expected.write_text('{"figures": {"first_preferences": {"Bob Bakr": 12}}}')
    message = refused("verify", ballots, expected)
    assert "unknown figure 'first_preferences.Bob Bakr' (did you mean 'Bob Baker'?)" in message


def test_a_figure_the_count_has_none_of_is_still_a_mismatch(tmp_path):
    ballots = write(tmp_path, "first,second\nAnn,\nAnn,\nBob,\n")
    expected = tmp_path / "e.json"
    expected.write_text('{"figures": {"second_preferences": {"Ann": 1}}}')
    assert run("verify", ballots, expected).exit_code == 1


def test_a_wrong_schema_is_refused(tmp_path):
    expected = tmp_path / "e.json"
    expected.write_text('{"schema": "svcount-result/1", "figures": {"winner": "Ann"}}')
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    assert "schema 'svcount-result/1' is not 'svcount-expected/1'" in refused(
        "verify", ballots, expected
    )


# ----------------------------------------------------------------- 12. a closed pipe


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_closed_pipe_exits_141_quietly_in_every_format(fmt):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "svcount", "tally", ballots, "-f", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before anything is written
    with process.stderr:
        stderr = process.stderr.read()
    assert process.wait() == 141
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr


# ----------------------------------------------------------------- 13. format from the extension


def test_the_output_extension_chooses_the_format(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    assert run("tally", ballots, "-o", tmp_path / "r.json").exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text())["schema"] == "svcount-result/1"
    assert run("tally", ballots, "-o", tmp_path / "r.csv").exit_code == 0
    assert (tmp_path / "r.csv").read_text().startswith("stage,candidate")
    assert run("tally", ballots, "-o", tmp_path / "r.txt").exit_code == 0
    assert "Statement of rejected ballot papers" in (tmp_path / "r.txt").read_text()


def test_an_explicit_format_wins_over_the_extension_with_a_warning(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    result = run("tally", ballots, "-f", "csv", "-o", tmp_path / "r.json")
    assert result.exit_code == 0
    assert "warning: --format csv written to" in result.stderr
    assert (tmp_path / "r.json").read_text().startswith("stage,candidate")


# ----------------------------------------------------------------- 14. short messages


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


# ----------------------------------------------------------------- 15. area tables


def test_area_tables_fit_80_columns_with_real_area_names(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    areas = [
        "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Leicester", "Melton",
        "North West Leicestershire", "Oadby and Wigston", "Rutland",
    ]  # fmt: skip
    names = ["Willy Bach", "Neil Durban Bannister", "Sarah Hill", "David Sprason"]
    rows = [f"{names[i % 4]},{names[(i * 7) % 4]},{areas[i % 9]}" for i in range(20_000 + 500)]
    path = write(tmp_path, "first,second,area\n" + "\n".join(rows) + "\n")
    issued = "\n".join(f"{a},{100_000},{(20_500 // 9) + (1 if i < 20_500 % 9 else 0) + (i == 5)}"
                       for i, a in enumerate(areas))  # fmt: skip
    electorate = write(tmp_path, "area,electorate,ballot_papers_issued\n" + issued + "\n", "a.csv")
    result = run("tally", path, "--electorate-file", electorate, "--seed", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout.split("by voting area", 1)[1]  # names wrap, never cut
    assert any(line.split()[:1] == ["Leicestershire"] for line in lines)
    total = [line for line in lines if line.startswith(" Total") and "CHECK" in line]
    assert total and "20,501" in total[-1]  # the papers issued, summed


# ----------------------------------------------------------------- 16-20. marks read rightly


def test_a_field_of_only_markers_and_separators_is_void_never_a_candidate(tmp_path):
    path = write(tmp_path, "first,second\nAnn,Bob\nBob,Ann\nAnn,\n?|?,Bob\n?|?,Bob\n?;,Bob\n")
    doc = json.loads(run("tally", path, "-f", "json").stdout)
    assert [c["name"] for c in doc["candidates"]] == ["Ann", "Bob"]
    assert doc["rejected"]["void_for_uncertainty"] == 3
    assert doc["winner"] == "Ann" and doc["stages"][0]["votes"] == {"Ann": 2, "Bob": 1}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("blank", ['" "', '"\t"'])
def test_a_quoted_blank_paper_in_a_one_column_file_is_counted(tmp_path, engine, blank):
    path = write(tmp_path, f"vote\nAnn\n{blank}\nBob\nAnn\n")
    loaded = load(path, engine=engine)
    assert loaded.rows == 4
    assert loaded.ballots.rejected[Rejection.UNMARKED] == 1


@pytest.mark.parametrize(
    ("header", "first", "second"),
    [
        ("first,second,rejected,rejection_reason", "rejected", "rejection_reason"),
        ("vote,first,second", "first", "vote"),
        ("first,second,2nd", "second", "2nd"),
        ("first,second,area,voting_area", "area", "voting_area"),
    ],
)
def test_two_columns_for_one_role_are_refused_naming_both(tmp_path, header, first, second):
    width = header.count(",") + 1
    path = write(tmp_path, f"{header}\n" + ",".join(["Ann"] * 2 + [""] * (width - 2)) + "\n")
    message = refused("tally", path)
    assert f"'{first}' and '{second}'" in message or f"'{second}' and '{first}'" in message
    assert "choose one with --" in message


def test_an_option_chooses_between_two_columns_for_one_role(tmp_path):
    path = write(tmp_path, "first,second,rejected,rejection_reason\nAnn,,,unmarked\nBob,,,\n")
    doc = json.loads(
        run("tally", path, "--rejected-column", "rejection_reason", "-f", "json").stdout
    )
    assert doc["rejected"]["unmarked"] == 1 and doc["valid_votes"] == 1


@pytest.mark.parametrize(
    ("row", "role"),
    [
        ("Ann|Xavier,Bob,", "first preference"),
        ("Ann,Bob|Xavier,", "second preference"),
        ("Xavier,Bob,unmarked", "first preference"),
        (",Xavier,", "second preference"),
        ("?,Xavier,", "second preference"),
    ],
)
def test_every_name_on_every_paper_is_checked_against_the_list(tmp_path, row, role):
    path = write(tmp_path, f"first,second,rejected\nAnn,Bob,\n{row}\n")
    candidates = write(tmp_path, "Ann\nBob\n", "c.txt")
    assert f"{role} 'Xavier' is not a candidate" in refused("tally", path, "-c", candidates)


def test_unknown_names_on_rejected_papers_pass_with_unknown_as_void():
    raw = {("Ann|Xavier", "", ""): 1, ("Ann", "Bob", ""): 2, ("", "Xavier", ""): 1}
    names = [Candidate("Ann"), Candidate("Bob")]
    ballots = classify(
        raw, names, __import__("svcount.marks").marks.MarkRules(unknown_as_void=True)
    )
    assert dict(ballots.ballots.rejected) == {
        Rejection.MORE_THAN_ONE_CANDIDATE: 1,
        Rejection.UNMARKED: 1,
    }


def test_one_candidate_and_no_valid_papers_is_the_same_error_as_two(tmp_path):
    candidates = write(tmp_path, "Ann\n", "c.txt")
    path = write(tmp_path, "first,second\n,\n?,\n")
    assert "no valid ballot papers: all 2 papers were rejected" in refused(
        "tally", path, "-c", candidates
    )
    with pytest.raises(CountError, match="no valid ballot papers"):
        count(Ballots((Candidate("Ann"),), {}, {Rejection.UNMARKED: 1}))


# ----------------------------------------------------------------- 21. one file, two areas


def test_combine_refuses_one_ballot_file_counted_as_two_areas(staged):
    assert (
        run(
            "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "first", "--area",
            "Melton", "-o", "melton-1.json",
        ).exit_code
        == 0
    )  # fmt: skip
    message = refused("combine", *FIRSTS)
    assert "the same ballot file (blaby.csv" in message
    assert "is counted as 'Blaby' and as 'Melton'" in message


# ----------------------------------------------------------------- 22. the lot as names are read


@pytest.mark.parametrize("lot", [" B ", "B"])
def test_the_lot_is_read_as_names_are(tmp_path, lot):
    path = write(tmp_path, "first\nA\nB\n")
    result = run("tally", path, "--lot", lot, "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["winner"] == "B"


def test_a_decomposed_lot_matches_a_composed_name(tmp_path):
    path = write(tmp_path, "first\nZoë\nAnn\n")
    decomposed = unicodedata.normalize("NFD", "Zoë")
    result = run("tally", path, "--lot", decomposed, "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["winner"] == "Zoë"


@pytest.mark.parametrize(
    ("field", "reads_as"),
    [("A|A", "A"), ("A|", "A"), (";A;", "A"), ("|", None), ("?|?", None)],
)
def test_odd_marks_read_as_documented(field, reads_as):
    ballots = classify({(field, "", ""): 1}, [Candidate("A"), Candidate("B")]).ballots
    if reads_as is None:
        assert ballots.valid == 0
    else:
        assert dict(ballots.pairs) == {(reads_as, NotCounted.BLANK): 1}


def test_mark_errors_are_typed_for_the_library():
    with pytest.raises(MarkError):
        classify({("Xavier", "", ""): 1}, [Candidate("A")])
