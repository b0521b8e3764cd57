"""The command line through Typer's CliRunner: every format and exit code."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from helpers import run, write

from svcount import __version__

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart"
BALLOTS = str(QUICKSTART / "ballots.csv")
CANDIDATES = str(QUICKSTART / "candidates.csv")
TIE = "first,second\nAnn,Cy\nBob,\nCy,Bob\nAnn,\nBob,\nDee,Ann\n"


def assert_one_line_error(result, message):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"svcount {__version__}\n"


@pytest.mark.parametrize("args", [["--help"], ["tally", "--help"]])
def test_help(args):
    result = run(*args)
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_table_is_the_default_and_plain_in_a_pipe():
    result = run("tally", BALLOTS, "--candidates", CANDIDATES)
    assert result.exit_code == 0
    out = result.stdout
    assert "Bob Baker is elected by most votes after second preferences" in out
    assert "Labour Party" in out and "Statement of rejected ballot papers" in out
    assert "\x1b[" not in out and "━" not in out and "╭" not in out  # no colour, no box art


def test_color_can_be_asked_for():
    result = run("tally", BALLOTS, "--color")
    assert "╭" in result.stdout or "━" in result.stdout


def test_json_carries_every_figure_and_provenance():
    result = run(
        "tally", BALLOTS, "--format", "json", "--electorate", "120", "--candidates", CANDIDATES
    )
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["winner"] == "Bob Baker"
    assert doc["schema"] == "svcount-result/1" and doc["svcount_version"] == __version__
    assert doc["input"]["sha256"] == hashlib.sha256(Path(BALLOTS).read_bytes()).hexdigest()
    assert doc["input"]["rows"] == 43 and doc["options"]["electorate"] == 120
    assert doc["stages"][0]["votes"] == {
        "Ann Archer": 14,
        "Bob Baker": 12,
        "Cy Cole": 8,
        "Dee Dale": 5,
    }
    assert doc["stages"][1]["transfers"] == {"Ann Archer": 3, "Bob Baker": 7}
    assert doc["stages"][1]["totals"] == {"Ann Archer": 17, "Bob Baker": 19}
    assert doc["stages"][1]["non_transferable"] == {
        "blank": 1,
        "more_than_one_candidate": 1,
        "void_for_uncertainty": 0,
        "same_as_first": 0,
        "not_remaining": 1,
        "total": 3,
    }
    assert doc["rejected"] == {
        "want_of_official_mark": 1,
        "voting_for_more_than_one_candidate": 1,
        "writing_or_mark_identifying_voter": 0,
        "unmarked": 1,
        "void_for_uncertainty": 1,
        "total": 4,
    }
    assert doc["turnout"] == {
        "electorate": 120,
        "ballot_papers": 43,
        "ballot_papers_pct": 35.83,
        "valid_votes": 39,
        "valid_votes_pct": 32.5,
    }
    assert doc["candidates"][1] == {
        "name": "Bob Baker",
        "party": "Labour Party",
        "first_preferences": 12,
        "share_pct": 30.77,
        "second_preferences": 7,
        "final": 19,
        "status": "elected",
    }
    assert doc["majority"] == 2


def test_json_is_byte_identical_on_rerun():
    first = run("tally", BALLOTS, "-f", "json").stdout
    assert first == run("tally", BALLOTS, "-f", "json").stdout


def test_csv_is_one_row_per_candidate_per_stage():
    result = run("tally", BALLOTS, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "stage",
        "candidate",
        "party",
        "first_preferences",
        "second_preferences",
        "total",
        "share_pct",
        "status",
        "fptp_status",  # issue 13: who first past the post would have elected
    ]
    assert [(r["stage"], r["candidate"], r["total"], r["status"]) for r in rows] == [
        ("1", "Ann Archer", "14", "remaining"),
        ("1", "Bob Baker", "12", "remaining"),
        ("1", "Cy Cole", "8", "excluded"),
        ("1", "Dee Dale", "5", "excluded"),
        ("2", "Ann Archer", "17", "not_elected"),
        ("2", "Bob Baker", "19", "elected"),
        ("2", "Cy Cole", "", "excluded"),
        ("2", "Dee Dale", "", "excluded"),
    ]


def test_csv_neutralises_formulas_in_names(tmp_path):
    path = write(tmp_path, "vote\n=HYPERLINK(1)\n=HYPERLINK(1)\n-Bob\n")
    rows = list(csv.reader(io.StringIO(run("tally", path, "-f", "csv").stdout)))
    assert [r[1] for r in rows[1:]] == ["'-Bob", "'=HYPERLINK(1)"]


def test_markup_in_names_is_printed_literally(tmp_path):
    path = write(tmp_path, "vote\n[bold]Ann[/bold]\n[bold]Ann[/bold]\n[link=x]Bob\n")
    result = run("tally", path)
    assert result.exit_code == 0
    assert "[bold]Ann[/bold] is elected" in result.stdout
    assert "[link=x]Bob" in result.stdout


def test_stdin():
    data = Path(BALLOTS).read_bytes()
    result = run("tally", "-", "--format", "csv", input=data)
    assert result.exit_code == 0
    assert result.stdout == run("tally", BALLOTS, "--format", "csv").stdout


def test_fptp_single_column(tmp_path):
    path = write(tmp_path, 'vote\nAnn\nBob\nAnn\n""\n')
    doc = json.loads(run("tally", path, "-f", "json").stdout)
    assert doc["method"] == "fptp" and doc["winner"] == "Ann"
    assert doc["rejected"]["unmarked_or_void_for_uncertainty"] == 1
    assert doc["second_preferences_not_counted"] is None


def test_a_required_lot_exits_3_after_printing_the_count(tmp_path):
    path = write(tmp_path, TIE)
    result = run("tally", path, "-f", "json")
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["winner"] is None and doc["lot_required"] == ["Ann", "Bob"]
    assert doc["decided_by"] == "lot_required"
    assert "a lot is required between Ann, Bob" in result.stderr
    table = run("tally", path)
    assert table.exit_code == 3 and "A lot is required" in table.stdout


def test_an_entered_lot_decides(tmp_path):
    result = run("tally", write(tmp_path, TIE), "-f", "json", "--lot", "Bob")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["winner"] == "Bob" and doc["decided_by"] == "lot"
    assert doc["lot"] == {"tied": ["Ann", "Bob"], "winner": "Bob", "how": "entered", "seed": None}


def test_a_seeded_lot_is_drawn_and_recorded(tmp_path):
    path = write(tmp_path, TIE)
    result = run("tally", path, "-f", "json", "--seed", "12")
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and doc["lot"]["how"] == "seed" and doc["lot"]["seed"] == 12
    assert doc["options"]["seed"] == 12
    table = run("tally", path, "--seed", "12").stdout
    assert "decided by lot, a draw made by svcount with --seed 12" in table


def test_lot_and_seed_together_are_a_usage_error(tmp_path):
    result = run("tally", write(tmp_path, TIE), "--lot", "Ann", "--seed", "1")
    assert_one_line_error(result, "either --lot")


def test_lot_outside_the_equality_is_an_error(tmp_path):
    result = run("tally", write(tmp_path, TIE), "--lot", "Cy")
    assert_one_line_error(result, "'Cy' is not one of the candidates in the equality")


def test_an_unneeded_lot_is_ignored_with_a_warning():
    result = run("tally", BALLOTS, "--lot", "Ann Archer")
    assert result.exit_code == 0 and "--lot ignored" in result.stderr


def test_missing_file_is_a_one_line_error():
    assert_one_line_error(run("tally", "no/such.csv"), "no/such.csv: no such file")


def test_unknown_candidate_is_exit_2_with_line(tmp_path):
    path = write(tmp_path, "first,second\nAnn Archer,Bob Bakr\n")
    result = run("tally", path, "--candidates", CANDIDATES)
    assert_one_line_error(
        result,
        f"{path}:2: second preference 'Bob Bakr' is not a candidate (did you mean 'Bob Baker'?)",
    )


def test_unknown_as_void(tmp_path):
    path = write(tmp_path, "first,second\nAnn Archer,Bob Bakr\n")
    result = run("tally", path, "--candidates", CANDIDATES, "--unknown-as-void", "-f", "json")
    doc = json.loads(result.stdout)
    assert doc["second_preferences_not_counted"]["void_for_uncertainty"] == 1


def test_unknown_format_is_a_usage_error():
    result = run("tally", BALLOTS, "--format", "xml")
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("electorate", ["0", "-4", "10"])
def test_bad_electorate(electorate):
    result = run("tally", BALLOTS, "--electorate", electorate)
    assert_one_line_error(result, "electorate")


def test_output_is_written_atomically(tmp_path):
    target = tmp_path / "result.json"
    result = run("tally", BALLOTS, "-f", "json", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["winner"] == "Bob Baker"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_a_failed_run_leaves_the_output_untouched(tmp_path):
    target = tmp_path / "result.json"
    target.write_text("precious")
    result = run("tally", "missing.csv", "-f", "json", "-o", str(target))
    assert result.exit_code == 2 and target.read_text() == "precious"


def test_output_into_a_missing_folder_is_an_error(tmp_path):
    result = run("tally", BALLOTS, "-o", str(tmp_path / "nope" / "out.txt"))
    assert_one_line_error(result, "does not exist")


def test_table_to_a_file_is_plain(tmp_path):
    target = tmp_path / "result.txt"
    run("tally", BALLOTS, "-o", str(target))
    text = target.read_text()
    assert "Bob Baker is elected" in text and "\x1b[" not in text


def test_verbose_says_how_the_file_was_read():
    result = run("tally", BALLOTS, "-v")
    assert "read 43 rows" in result.stderr


def test_quiet_silences_warnings(tmp_path):
    path = write(tmp_path, "first,second\nAnn,Zed\nBob,\nAnn,\n")
    assert "warning" in run("tally", path).stderr
    assert run("tally", path, "-q").stderr == ""


def test_output_dash_is_standard_output(tmp_path, monkeypatch):
    """Issue 36: -o - (and -o /dev/stdout) write to standard output, never a file named -."""
    monkeypatch.chdir(tmp_path)
    shown = run("tally", str(ROOT / "examples" / "quickstart" / "ballots.csv"), "-o", "-",
                "-f", "csv")  # fmt: skip
    assert shown.exit_code == 0 and shown.stdout.startswith("stage,candidate")
    assert not (tmp_path / "-").exists()


def test_a_recount_ending_in_a_tie_says_so(tmp_path):
    """Issue 36: a recount ending in a tie names no one "None": it says a lot is required."""
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    first = tmp_path / "first.csv"
    first.write_text("first\nAnn\nAnn\nBob\n")
    second = tmp_path / "second.csv"
    second.write_text("first\nAnn\nBob\n")
    run("tally", str(first), "--method", "fptp", "-o", str(before))
    run("tally", str(second), "--method", "fptp", "-o", str(after))
    shown = run("diff", str(before), str(after))
    said = " ".join(shown.stdout.split())
    assert "None" not in said and "no winner (a lot required) after" in said
